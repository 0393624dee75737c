"""One writer per output: a lock file beside each target, held with ``flock`` while it is written.

The kernel releases a ``flock`` when the process that holds it dies, however it dies, so a lock
left by a killed render never blocks the next one, and a live render's temporary files are never
taken for a killed one's leftovers: they are removed only by whoever holds the lock. The lock
file (``.NAME.HASH.lock``, with the holder's pid) is removed when the lock is released; one left
by a killed process is taken over by the next writer of that target.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path


class TargetBusy(Exception):
    """Another live process is writing ``target``."""

    def __init__(self, target: Path, pid: int | None):
        self.target, self.pid = target, pid
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"{target} is being written by another render{who}")


def lock_path(target: Path, tag: str) -> Path:
    return target.with_name(f"{tag}lock")


class Lock:
    """A held lock on one target; :meth:`release` removes its file and lets it go."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd < 0:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # while still held: a waiter then sees a file that is gone, and retries
        os.close(self._fd)
        self._fd = -1


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).split()[0])
    return None


def acquire(target: Path, path: Path) -> Lock:
    """Hold the lock file ``path`` for ``target``, or raise TargetBusy at once."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            pid = _holder(fd)
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise TargetBusy(target, pid) from None
            raise
        # The holder before us may have removed the file between our open and our flock: then we
        # hold a lock on a file nobody else will find. Only the file at ``path`` counts.
        try:
            current = os.stat(path)
        except FileNotFoundError:
            os.close(fd)
            continue
        mine = os.fstat(fd)
        if (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return Lock(path, fd)

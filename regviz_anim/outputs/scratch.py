"""Working folders in the system's temporary folder, which a killed process never leaves behind
for long: a Dask worker's job folders, the notebook's display renders.

Each folder (``$TMPDIR/regviz-anim-KIND-*``) holds a lock file that its process keeps locked
(``flock``) while it uses the folder; the kernel lets the lock go when that process dies, however
it dies. Every new folder first sweeps away the folders of its kind that nobody holds, so what a
killed process left is removed by the next one on that machine. A folder its own process has not
used for ``EXPIRE`` seconds (its taker went away) is removed too.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

LOCK = ".lock"
EXPIRE = 600.0  # a fetch touches its folder at least once a minute (cluster.FETCH)
_held: dict[Path, list] = {}  # folder -> [lock fd, last used]; this process's folders
_guard = threading.Lock()


def _prefix(kind: str) -> str:
    return f"regviz-anim-{kind}-"


def new_folder(kind: str) -> Path:
    """A new folder of ``kind`` (a word), held by this process until :func:`release`."""
    sweep(kind)
    folder = Path(tempfile.mkdtemp(prefix=_prefix(kind)))
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # nobody else knows the folder yet: at once
    with _guard:
        _held[folder] = [fd, time.monotonic()]
    return folder


def touch(folder: Path) -> None:
    """``folder`` is still in use (it does not expire)."""
    with _guard:
        if folder in _held:
            _held[folder][1] = time.monotonic()


def release(folder: Path) -> None:
    """Remove ``folder`` and let its lock go."""
    folder = Path(folder)
    with _guard:
        held = _held.pop(folder, None)
    shutil.rmtree(folder, ignore_errors=True)
    if held is not None:
        os.close(held[0])


def sweep(kind: str) -> list[Path]:
    """Remove the folders of ``kind`` that no live process holds, and this process's own that have
    expired; return them."""
    now = time.monotonic()
    with _guard:
        expired = [folder for folder, (_, used) in _held.items() if now - used > EXPIRE]
    for folder in expired:
        release(folder)
    removed = list(expired)
    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            if not (entry.name.startswith(_prefix(kind)) and entry.is_dir(follow_symlinks=False)):
                continue
            folder = root / entry.name
            if folder in _held:
                continue
            try:
                fd = os.open(folder / LOCK, os.O_RDWR | os.O_CLOEXEC)
            except FileNotFoundError:  # being made this moment, or its maker died before locking it
                with contextlib.suppress(OSError):
                    if time.time() - entry.stat().st_mtime > 60:
                        shutil.rmtree(folder, ignore_errors=True)
                        removed.append(folder)
                continue
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)  # its process lives
                continue
            shutil.rmtree(folder, ignore_errors=True)
            os.close(fd)
            removed.append(folder)
    return removed

"""One output transaction: every file of a render staged beside its target, then renamed into place.

A render writes several things (the animation, a poster, a folder of frames, the sidecar). Each
is written under a temporary name beside its target; only when all of them are complete are they
renamed into place, the sidecar last, so a failure or Ctrl-C leaves every earlier output as it
was. Nothing the tool did not write is ever moved or deleted.

Temporary names have a fixed length whatever the target's (``.PREFIX.HASH.RANDOM.part``), so
any name the file system accepts can be a target, and a run that was killed leaves names that
the next run for the same target recognises as its own and removes.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import OutputError
from .locks import Lock, TargetBusy, acquire, lock_path

__all__ = ["OutputError", "TargetBusy", "Transaction", "leftovers", "remove_leftovers", "write_text",
           "frames_folder_problem", "file_mode"]

FRAME_NAME = re.compile(r"frame_\d{5,}\.png")
_PREFIX_BYTES = 24


def _tag(target: Path) -> str:
    """The start of every temporary name for ``target``: readable prefix plus a hash of the name."""
    name = target.name
    prefix = name.encode("utf-8", "surrogateescape")[:_PREFIX_BYTES].decode("utf-8", "ignore").lstrip(".")
    digest = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f".{prefix}.{digest}."


def _is_temporary_for(entry: str, tag: str) -> bool:
    rest = entry[len(tag):] if entry.startswith(tag) else ""
    return bool(re.fullmatch(r"[0-9a-f]{8}\.(part|old)(\.[A-Za-z0-9]+)?", rest))


def leftovers(target: str | os.PathLike) -> list[Path]:
    """Temporary files and folders that an earlier, killed write of ``target`` left behind."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    tag = _tag(target)
    return sorted(target.parent / e for e in os.listdir(target.parent) if _is_temporary_for(e, tag))


def remove_leftovers(target: str | os.PathLike) -> list[Path]:
    """Remove what :func:`leftovers` finds, unless a live writer holds ``target``'s lock (then its
    temporary files are its own, and none is touched); return what was removed."""
    target = Path(target)
    if not target.parent.is_dir():
        return []
    try:
        lock = acquire(target, lock_path(target, _tag(target)))
    except TargetBusy:
        return []
    try:
        return _remove_all(leftovers(target))
    finally:
        lock.release()


def _remove_all(paths: list[Path]) -> list[Path]:
    for path in paths:
        _remove(path)
    return paths


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def file_mode() -> int:
    """The mode a new file gets from this process's umask (``0o666 & ~umask``)."""
    try:
        with open("/proc/self/status") as status:
            umask = next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o022)  # no other way to read it; set straight back
        os.umask(umask)
    return 0o666 & ~umask


def frames_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` may not be (re)filled with frames, or None: it must be absent, empty, or
    hold nothing but ``frame_NNNNN.png`` files (frames this tool wrote, which are replaced), and
    be a folder that a rename can replace (not a mount point)."""
    if folder.is_symlink():
        return "is a symbolic link; give a real folder"
    if not folder.exists():
        return None
    if not folder.is_dir():
        return "is a file, not a folder"
    here = Path.cwd().resolve()
    real = folder.resolve()
    if real == here or real in here.parents:
        return "is the current folder or one of its parents"
    if os.path.ismount(folder):
        return "is a mount point, which a new frames folder cannot replace; give a folder inside it"
    foreign = [e.name for e in os.scandir(folder)
               if not (FRAME_NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False))]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        return (f"holds {sorted(foreign)[0]!r}{more}, which regviz-anim did not write; "
                "give an empty or new folder")
    return None


def file_target_problem(target: Path) -> str | None:
    """Why a file cannot be renamed onto ``target``, or None."""
    if target.is_dir():
        return "is a folder; move it away or give another name"
    if os.path.ismount(target):
        return "is a mount point, which a new file cannot replace; give a name inside a folder"
    return None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (then they are delivered)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    except (AttributeError, OSError, ValueError):  # no signal masks here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Transaction:
    """Stage outputs under temporary names; :meth:`commit` renames them into place, in order.

    Use as a context manager. :meth:`prepare` takes each target's lock (``regviz_anim.locks``),
    held until the block ends: a second writer of a target gets TargetBusy. Leaving the block with
    an exception (Ctrl-C included) removes everything staged and touches nothing else. Folders it
    made for the outputs stay: another render (a parallel batch job) may be writing into them.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []   # (temporary, target), in commit order
        self._scratch: list[Path] = []               # working folders, removed at the end
        self._locks: list[Lock] = []
        self.created: list[Path] = []                # folders made for the outputs, outermost first
        self.cleaned: list[Path] = []                # leftovers of earlier killed runs, removed

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, kind, value, tb) -> bool:
        try:
            if kind is not None:
                self.abort()
        finally:
            self.release()
        return False

    def prepare(self, targets: Iterable[Path]) -> None:
        """Create missing folders for ``targets``, take their locks (TargetBusy if another writer
        holds one), and remove this tool's leftovers for them."""
        targets = list(dict.fromkeys(targets))
        for target in targets:
            missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
            for folder in reversed(missing):
                try:
                    folder.mkdir()
                except FileExistsError:  # a parallel render made it first
                    if not folder.is_dir():
                        raise
                else:
                    self.created.append(folder)
        # in one order for every writer, so that two with overlapping targets cannot deadlock
        for target in sorted(targets, key=lambda t: os.path.realpath(t)):
            self._locks.append(acquire(target, lock_path(target, _tag(target))))
        for target in targets:
            self.cleaned += _remove_all(leftovers(target))

    def release(self) -> None:
        """Let every lock go."""
        for lock in reversed(self._locks):
            lock.release()
        self._locks.clear()

    def file(self, target: Path) -> Path:
        """A temporary path beside ``target``, to be renamed onto it by :meth:`commit`."""
        tmp = target.with_name(f"{_tag(target)}{secrets.token_hex(4)}.part{target.suffix}")
        self._staged.append((tmp, target))
        return tmp

    def folder(self, target: Path) -> Path:
        """A new temporary folder beside ``target``, to replace it on :meth:`commit`."""
        tmp = target.with_name(f"{_tag(target)}{secrets.token_hex(4)}.part")
        self._staged.append((tmp, target))
        tmp.mkdir()
        return tmp

    def scratch(self, target: Path) -> Path:
        """A new working folder beside ``target`` (found as a leftover if the process is killed),
        removed when the transaction ends."""
        tmp = target.with_name(f"{_tag(target)}{secrets.token_hex(4)}.part.d")
        tmp.mkdir()
        self._scratch.append(tmp)
        return tmp

    def _check(self, tmp: Path, target: Path) -> None:
        if not tmp.exists():
            raise OutputError(f"{target}: nothing was written")
        problem = frames_folder_problem(target) if tmp.is_dir() else file_target_problem(target)
        if problem:  # checked before rendering too; checked again: it may have changed since
            raise OutputError(f"{target} {problem}")
        if not tmp.is_dir():
            os.chmod(tmp, file_mode())
            _fsync(tmp)

    def commit(self) -> None:
        """Rename everything into place in the order it was staged (stage the sidecar last).

        Every target is checked first. The earlier outputs are kept (a hard link, or a folder set
        aside) until the last rename has succeeded; if one fails, those already renamed are put
        back and OutputError says so (``kept``). Ctrl-C and SIGTERM wait until it is done."""
        for tmp, target in self._staged:
            self._check(tmp, target)
        done: list[tuple[Path, Path, Path | None]] = []   # (temporary, target, the earlier one set aside)
        with _signals_held():
            try:
                for tmp, target in self._staged:
                    earlier = self._set_aside(target, folder=tmp.is_dir())
                    try:
                        os.replace(tmp, target)
                    except OSError:
                        if earlier is not None and os.path.lexists(target):
                            os.unlink(earlier)  # a hard link: the earlier file never left its place
                        elif earlier is not None:
                            os.replace(earlier, target)  # moved aside: moved back
                        raise
                    done.append((tmp, target, earlier))
            except OSError as error:
                stuck = self._put_back(done)
                where = error.filename or target
                raise OutputError(f"{where}: {error.strerror or error}", kept=not stuck, replaced=stuck) from None
        for _, _, earlier in done:
            if earlier is not None:
                _remove(earlier)  # a frames folder set aside holds only frames this tool wrote
        self._staged.clear()
        self._end_scratch()

    def _set_aside(self, target: Path, *, folder: bool) -> Path | None:
        """Keep the earlier ``target`` under a temporary name until the commit is done; None if
        there is none. A file stays in place (a hard link keeps it) so that it is replaced in one
        rename; a folder is moved aside (a folder cannot be renamed onto one that has files)."""
        if not os.path.lexists(target):
            return None
        earlier = target.with_name(f"{_tag(target)}{secrets.token_hex(4)}.old")
        if not folder:
            try:
                os.link(target, earlier, follow_symlinks=False)
                return earlier
            except OSError:  # a file system without hard links: move it aside instead
                pass
        os.replace(target, earlier)
        return earlier

    def _put_back(self, done: list[tuple[Path, Path, Path | None]]) -> tuple[Path, ...]:
        """Undo the renames of ``done``: each new output back to its temporary name (removed by
        :meth:`abort`), the earlier one back in place. Returns the targets that could not be put
        back (they hold the new output)."""
        stuck = []
        for tmp, target, earlier in reversed(done):
            try:
                os.replace(target, tmp)
            except OSError:
                stuck.append(target)
                continue
            if earlier is not None:
                try:
                    os.replace(earlier, target)
                except OSError:
                    stuck.append(target)
        return tuple(reversed(stuck))

    def abort(self) -> None:
        """Remove everything staged."""
        for tmp, _ in self._staged:
            _remove(tmp)
        self._staged.clear()
        self._end_scratch()

    def _end_scratch(self) -> None:
        for folder in self._scratch:
            _remove(folder)
        self._scratch.clear()


def write_text(target: str | os.PathLike, text: str) -> list[Path]:
    """Write ``text`` to ``target`` atomically (missing folders made); returns the folders made."""
    return write_chunks(target, [text])


def write_chunks(target: str | os.PathLike, chunks: Iterable[str]) -> list[Path]:
    """Write the text ``chunks`` to ``target`` as they come, atomically (missing folders made);
    returns the folders made."""
    target = Path(target)
    with Transaction() as tx:
        tx.prepare([target])
        tmp = tx.file(target)
        with open(tmp, "w", encoding="utf-8") as f:
            for chunk in chunks:
                f.write(chunk)
        created = list(tx.created)
        tx.commit()
    return created

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

import hashlib
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import Iterable

FRAME_NAME = re.compile(r"frame_\d{5,}\.png")
_PREFIX_BYTES = 24


class OutputError(Exception):
    """Writing an output failed (full disk, encoder error); every earlier output is kept."""


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
    """Remove what :func:`leftovers` finds; return it. Only for when no writer is running."""
    found = leftovers(target)
    for path in found:
        _remove(path)
    return found


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def frames_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` may not be (re)filled with frames, or None: it must be absent, empty, or
    hold nothing but ``frame_NNNNN.png`` files (frames this tool wrote, which are replaced)."""
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
    foreign = [e.name for e in os.scandir(folder)
               if not (FRAME_NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False))]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        return (f"holds {sorted(foreign)[0]!r}{more}, which regviz-anim did not write; "
                "give an empty or new folder")
    return None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Transaction:
    """Stage outputs under temporary names; :meth:`commit` renames them into place, in order.

    Use as a context manager: leaving it with an exception (Ctrl-C included) removes everything
    staged and touches nothing else. Folders it made for the outputs stay: another render (a
    parallel batch job) may be writing into them.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []   # (temporary, target), in commit order
        self.created: list[Path] = []                # folders made for the outputs, outermost first
        self.cleaned: list[Path] = []                # leftovers of earlier killed runs, removed

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, kind, value, tb) -> bool:
        if kind is not None:
            self.abort()
        return False

    def prepare(self, targets: Iterable[Path]) -> None:
        """Create missing folders for ``targets`` and remove this tool's leftovers for them."""
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
            self.cleaned += remove_leftovers(target)

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

    def commit(self) -> None:
        """Rename everything into place in the order it was staged (stage the sidecar last)."""
        for tmp, target in self._staged:
            if not tmp.exists():
                raise OutputError(f"{target}: nothing was written")
            if tmp.is_dir():
                problem = frames_folder_problem(target)  # checked again: the folder may have changed
                if problem:
                    raise OutputError(f"{target} {problem}")
            else:
                os.chmod(tmp, 0o644)
                _fsync(tmp)
        for tmp, target in self._staged:
            if tmp.is_dir() and target.is_dir() and any(target.iterdir()):
                old = target.with_name(f"{_tag(target)}{secrets.token_hex(4)}.old")
                os.replace(target, old)  # holds only frames this tool wrote (checked above)
                os.replace(tmp, target)
                shutil.rmtree(old)
            else:
                os.replace(tmp, target)
        self._staged.clear()

    def abort(self) -> None:
        """Remove everything staged."""
        for tmp, _ in self._staged:
            _remove(tmp)
        self._staged.clear()


def write_text(target: str | os.PathLike, text: str) -> list[Path]:
    """Write ``text`` to ``target`` atomically (missing folders made); returns the folders made."""
    target = Path(target)
    with Transaction() as tx:
        tx.prepare([target])
        tmp = tx.file(target)
        tmp.write_text(text, encoding="utf-8")
        created = list(tx.created)
        tx.commit()
    return created

"""What several test files need: the command run as a user runs it, and ways to look at what it left."""
import os
import subprocess
import sys
import time
from pathlib import Path

SMALL = ["--size", "320x180", "--no-progress"]


def run(*argv, cwd, **kwargs) -> subprocess.CompletedProcess:
    """``python -m regviz_anim ARGV`` in ``cwd``, as a process of its own."""
    return subprocess.run([sys.executable, "-m", "regviz_anim", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, **kwargs)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(err: str, *fragments: str) -> bool:
    return (err.startswith("regviz-anim: error: ") and err.count("\n") == 1 and "Traceback" not in err
            and all(f in err for f in fragments))


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux /proc)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def can_fork() -> bool:
    return hasattr(os, "fork")

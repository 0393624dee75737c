"""Forked worker processes, started one way: by the batch (a process a job) and by the renderer
(processes drawing frames).

A signal that arrives while a child is being forked would reach it with the parent's handler
and half-initialised state (it was seen as a traceback from logging's at-fork hook). So the
parent blocks SIGINT and SIGTERM around the fork (:func:`signals_blocked`); the child sets its
own handlers, asks Linux to end it when its parent dies, and only then lets signals in
(:func:`child_started`).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from typing import Callable, Iterator

PR_SET_PDEATHSIG = 1
STOPS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (a process forked inside it starts with them
    blocked too, until :func:`child_started`)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def child_started(parent: int, *, on_parent_death: int, on_sigterm: Callable | int = signal.SIG_DFL) -> bool:
    """In a child forked inside :func:`signals_blocked`: Ctrl-C is the parent's to handle (ignored
    here), SIGTERM goes to ``on_sigterm``, the parent's death sends ``on_parent_death`` (Linux),
    and then signals are let in. False if the parent died before that could take effect: the
    child should end at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_sigterm)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the parent stops its children itself
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, on_parent_death)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
    return os.getppid() == parent

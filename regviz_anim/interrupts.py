"""A stop (Ctrl-C, SIGTERM) that is never lost and never printed as a traceback.

Python raises a signal's exception wherever the main thread happens to be. Inside a finaliser (a
weakref callback such as matplotlib's ``TransformNode.set_children``, or a ``__del__``) it cannot
propagate: Python prints "Exception ignored in ..." and carries on as if nothing had happened. With
:func:`keep_stops` installed, such a stop is kept instead, silently, and :func:`checkpoint` (called
once a frame, and between jobs) raises it again where it can be handled.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Iterator


class Terminated(BaseException):
    """SIGTERM, handled as Ctrl-C is: every temporary file removed on the way out."""


_pending: BaseException | None = None


def _keep(unraisable) -> None:
    global _pending
    if isinstance(unraisable.exc_value, (KeyboardInterrupt, Terminated)):
        _pending = _pending or unraisable.exc_value
    else:
        sys.__unraisablehook__(unraisable)


@contextlib.contextmanager
def keep_stops() -> Iterator[None]:
    """While the block runs, a stop raised inside a finaliser waits for :func:`checkpoint`."""
    previous, sys.unraisablehook = sys.unraisablehook, _keep
    try:
        yield
    finally:
        sys.unraisablehook = previous


def checkpoint() -> None:
    """Raise the stop that a finaliser swallowed, if there is one."""
    global _pending
    if _pending is not None:
        stop, _pending = _pending, None
        raise stop

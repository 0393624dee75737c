"""Frames drawn by other processes into shared memory, while this one encodes.

Once the scene is built, ``workers`` processes are forked from this one. Each has the scene as it
is (copy-on-write: nothing to build again), draws the frames it is given, and copies each into a
slot of memory shared with this process, which hands the slots on, in order, to the encoders as
views while it encodes: one copy of a frame is made, and no pickling. A few slots a
worker keep memory flat in the number of frames.

Forking is used only where it is safe: a platform with ``fork`` and this process running no other
thread (a lock held by another thread at the fork would stay held in the child); otherwise, and
where it would not pay (one core, a few frames), :func:`draw_frames` draws here. On a 2-core
machine two drawing processes were the quickest (``scripts/bench.py``; README, Speed). A worker
ignores Ctrl-C (this process handles it), ends when this process closes its pipe or dies, and a
worker that dies is a :class:`DrawingError` here.
"""
from __future__ import annotations

import contextlib
import ctypes
import mmap
import multiprocessing
import os
import signal
import struct
import threading
from typing import Iterator

import numpy as np

SLOTS = 3  # frames in flight per worker
MIN_FRAMES = 40  # fewer frames than this are drawn here: forking costs more than it saves
MAX_AUTO = 8  # processes chosen by default, at most
TASK, DONE = struct.Struct("<ii"), struct.Struct("<i")
PR_SET_PDEATHSIG = 1


class DrawingError(RuntimeError):
    """A drawing process failed or died."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def drawing_processes(workers: int | None, frames: int) -> int:
    """How many processes draw the frames; 0: this one does. ``workers`` None decides: one a core
    on a machine of two or more, for ``MIN_FRAMES`` frames or more. Either way only where forking
    is safe."""
    if not can_fork():
        return 0
    if workers is None:
        return min(cores(), MAX_AUTO) if cores() >= 2 and frames >= MIN_FRAMES else 0
    return workers


@contextlib.contextmanager
def draw_frames(scene, order: list[int], workers: int | None = None) -> Iterator[Iterator[np.ndarray]]:
    """``with draw_frames(scene, order, workers) as frames:`` the frames in ``order``, each a view
    valid until the next is taken (see :func:`drawing_processes` for ``workers``). Call it before
    starting threads: the workers are forked here."""
    processes = drawing_processes(workers, len(order))
    if processes == 0:
        yield (scene.draw(i) for i in order)  # views of the canvas: each valid until the next draw
        return
    with Workers(scene, processes) as pool:
        yield pool.frames(order)


def _serve(scene, tasks, results, slots, parents_ends, parent: int) -> None:
    """A worker: draw each frame asked for into its slot, until the pipe closes."""
    for end in parents_ends:  # inherited by the fork: closed, so that the parent's close is seen here
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(OSError, AttributeError):  # Linux: end with the parent
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above took effect
        return
    try:
        while True:
            try:
                i, slot = TASK.unpack(tasks.recv_bytes())
            except EOFError:
                return
            np.copyto(slots[slot], scene.draw(i))
            results.send_bytes(DONE.pack(slot))
    except BaseException as error:  # said in the parent
        with contextlib.suppress(Exception):
            results.send_bytes(f"{type(error).__name__}: {error}".encode())


class Workers(contextlib.AbstractContextManager):
    """The forked drawing processes and the shared slots; :meth:`frames` yields in order."""

    def __init__(self, scene, workers: int):
        width, height = scene.size
        self.workers = workers
        self._memory = mmap.mmap(-1, workers * SLOTS * height * width * 4)  # shared, and inherited by a fork
        self._slots = np.frombuffer(self._memory, np.uint8).reshape(workers * SLOTS, height, width, 4)
        context = multiprocessing.get_context("fork")
        self._tasks, self._results, self._processes = [], [], []
        try:
            for _ in range(workers):
                task_read, task_write = context.Pipe(duplex=False)
                result_read, result_write = context.Pipe(duplex=False)
                parents_ends = [*self._tasks, *self._results, task_write, result_read]
                process = context.Process(target=_serve, daemon=True, name="regviz-anim-draw",
                                          args=(scene, task_read, result_write, self._slots, parents_ends,
                                                os.getpid()))
                process.start()
                task_read.close()  # so that each end sees the other's close, or death
                result_write.close()
                self._tasks.append(task_write)
                self._results.append(result_read)
                self._processes.append(process)
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def frames(self, order: list[int]) -> Iterator[np.ndarray]:
        ahead = self.workers * SLOTS

        def ask(k: int) -> None:
            w = k % self.workers
            try:
                self._tasks[w].send_bytes(TASK.pack(order[k], w * SLOTS + (k // self.workers) % SLOTS))
            except OSError:  # a broken pipe: it died
                raise self._died(w) from None

        for k in range(min(ahead, len(order))):
            ask(k)
        for k in range(len(order)):
            yield self._slots[self._done(k % self.workers)]
            if k + ahead < len(order):
                ask(k + ahead)  # into the slot just handed on, now that its taker is done with it

    def _done(self, w: int) -> int:
        try:
            answer = self._results[w].recv_bytes()
        except (EOFError, OSError):
            raise self._died(w) from None
        if len(answer) != DONE.size:
            raise DrawingError(f"a process drawing frames failed: {answer.decode('utf-8', 'replace')}")
        return DONE.unpack(answer)[0]

    def _died(self, w: int) -> DrawingError:
        process = self._processes[w]
        process.join(1.0)
        code = process.exitcode
        how = f"signal {-code} ({signal.strsignal(-code)})" if code is not None and code < 0 else f"exit status {code}"
        return DrawingError(f"a process drawing frames died ({how})")

    def __exit__(self, *exc):
        for connection in self._tasks + self._results:
            connection.close()  # a worker waiting for work then ends
        for process in self._processes:
            process.join(2.0)
            if process.is_alive():
                process.kill()
                process.join()
        self._slots = None  # the memory is unmapped once the last view of it is gone
        return False

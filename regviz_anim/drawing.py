"""Frames drawn by other processes into shared memory, while this one encodes.

Once the scene is built, ``workers`` processes are forked from this one. Each has the scene as it
is (copy-on-write: nothing to build again), draws the frames it is given, and copies each into a
slot of memory shared with this process, which hands the slots on, in order, to the encoders as
views while it encodes: one copy of a frame is made, and no pickling. A few slots a
worker keep memory flat in the number of frames.

Where each frame's encoding needs only that frame and the one before (a GIF's image blocks:
``encode.GifFrames``), :func:`encode_frames` has the workers encode too: each takes runs of
consecutive frames, draws the frame before its run once more, and sends back encoded bytes, which
this process only writes, in order. Nothing is copied but those bytes.

Forking is used only where it is safe: a platform with ``fork`` and this process running no other
thread (a lock held by another thread at the fork would stay held in the child); otherwise, and
where it would not pay (one core, a few frames), :func:`draw_frames` draws here. On a 2-core
machine two drawing processes were the quickest (``scripts/bench.py``; README, Speed). A worker
ignores Ctrl-C (this process handles it), ends when this process closes its pipe or dies, and a
worker that dies is a :class:`DrawingError` here.
"""
from __future__ import annotations

import collections
import contextlib
import mmap
import multiprocessing
import multiprocessing.connection
import os
import signal
import struct
import threading
from typing import Iterator

import numpy as np

from .children import child_started, signals_blocked

SLOTS = 3  # frames in flight per worker
MIN_FRAMES = 40  # fewer frames than this are drawn here: forking costs more than it saves
MAX_AUTO = 8  # processes chosen by default, at most
TASK, DONE = struct.Struct("<ii"), struct.Struct("<i")
RUN_FRAMES = 8, 32  # frames in one worker's run of encoded frames: at least, at most
RUNS_AHEAD = 2  # runs asked of each worker before the first is taken


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


@contextlib.contextmanager
def encode_frames(scene, order: list[int], workers: int, follow, encode) -> Iterator[Iterator[bytes]]:
    """``with encode_frames(scene, order, workers, follow, encode) as blocks:`` each frame of ``order``
    drawn and encoded by ``workers`` (> 0) forked processes, in order. In a worker, ``follow(frame)``
    says which frame comes before the next (None: none does), and ``encode(frame, k)`` gives the bytes
    of ``order[k]``'s frame. Call it before starting threads: the workers are forked here."""
    with Workers(scene, workers, encode=(order, follow, encode)) as pool:
        yield pool.runs(len(order))


def _serve(work, tasks, results, parents_ends, parent: int) -> None:
    """A worker: ``work(task, results)`` for each task, until the pipe closes."""
    for end in parents_ends:  # inherited by the fork: closed, so that the parent's close is seen here
        end.close()
    if not child_started(parent, on_parent_death=signal.SIGKILL):
        return
    try:
        while True:
            try:
                task = TASK.unpack(tasks.recv_bytes())
            except EOFError:
                return
            work(task, results)
    except BaseException as error:  # said in the parent
        with contextlib.suppress(Exception):
            results.send_bytes(FAILED + f"{type(error).__name__}: {error}".encode())


FAILED = b"\xff"  # a worker's message that starts with this byte says why it failed


def _draw_into(scene, slots):
    """Work: draw frame i into slot ``slot``."""
    def work(task, results):
        i, slot = task
        np.copyto(slots[slot], scene.draw(i))
        results.send_bytes(DONE.pack(slot))
    return work


def _encode_runs(scene, order, follow, encode):
    """Work: draw and encode the frames ``order[start:stop]``, after drawing the one before them."""
    def work(task, results):
        start, stop = task
        follow(scene.draw(order[start - 1]) if start > 0 else None)
        for k in range(start, stop):
            results.send_bytes(b"\0" + encode(scene.draw(order[k]), k))
    return work


class Workers(contextlib.AbstractContextManager):
    """The forked drawing processes. With ``encode`` (see :func:`encode_frames`) :meth:`runs`
    yields their encoded frames in order; without, :meth:`frames` yields frames from shared slots."""

    def __init__(self, scene, workers: int, encode: tuple | None = None):
        width, height = scene.size
        self.workers = workers
        self._slots = None
        if encode is None:
            memory = mmap.mmap(-1, workers * SLOTS * height * width * 4)  # shared, and inherited by a fork
            self._slots = np.frombuffer(memory, np.uint8).reshape(workers * SLOTS, height, width, 4)
            work = _draw_into(scene, self._slots)
        else:
            work = _encode_runs(scene, *encode)
        context = multiprocessing.get_context("fork")
        self._tasks, self._results, self._processes = [], [], []
        self._received: list | None = None  # runs(): what each worker sent, not yet taken
        try:
            with signals_blocked():
                self._start(context, workers, work)
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _start(self, context, workers: int, work) -> None:
        for _ in range(workers):
            task_read, task_write = context.Pipe(duplex=False)
            result_read, result_write = context.Pipe(duplex=False)
            parents_ends = [*self._tasks, *self._results, task_write, result_read]
            process = context.Process(target=_serve, daemon=True, name="regviz-anim-draw",
                                      args=(work, task_read, result_write, parents_ends, os.getpid()))
            process.start()
            task_read.close()  # so that each end sees the other's close, or death
            result_write.close()
            self._tasks.append(task_write)
            self._results.append(result_read)
            self._processes.append(process)

    def frames(self, order: list[int]) -> Iterator[np.ndarray]:
        ahead = self.workers * SLOTS

        def ask(k: int) -> None:
            w = k % self.workers
            self._ask(w, order[k], w * SLOTS + (k // self.workers) % SLOTS)

        for k in range(min(ahead, len(order))):
            ask(k)
        for k in range(len(order)):
            w = k % self.workers
            yield self._slots[DONE.unpack(self._answer(w, self._results[w].recv_bytes))[0]]
            if k + ahead < len(order):
                ask(k + ahead)  # into the slot just handed on, now that its taker is done with it

    def runs(self, count: int) -> Iterator[bytes]:
        """The ``count`` encoded frames, in order. Runs of consecutive frames go to the workers in
        turn, ``RUNS_AHEAD`` each at a time; what they send is read as soon as it comes (so that none
        waits on a full pipe) and kept until its turn: at most that many runs a worker."""
        size = min(RUN_FRAMES[1], max(RUN_FRAMES[0], -(-count // (4 * self.workers))))
        runs = [(start, min(count, start + size)) for start in range(0, count, size)]
        received = self._received = [collections.deque() for _ in range(self.workers)]
        ended: set[int] = set()  # workers whose pipe is closed: what they sent before is still taken
        ahead = self.workers * RUNS_AHEAD
        for j in range(min(ahead, len(runs))):
            self._ask(j % self.workers, *runs[j])
        for j, (start, stop) in enumerate(runs):
            w = j % self.workers
            for _ in range(start, stop):
                while not received[w]:
                    if w in ended:
                        raise self._died(w)
                    self._receive(received, ended)
                yield self._answer(w, received[w].popleft)[1:]
            if j + ahead < len(runs):
                self._ask(w, *runs[j + ahead])

    def _receive(self, received: list, ended: set) -> None:
        """Wait for any worker's next message, and keep it; or note that its pipe closed."""
        open_ = [c for w, c in enumerate(self._results) if w not in ended]
        for connection in multiprocessing.connection.wait(open_):
            w = self._results.index(connection)
            try:
                received[w].append(connection.recv_bytes())
            except (EOFError, OSError):
                ended.add(w)

    def _ask(self, w: int, *task: int) -> None:
        try:
            self._tasks[w].send_bytes(TASK.pack(*task))
        except OSError:  # a broken pipe: it ended, having failed (and said why) or died
            raise self._gone(w) from None

    def _gone(self, w: int) -> DrawingError:
        """Why worker ``w`` is gone: the failure it sent (perhaps not taken yet), else how it died."""
        said = list(self._received[w]) if self._received else []
        try:
            while self._results[w].poll():
                said.append(self._results[w].recv_bytes())
        except (EOFError, OSError):
            pass
        failed = next((message for message in said if message[:1] == FAILED), None)
        return self._failed(failed) if failed is not None else self._died(w)

    @staticmethod
    def _failed(message: bytes) -> DrawingError:
        return DrawingError(f"a process drawing frames failed: {message[1:].decode('utf-8', 'replace')}")

    def _answer(self, w: int, take) -> bytes:
        """Worker ``w``'s next message from ``take()``, or the DrawingError it means."""
        try:
            answer = take()
        except (EOFError, OSError):
            raise self._died(w) from None
        if answer[:1] == FAILED:
            raise self._failed(answer)
        return answer

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

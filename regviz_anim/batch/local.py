"""Batch jobs in local processes: one forked process a job, ``--jobs`` at a time."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
from collections import deque
from typing import Any, Callable

from ..children import child_started, signals_blocked
from ..interrupts import checkpoint, keep_stops
from ..outputs.transaction import remove_leftovers
from .jobs import Job, Outcome, render_job, targets


# Each job runs in a process of its own. Ctrl-C reaches every process in the terminal's group:
# workers ignore it and leave it to the parent, which stops each of them with SIGTERM (SIGTERM
# to the parent does the same). A worker turns the first SIGTERM into KeyboardInterrupt, so the
# render removes its temporary files; later ones must not interrupt that clean-up. Whatever a
# signal still orphans, the parent removes once every worker has stopped. If the parent itself
# is killed, Linux sends each worker SIGTERM (PR_SET_PDEATHSIG), so none outlives the command.
# A stop that lands inside a finaliser is kept and raised at the next frame (regviz_anim.interrupts).
_stopping = False


def _stop_worker(signum, frame) -> None:
    global _stopping
    if not _stopping:
        _stopping = True
        raise KeyboardInterrupt


def _worker(job: Job, conn, parent: int) -> None:
    try:
        if child_started(parent, on_parent_death=signal.SIGTERM, on_sigterm=_stop_worker):
            with keep_stops():
                conn.send(render_job(job, progress=lambda done, total: checkpoint()))
    except KeyboardInterrupt:  # SIGTERM: the render has removed what it staged
        pass
    finally:
        conn.close()


def _died(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"worker died (signal {-code}: {signal.Signals(-code).name})"
    return f"worker exited with status {code} before reporting"


def run_in_processes(todo: list[Job], workers: int, report: Callable[[Outcome], None]) -> None:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    queue = deque(todo)
    running: dict[int, tuple[Any, Any, Job]] = {}   # sentinel -> (process, connection, job)
    try:
        while queue or running:
            while queue and len(running) < workers:
                job = queue.popleft()
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(job, send, os.getpid()), daemon=True)
                with signals_blocked():  # the worker lets them in once its own handlers are set
                    process.start()
                send.close()
                running[process.sentinel] = (process, receive, job)
            finished = multiprocessing.connection.wait(list(running), timeout=1.0)
            checkpoint()  # a stop that landed in a finaliser here
            for sentinel in finished:
                process, receive, job = running.pop(sentinel)
                try:
                    outcome = receive.recv() if receive.poll() else None
                except (EOFError, OSError):
                    outcome = None
                receive.close()
                process.join()
                if outcome is None:
                    for target in targets(job):
                        remove_leftovers(target)
                    outcome = Outcome(job, "failed", _died(process))
                report(outcome)
    except BaseException:
        for process, _, _ in running.values():
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
        for process, receive, job in running.values():
            process.join()
            receive.close()
            for target in targets(job):  # no worker runs now: a temporary file still here is an orphan
                remove_leftovers(target)
        raise

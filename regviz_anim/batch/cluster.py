"""Batch jobs on a Dask cluster: the workers render, the command writes.

Each job is sent to a worker, which renders it into a job folder of its own
(:mod:`regviz_anim.scratch`) and answers with what it wrote: each output's files and sizes, and
the sidecar. The command then reads the files from that worker in chunks of at most ``CHUNK``
bytes (small tasks pinned to it) straight into the same output transaction as a local render,
so workers need no shared disk and memory on neither side grows with a job's size. The worker
then removes the folder; one whose worker was killed is removed by the next job on that machine.

Every wait is bounded: the connection to the scheduler (``CONNECT`` seconds, whatever the other
end does), each chunk (``FETCH``), and the scheduler's going away (``LOST``): every job not
finished then is a ``failed`` row, the others' outputs are kept. A job that fails, or whose
worker dies, is a ``failed`` row too; the others go on. Needs the ``[dask]`` extra
(dask.distributed) here and on every worker, with the same regviz-anim.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
import threading
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, OutputError
from ..interrupts import Terminated
from ..numerics import simulate
from ..outputs import scratch
from ..outputs.transaction import TargetBusy, Transaction
from ..renderer import render_simulation
from ..sidecar import seal, sidecar_path, sidecar_record, stage

INSTALL = 'pip install "regviz-anim[dask]"'
CONNECT = 10.0   # seconds to reach the scheduler and be registered
FETCH = 60.0     # seconds for one chunk of a job's outputs
LOST = 10.0      # seconds without the scheduler before the batch gives up on it
POLL = 0.5
CHUNK = 4 << 20  # bytes of outputs in one fetch, at most
ADDRESS = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)"
                     r"(?::(?P<port>\d{1,5}))?")
ALLOWED = "must be tcp://HOST:PORT (or tls://HOST:PORT with Dask's TLS settings), for example tcp://scheduler:8786"


def distributed():
    try:
        import dask.distributed
    except ImportError:
        raise ImportError(f"--scheduler needs dask.distributed: {INSTALL}") from None
    return dask.distributed


def scheduler_address(raw: Any, *, tls_settings: bool = True) -> str:
    """A scheduler's address, checked before anything is sent (ConfigError on ``scheduler``); with
    ``tls_settings``, a tls:// address needs Dask's TLS settings (and dask installed)."""
    match = ADDRESS.fullmatch(raw) if isinstance(raw, str) else None
    if match is None or match["port"] is None or not 1 <= int(match["port"]) <= 65535:
        raise ConfigError("scheduler", raw, ALLOWED)
    scheme = match["scheme"] or "tcp"
    if scheme not in ("tcp", "tls"):
        raise ConfigError("scheduler", raw, f"{scheme}:// is not a scheme this batch speaks; " + ALLOWED)
    if scheme == "tls" and tls_settings:
        import dask.config

        missing = [key for key in ("distributed.comm.tls.ca-file", "distributed.comm.tls.client.cert")
                   if not dask.config.get(key, None)]
        if missing:
            raise ConfigError("scheduler", raw, f"tls:// needs certificates: set {' and '.join(missing)} in "
                              "Dask's configuration (or use tcp://)")
    return f"{scheme}://{match['host']}:{match['port']}"


# --- on a worker ----------------------------------------------------------------------------

def render_remote(job) -> dict[str, Any]:
    """On a worker: render ``job`` into a job folder and say what is there (or the error)."""
    from distributed import get_worker

    start = time.perf_counter()
    folder = scratch.new_folder("job")
    out = folder / job.out.name
    settings = replace(job.settings, poster=folder / "poster.png" if job.settings.poster else None,
                       frames_dir=folder / "frames" if job.settings.frames_dir else None)
    try:
        render_simulation(simulate(job.scenario), settings, out)
        files = {"out": [(out.name, out.stat().st_size)]}
        if settings.poster is not None:
            files["poster"] = [(settings.poster.name, settings.poster.stat().st_size)]
        if settings.frames_dir is not None:
            files["frames_dir"] = [(f"frames/{p.name}", p.stat().st_size)
                                   for p in sorted(settings.frames_dir.iterdir())]
        sidecar = sidecar_path(out).read_bytes()
    except (ConfigError, OutputError) as error:  # sent back as text: it may not unpickle over there
        scratch.release(folder)
        return {"error": str(error)}
    except Exception as error:
        scratch.release(folder)
        return {"error": f"{type(error).__name__}: {error}"}
    return {"folder": str(folder), "worker": get_worker().address, "files": files, "sidecar": sidecar,
            "seconds": time.perf_counter() - start}


def read_parts(folder: str, parts: list[tuple[str, int, int]]) -> list[bytes]:
    """On the worker that rendered it: ``(name, offset, length)`` pieces of a job folder's files."""
    scratch.touch(Path(folder))
    out = []
    for name, offset, length in parts:
        with open(Path(folder) / name, "rb") as f:
            f.seek(offset)
            out.append(f.read(length))
    return out


def drop_folder(folder: str) -> None:
    scratch.release(Path(folder))


def chunks(files: dict[str, list[tuple[str, int]]]) -> list[list[tuple[str, str, int, int]]]:
    """The reads that fetch ``files`` (``{key: [(name, size), ...]}``, by output), each of at most
    ``CHUNK`` bytes: lists of ``(key, name, offset, length)``, in order. Small files share a read."""
    reads, current, size = [], [], 0
    for key, entries in files.items():
        for name, length in entries:
            offset = 0
            while True:
                take = min(CHUNK - size, length - offset)
                current.append((key, name, offset, take))
                size, offset = size + take, offset + take
                if size >= CHUNK:
                    reads.append(current)
                    current, size = [], 0
                if offset >= length:
                    break
    if current:
        reads.append(current)
    return reads


# --- here -----------------------------------------------------------------------------------

class SchedulerLost(Exception):
    """The connection to the scheduler is gone and did not come back."""


class _Batch:
    """The jobs of one batch on one client, each a coroutine; outcomes reported as they come."""

    def __init__(self, dd, client, scheduler: str, report: Callable, outcome: Callable):
        self.dd, self.client, self.scheduler = dd, client, scheduler
        self.report, self.outcome = report, outcome
        self.futures: set = set()

    def gone(self) -> str:
        return f"not finished: the Dask scheduler at {self.scheduler} went away"

    async def job(self, job):
        """One job, start to end: its outcome (never raises but for cancellation)."""
        try:
            answer = await self._run(render_remote, job, key=f"regviz-anim-{job.number}-{time.time_ns()}")
        except self.dd.KilledWorker as error:
            return self.outcome(job, "failed", f"worker died ({type(error).__name__})")
        except SchedulerLost:
            return self.outcome(job, "failed", self.gone())
        except Exception as error:
            return self.outcome(job, "failed", f"{type(error).__name__}: {error}")
        if "error" in answer:
            return self.outcome(job, "failed", answer["error"])
        try:
            await self._write(job, answer)
        except SchedulerLost:
            return self.outcome(job, "failed", self.gone())
        except (asyncio.TimeoutError, TimeoutError):
            return self.outcome(job, "failed", f"its outputs did not come from {answer['worker']} within "
                                f"{FETCH:g} s (the worker died?); the earlier files are kept")
        except TargetBusy as busy:
            return self.outcome(job, "failed", f"{busy}; the earlier files are kept")
        except (OSError, OutputError) as error:
            return self.outcome(job, "failed", f"writing {job.out} failed: {error}; the earlier files are kept")
        except Exception as error:
            return self.outcome(job, "failed", f"fetching the outputs failed: {type(error).__name__}: {error}")
        finally:
            await self._forget(answer)
        return self.outcome(job, "rendered", f"{answer['seconds']:.1f} s on a worker")

    async def _run(self, function, *args, timeout: float | None = None, **options):
        """``function(*args)`` on the cluster; its result. SchedulerLost if the scheduler goes away."""
        if self.client.status != "running":
            raise SchedulerLost
        future = self.client.submit(function, *args, pure=False, **options)
        self.futures.add(future)
        try:
            return await asyncio.wait_for(future.result(), timeout)
        except self.dd.CancelledError:
            if self.client.status != "running":
                raise SchedulerLost from None
            raise
        except self.dd.comm.CommClosedError:  # the client's own connection closed under it (an OSError
            raise SchedulerLost from None      # too, which the caller would take for a disk's fault)
        finally:
            self.futures.discard(future)
            future.release()

    async def _write(self, job, answer: dict) -> None:
        """Fetch the job's files chunk by chunk into its output transaction, and commit it."""
        where = {"workers": [answer["worker"]], "allow_other_workers": False}
        with Transaction() as tx:
            staged = stage(tx, job.out, job.settings)
            paths = {"out": lambda name: staged["out"], "poster": lambda name: staged["poster"],
                     "frames_dir": lambda name: staged["frames_dir"] / Path(name).name}
            for read in chunks(answer["files"]):
                parts = await self._run(read_parts, answer["folder"], [(n, o, size) for _, n, o, size in read],
                                        timeout=FETCH, **where)
                for (key, name, offset, _), data in zip(read, parts):
                    with open(paths[key](name), "r+b" if offset else "wb") as f:
                        f.seek(offset)
                        f.write(data)
            record = {**json.loads(answer["sidecar"]), **sidecar_record(job.scenario, job.settings, job.out)}
            seal(tx, staged, record, job.out, job.settings)

    async def _forget(self, answer: dict) -> None:
        """Ask the worker to remove the job's folder; not waited for long (the next job's sweep
        removes it if the worker died)."""
        if "folder" not in answer or self.client.status != "running":
            return
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await self._run(drop_folder, answer["folder"], timeout=5.0, workers=[answer["worker"]],
                            allow_other_workers=False)

    async def cancel(self) -> None:
        if self.futures and self.client.status == "running":
            with contextlib.suppress(Exception, asyncio.TimeoutError):
                await asyncio.wait_for(self.client.cancel(list(self.futures)), 5.0)


async def _batch(dd, todo: list, scheduler: str, report: Callable, outcome: Callable) -> None:
    client = dd.Client(scheduler, asynchronous=True, timeout=f"{CONNECT}s", set_as_default=False)
    batch = _Batch(dd, client, scheduler, report, outcome)
    running: dict = {}  # asyncio task -> job
    queue = deque(todo)
    try:
        try:
            await asyncio.wait_for(client, CONNECT)  # bounded, whatever the other end answers (or not)
            slots = max(1, sum((await asyncio.wait_for(client.nthreads(), CONNECT)).values()))
        except (Exception, asyncio.TimeoutError) as error:
            why = f"no answer within {CONNECT:g} s" if isinstance(error, (asyncio.TimeoutError, TimeoutError)) \
                else str(error) or type(error).__name__
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {why}") from None
        # One job per worker thread in flight, the next sent as one finishes: a worker that dies
        # takes only the job it was running with it, not others queued on it.
        away_since = None
        while queue or running:
            while queue and len(running) < slots and away_since is None:
                job = queue.popleft()
                running[asyncio.ensure_future(batch.job(job))] = job
            if not running:  # the scheduler is away: wait to see whether it comes back
                await asyncio.sleep(POLL)
            done, _ = (await asyncio.wait(running, timeout=POLL, return_when=asyncio.FIRST_COMPLETED)
                       if running else (set(), set()))
            for task in done:
                running.pop(task)
                report(task.result())
            if client.status == "running":
                away_since = None
            elif away_since is None:
                away_since = time.monotonic()
            elif time.monotonic() - away_since > LOST:
                break
        for task in running:
            task.cancel()
        for job in [*running.values(), *queue]:
            report(outcome(job, "failed", batch.gone()))
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await batch.cancel()
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(client.close(), 5.0)


async def _stoppable(work) -> None:
    """Run ``work``; Ctrl-C or SIGTERM cancels it cleanly (the client closed, nothing half-written)
    and is then raised here as KeyboardInterrupt or Terminated."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    stop: list[type[BaseException]] = []
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum, kind in ((signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)):
            previous[signum] = signal.getsignal(signum)
            loop.add_signal_handler(signum, lambda kind=kind: (stop.append(kind), task.cancel()))
    try:
        await work
    except asyncio.CancelledError:
        if stop:
            raise stop[0]() from None
        raise
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, handler)  # asyncio would leave the default behind


def run_on_dask(todo: list, scheduler: str, report: Callable, outcome: Callable) -> None:
    """Send every job of ``todo`` to the cluster at ``scheduler``; ``report`` each outcome as it comes.
    ConnectionError if the scheduler cannot be reached."""
    dd = distributed()
    silenced = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # dask logs tracebacks for what the rows say in a line
    try:
        asyncio.run(_stoppable(_batch(dd, todo, scheduler, report, outcome)))
    finally:
        logging.disable(silenced)

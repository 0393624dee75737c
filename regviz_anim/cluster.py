"""Batch jobs on a Dask cluster: the workers render, the command writes.

Each job is sent to a worker, which renders it into a temporary folder of its own and sends back
the bytes of every output (animation, poster, frames, sidecar). The command writes them with the
same output transaction as a local render, so workers need no shared disk. A job that fails, or
whose worker dies, comes back as a ``failed`` row; the others go on. Needs the ``[dask]`` extra
(dask.distributed) here and on every worker, with the same regviz-anim.
"""
from __future__ import annotations

import json
import tempfile
from collections import deque
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

INSTALL = 'pip install "regviz-anim[dask]"'


def distributed():
    try:
        import dask.distributed
    except ImportError:
        raise ImportError(f"--scheduler needs dask.distributed: {INSTALL}") from None
    return dask.distributed


def render_remote(job) -> dict[str, Any]:
    """On a worker: render ``job`` in a temporary folder and return its outputs' bytes (or the error)."""
    from .config import ConfigError
    from .descent import simulate
    from .renderer import render_simulation, sidecar_path
    from .transaction import OutputError

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="regviz-anim-job-") as folder:
        folder = Path(folder)
        out = folder / job.out.name
        settings = replace(job.settings, poster=folder / "poster.png" if job.settings.poster else None,
                           frames_dir=folder / "frames" if job.settings.frames_dir else None)
        try:
            render_simulation(simulate(job.scenario), settings, out)
        except (ConfigError, OutputError) as error:  # sent back as text: it may not unpickle over there
            return {"error": str(error)}
        except Exception as error:
            return {"error": f"{type(error).__name__}: {error}"}
        payload = {"out": out.read_bytes(), "sidecar": sidecar_path(out).read_bytes(),
                   "seconds": time.perf_counter() - start}
        if settings.poster is not None:
            payload["poster"] = settings.poster.read_bytes()
        if settings.frames_dir is not None:
            payload["frames"] = [(p.name, p.read_bytes()) for p in sorted(settings.frames_dir.iterdir())]
        return payload


def write_payload(job, payload: dict[str, Any]) -> None:
    """Write a worker's outputs for ``job`` through one transaction, as a local render does, with the
    sidecar's paths and parameters made this machine's."""
    from .renderer import seal, sidecar_record, stage
    from .transaction import Transaction

    with Transaction() as tx:
        staged = stage(tx, job.out, job.settings)
        staged["out"].write_bytes(payload["out"])
        if "poster" in staged:
            staged["poster"].write_bytes(payload["poster"])
        if "frames_dir" in staged:
            for name, data in payload["frames"]:
                (staged["frames_dir"] / name).write_bytes(data)
        record = {**json.loads(payload["sidecar"]), **sidecar_record(job.scenario, job.settings, job.out)}
        seal(tx, staged, record, job.out, job.settings)


def run_on_dask(todo: list, scheduler: str, report: Callable, outcome: Callable) -> None:
    """Send every job of ``todo`` to the cluster at ``scheduler``; ``report`` each outcome as it comes."""
    dd = distributed()
    from .transaction import OutputError

    try:
        client = dd.Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    futures: dict = {}
    queue = deque(todo)
    finished = dd.as_completed([], loop=client.loop)

    def submit_next() -> None:
        job = queue.popleft()
        future = client.submit(render_remote, job, pure=False, key=f"regviz-anim-{job.number}-{time.time_ns()}")
        futures[future] = job
        finished.add(future)

    try:
        # One job per worker thread in flight, the next sent as one finishes: a worker that dies
        # takes only the job it was running with it, not others queued on it.
        for _ in range(min(len(queue), max(1, sum(client.nthreads().values())))):
            submit_next()
        for future in finished:
            job = futures[future]
            if queue:
                submit_next()
            try:
                payload = future.result()
            except dd.KilledWorker as error:
                report(outcome(job, "failed", f"worker died ({type(error).__name__})"))
                continue
            except Exception as error:
                report(outcome(job, "failed", f"{type(error).__name__}: {error}"))
                continue
            if "error" in payload:
                report(outcome(job, "failed", payload["error"]))
                continue
            try:
                write_payload(job, payload)
            except (OSError, OutputError) as error:
                report(outcome(job, "failed", f"writing {job.out} failed: {error}; the earlier files are kept"))
                continue
            report(outcome(job, "rendered", f"{payload['seconds']:.1f} s on a worker"))
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        client.close()

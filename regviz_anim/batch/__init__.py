"""Many renders from one TOML manifest (:mod:`.manifest`): skip what is up to date, run the rest in
local processes (:mod:`.local`) or on a Dask cluster (:mod:`.cluster`), and gather a deck
(:mod:`.deck`). Used by the ``batch`` command."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .jobs import Job, Outcome, up_to_date
from .local import run_in_processes
from .manifest import Jobs, ManifestError, load_manifest

__all__ = ["run_batch", "summary", "load_manifest", "ManifestError", "Job", "Jobs", "Outcome"]


def run_batch(jobs: list[Job], *, workers: int, force: bool = False, dry_run: bool = False,
              progress: Callable[[int, int], None] | None = None, scheduler: str | None = None) -> list[Outcome]:
    """Render every job that is not up to date, ``workers`` at a time here, or on the Dask cluster
    at ``scheduler``; outcomes in job order."""
    outcomes: dict[int, Outcome] = {}
    todo = []
    for job in jobs:
        if not force and up_to_date(job):
            outcomes[job.number] = Outcome(job, "skipped", "up to date")
        elif dry_run:
            outcomes[job.number] = Outcome(job, "would render")
        else:
            todo.append(job)
    total = len(jobs)

    def report(outcome: Outcome) -> None:
        outcomes[outcome.job.number] = outcome
        if progress is not None:
            progress(len(outcomes), total)

    if progress is not None:
        progress(len(outcomes), total)
    if todo and scheduler is not None:
        from .cluster import run_on_dask  # it imports dask.distributed only when it runs

        run_on_dask(todo, scheduler, report, Outcome)
    elif todo:
        if workers > 1:  # jobs side by side already keep the cores busy: each draws its own frames
            todo = [job if job.settings.workers is not None else replace(job, settings=replace(job.settings, workers=0))
                    for job in todo]
        run_in_processes(todo, workers, report)
    return [outcomes[job.number] for job in jobs]


def summary(outcomes: list[Outcome]) -> str:
    """A table of every job's outcome and a closing count."""
    width = max(len(str(o.job.out)) for o in outcomes)
    lines = [f"{'status':<14}{'output':<{width + 2}}note"]
    lines += [f"{o.status:<14}{str(o.job.out):<{width + 2}}{o.note}".rstrip() for o in outcomes]
    counts = {status: sum(o.status == status for o in outcomes)
              for status in ("rendered", "would render", "skipped", "failed")}
    lines.append(f"{len(outcomes)} jobs: " + ", ".join(f"{n} {status}" for status, n in counts.items() if n))
    return "\n".join(lines)

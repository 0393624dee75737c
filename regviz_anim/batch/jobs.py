"""A batch job and its outcome, and how one job is rendered: shared by the local runner and the
Dask runner."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import ConfigError, OutputError
from ..numerics import simulate
from ..options import RenderSettings, Scenario
from ..renderer import drawn_for, render_simulation
from ..sidecar import fingerprint, output_files, sidecar_path, sidecar_record
from ..targets import render_targets


@dataclass(frozen=True)
class Job:
    number: int            # 1-based, in expansion order
    out: Path
    scenario: Scenario
    settings: RenderSettings


@dataclass(frozen=True)
class Outcome:
    job: Job
    status: str            # "rendered", "skipped", "failed", or with --dry-run "would render"
    note: str = ""


def up_to_date(job: Job) -> bool:
    """Every output is on disk as the sidecar recorded it (size and SHA-256), and the sidecar
    records the same parameters and package version as this job would."""
    sidecar = sidecar_path(job.out)
    try:
        recorded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = sidecar_record(job.scenario, drawn_for(job.out, job.settings), job.out)
    if not isinstance(recorded, dict) or any(recorded.get(key) != value for key, value in expected.items()):
        return False
    wanted = output_files(job.out, job.settings)
    outputs = recorded.get("outputs")
    if not isinstance(outputs, dict) or set(outputs) != set(wanted):
        return False
    try:
        return all(outputs[key] == {"path": str(path), **fingerprint(path)} for key, path in wanted.items())
    except OSError:
        return False


def render_job(job: Job, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Simulate and render one job; any failure is its outcome, not an exception (Ctrl-C aside)."""
    start = time.perf_counter()
    try:
        render_simulation(simulate(job.scenario), job.settings, job.out, progress=progress)
    except (ConfigError, OutputError) as error:
        return Outcome(job, "failed", str(error))
    except Exception as error:  # one job's failure is reported, and the others go on
        return Outcome(job, "failed", f"{type(error).__name__}: {error}")
    return Outcome(job, "rendered", f"{time.perf_counter() - start:.1f} s")


def targets(job: Job) -> list[Path]:
    """Every path a job writes."""
    return [path for _, path in render_targets(job.out, job.settings)]

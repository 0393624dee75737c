"""Many renders from one TOML manifest: expand, validate, skip what is up to date, run in parallel.

A manifest has a ``[defaults]`` table and ``[[job]]`` tables whose keys are the command line's
option names (``l1_update`` or ``l1-update``), plus ``out`` (a template such as
``"outputs/{reg}-lam{lam}.gif"``) and ``preset``. A list value expands to one job per value;
several lists give every combination (``preset`` too). A job's own keys override its preset
(its own or the one in ``[defaults]``), which overrides ``[defaults]``.
"""
from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import signal
import time
import tomllib
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from .atomic import remove_leftovers
from .config import OPTIONS, ConfigError, RenderSettings, Scenario, check_render_target, render_config
from .presets import preset_options

KEYS = set(OPTIONS) | {"out", "preset"}


class ManifestError(Exception):
    """A manifest that cannot be read, does not parse, or has a bad key or value."""


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


def _normalise(table: dict[str, Any], where: str, path: Path) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in KEYS:
            raise ManifestError(f"{path}: {where}: unknown key '{key}'; use one of {', '.join(sorted(KEYS))}")
        out[name] = value
    return out


def _template_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(_template_value, value))
    return str(value)


def _expand(defaults: dict, table: dict, source: int, path: Path) -> list[dict[str, Any]]:
    """The job table as one dict of raw values per combination of its list values."""
    where = f"job {source}"
    merged = {**defaults, **table}
    if "out" not in merged:
        raise ManifestError(f"{path}: {where}: no 'out'; give a file name or a template such as "
                            "\"outputs/{reg}-lam{lam}.gif\"")
    varying = [k for k, v in merged.items() if isinstance(v, list)]
    for key in varying:
        if not merged[key]:
            raise ManifestError(f"{path}: {where}: {key} is an empty list")
    combos = []
    for values in itertools.product(*(merged[k] for k in varying)):
        combo = {**merged, **dict(zip(varying, values))}
        if "preset" in combo:  # [defaults] < the preset < the job's own keys
            own = {k: combo[k] for k in table if k != "preset"}
            combo = {**combo, **preset_options(combo["preset"]), **own}
        combos.append(combo)
    return combos


def load_manifest(path: str | Path) -> list[Job]:
    """Every job of the manifest, validated; raises ManifestError naming the file, job and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error.strerror or error}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: not valid TOML: {error}") from None
    extra = set(doc) - {"defaults", "job"}
    if extra:
        raise ManifestError(f"{path}: unknown table '{sorted(extra)[0]}'; a manifest has [defaults] and [[job]]")
    defaults = doc.get("defaults", {})
    tables = doc.get("job", [])
    if not isinstance(defaults, dict) or not isinstance(tables, list) or not tables:
        raise ManifestError(f"{path}: needs at least one [[job]] table (and optionally one [defaults] table)")
    defaults = _normalise(defaults, "[defaults]", path)
    unset = {k: _template_value(v) for k, v in {**asdict(Scenario()), **asdict(RenderSettings())}.items()}
    jobs: list[Job] = []
    seen: dict[Path, int] = {}
    for source, table in enumerate(tables, 1):
        try:
            combos = _expand(defaults, _normalise(table, f"job {source}", path), source, path)
        except ConfigError as error:
            raise ManifestError(f"{path}: job {source}: {error.option} = {error.value!r}: {error.allowed}") from None
        for raw in combos:
            number = len(jobs) + 1
            where = f"job {source}" + (f" (combination {number})" if len(combos) > 1 else "")
            template = raw.pop("out")
            preset = raw.pop("preset", "custom")
            shown = {**unset, **{k: _template_value(v) for k, v in raw.items()}, "job": number, "preset": preset}
            try:
                out = Path(str(template).format(**shown))
            except (KeyError, IndexError, ValueError) as error:
                raise ManifestError(f"{path}: {where}: out = {template!r}: cannot fill the template ({error}); "
                                    "use option names in braces, such as {lam}") from None
            try:
                scenario, settings = render_config(raw)
                check_render_target(out, settings, folders_must_exist=False)
            except ConfigError as error:
                raise ManifestError(f"{path}: {where}: {error.option} = {error.value!r}: {error.allowed}") from None
            key = Path(os.path.abspath(out))
            if key in seen:
                raise ManifestError(f"{path}: jobs {seen[key]} and {number} both write {out}; "
                                    "give each job its own out (a template with {lam}, say)")
            seen[key] = number
            jobs.append(Job(number=number, out=out, scenario=scenario, settings=settings))
    return jobs


def up_to_date(job: Job) -> bool:
    """The output exists and its sidecar records the same parameters and package version."""
    from .renderer import sidecar_path, sidecar_record

    sidecar = sidecar_path(job.out)
    if not job.out.is_file() or not sidecar.is_file():
        return False
    if job.settings.poster is not None and not job.settings.poster.is_file():
        return False
    if job.settings.frames_dir is not None and not job.settings.frames_dir.is_dir():
        return False
    try:
        recorded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = sidecar_record(job.scenario, job.settings, job.out)
    return all(recorded.get(key) == value for key, value in expected.items())


def render_job(job: Job) -> Outcome:
    """Simulate and render one job; any failure is its outcome, not an exception (Ctrl-C aside)."""
    from .descent import simulate
    from .renderer import render_simulation

    start = time.perf_counter()
    try:
        job.out.parent.mkdir(parents=True, exist_ok=True)
        if job.settings.poster is not None:
            job.settings.poster.parent.mkdir(parents=True, exist_ok=True)
        if job.settings.frames_dir is not None:
            job.settings.frames_dir.parent.mkdir(parents=True, exist_ok=True)
        render_simulation(simulate(job.scenario), job.settings, job.out)
    except ConfigError as error:
        return Outcome(job, "failed", str(error))
    except Exception as error:  # one job's failure is reported, and the others go on
        return Outcome(job, "failed", f"{type(error).__name__}: {error}")
    return Outcome(job, "rendered", f"{time.perf_counter() - start:.1f} s")


# Ctrl-C reaches every process in the terminal's group. Workers ignore it and leave it to the
# parent, which stops each of them with SIGTERM: a worker busy with a job turns the first one
# into KeyboardInterrupt, so the render removes its temporary files; an idle one just exits.
# Any later SIGTERM (the executor sends its own when a worker exits) must not interrupt that
# clean-up, so the handler acts once. Whatever a signal still orphans, the parent removes.
_busy = False
_stopping = False


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)


def _stop_worker(signum, frame) -> None:
    global _stopping
    if _stopping:
        return
    _stopping = True
    if _busy:
        raise KeyboardInterrupt
    os._exit(1)


def _render_in_worker(job: Job) -> Outcome:
    global _busy
    _busy = True
    try:
        return render_job(job)
    finally:
        _busy = False


def _targets(job: Job) -> list[Path]:
    """Every path a job writes."""
    from .renderer import sidecar_path

    extras = [p for p in (job.settings.poster, job.settings.frames_dir) if p is not None]
    return [job.out, sidecar_path(job.out), *extras]


def run_batch(jobs: list[Job], *, workers: int, force: bool = False, dry_run: bool = False,
              progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Render every job that is not up to date, ``workers`` at a time; outcomes in job order."""
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
    if progress is not None:
        progress(len(outcomes), total)
    if todo and workers <= 1:
        for job in todo:
            outcomes[job.number] = render_job(job)
            if progress is not None:
                progress(len(outcomes), total)
    elif todo:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = ProcessPoolExecutor(min(workers, len(todo)), mp_context=context, initializer=_start_worker)
        try:
            pending = {pool.submit(_render_in_worker, job) for job in todo}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    outcomes[outcome.job.number] = outcome
                if progress is not None:
                    progress(len(outcomes), total)
        except BaseException:
            # Ctrl-C (or anything else): stop every worker, wait for their clean-up, go on.
            for process in list((pool._processes or {}).values()):  # the executor offers no public handle
                if process.is_alive():
                    os.kill(process.pid, signal.SIGTERM)
            pool.shutdown(wait=True, cancel_futures=True)
            for job in todo:  # no worker runs now: a temporary file still here is an orphan
                for target in _targets(job):
                    remove_leftovers(target)
            raise
        pool.shutdown(wait=True)
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

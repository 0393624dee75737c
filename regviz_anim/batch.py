"""Many renders from one TOML manifest: expand, validate, skip what is up to date, run in parallel.

A manifest has a ``[defaults]`` table and ``[[job]]`` tables whose keys are the command line's
option names (``l1_update`` or ``l1-update``), plus ``out`` and ``preset``. ``out``, ``poster``
and ``frames_dir`` are templates (``"outputs/{reg}-lam{lam}.gif"``). A list value expands to one
job per value; several lists give every combination (``preset`` too). A job's own keys override
its preset (its own or the one in ``[defaults]``), which overrides ``[defaults]``.

Each job renders in a process of its own, so a worker that dies fails only its job.
"""
from __future__ import annotations

import importlib.util
import itertools
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import string
import time
import tomllib
from collections import deque
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .config import (OPTIONS, ConfigError, RenderSettings, Scenario, check_render_target, first_collision,
                     render_config, render_targets)
from .children import child_started, signals_blocked
from .interrupts import checkpoint, keep_stops
from .presets import preset_options
from .transaction import OutputError, remove_leftovers

KEYS = set(OPTIONS) | {"out", "preset"}
TEMPLATES = ("out", "poster", "frames_dir")   # output keys, filled from the job's options
MAX_JOBS = 10_000


class ManifestError(Exception):
    """A manifest that cannot be read, does not parse, or has a bad key or value."""


class Jobs(list):
    """The manifest's jobs in order, the deck (``deck`` in ``[defaults]``) they gather into, and the
    Dask scheduler (``scheduler`` in ``[defaults]``) they run on."""

    deck: Path | None = None
    scheduler: str | None = None


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


def _merged(defaults: dict, table: dict, source: int, path: Path) -> tuple[dict[str, Any], int]:
    """The job table over the defaults, and how many jobs it expands to (counted, not built)."""
    where = f"job {source}"
    merged = {**defaults, **table}
    if "out" not in merged:
        raise ManifestError(f"{path}: {where}: no 'out'; give a file name or a template such as "
                            "\"outputs/{reg}-lam{lam}.gif\"")
    for key, value in merged.items():
        if isinstance(value, list) and not value:
            raise ManifestError(f"{path}: {where}: {key} is an empty list")
    return merged, math.prod(len(v) for v in merged.values() if isinstance(v, list))


def _expand(merged: dict, table: dict) -> list[dict[str, Any]]:
    """The job as one dict of raw values per combination of its list values."""
    varying = [k for k, v in merged.items() if isinstance(v, list)]
    combos = []
    for values in itertools.product(*(merged[k] for k in varying)):
        combo = {**merged, **dict(zip(varying, values))}
        if "preset" in combo:  # [defaults] < the preset < the job's own keys
            own = {k: combo[k] for k in table if k != "preset"}
            combo = {**combo, **preset_options(combo["preset"]), **own}
        combos.append(combo)
    return combos


def _fill(template: Any, values: dict[str, str]) -> Path:
    """``template`` with each ``{name}`` replaced; only plain option names are allowed in braces."""
    if not isinstance(template, str) or not template:
        raise ValueError("must be a file path (a string)")
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"is not a template: {error}") from None
    for _, name, spec, conversion in fields:
        if name is not None and (name not in values or spec or conversion):
            raise ValueError(f"cannot fill the template at {{{name}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}}; use option names in braces, such as {{lam}}")
    return Path(template.format(**values))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the manifest: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError as error:
        raise ManifestError(f"{path}: not UTF-8 text: byte {error.start} is 0x{raw[error.start]:02x}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ManifestError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def load_manifest(path: str | Path) -> Jobs:
    """Every job of the manifest, validated; raises ManifestError naming the file, job and key."""
    path = Path(path)
    doc = _read_toml(path)
    extra = set(doc) - {"defaults", "job"}
    if extra:
        raise ManifestError(f"{path}: unknown table '{sorted(extra)[0]}'; a manifest has [defaults] and [[job]]")
    defaults = doc.get("defaults", {})
    tables = doc.get("job", [])
    if (not isinstance(defaults, dict) or not isinstance(tables, list) or not tables
            or not all(isinstance(t, dict) for t in tables)):
        raise ManifestError(f"{path}: needs [[job]] tables (at least one) and optionally one [defaults] table")
    deck = defaults.pop("deck", None)
    scheduler = defaults.pop("scheduler", None)
    for source, table in enumerate(tables, 1):
        for key in ("deck", "scheduler"):
            if key in table:
                raise ManifestError(f"{path}: job {source}: {key} belongs in [defaults]: it is one for every job")
    if scheduler is not None:
        from .cluster import scheduler_address

        try:
            scheduler = scheduler_address(scheduler, tls_settings=False)
        except ConfigError as error:
            raise ManifestError(f"{path}: [defaults]: scheduler = {scheduler!r}: {error.allowed}") from None
    defaults = _normalise(defaults, "[defaults]", path)
    merged, total = [], 0
    for source, table in enumerate(tables, 1):
        table = _normalise(table, f"job {source}", path)
        combo, count = _merged(defaults, table, source, path)
        merged.append((source, table, combo))
        total += count
        if total > MAX_JOBS:
            raise ManifestError(f"{path}: expands to more than {MAX_JOBS} jobs (by job {source}); "
                                "split it into several manifests")
    unset = {k: _template_value(v) for k, v in {**asdict(Scenario()), **asdict(RenderSettings())}.items()}
    jobs = Jobs()
    for source, table, combo in merged:
        try:
            combos = _expand(combo, table)
        except ConfigError as error:
            raise ManifestError(f"{path}: job {source}: {error.option} = {error.value!r}: {error.allowed}") from None
        for raw in combos:
            number = len(jobs) + 1
            where = f"job {source}" + (f" (combination {number})" if len(combos) > 1 else "")
            preset = raw.pop("preset", "custom")
            shown = {**unset, **{k: _template_value(v) for k, v in raw.items() if k not in TEMPLATES},
                     "job": str(number), "preset": str(preset)}
            for key in TEMPLATES:
                if raw.get(key) is not None:
                    try:
                        raw[key] = _fill(raw[key], shown)
                    except ValueError as error:
                        raise ManifestError(f"{path}: {where}: {key} = {raw[key]!r}: {error}") from None
            out = raw.pop("out")
            try:
                scenario, settings = render_config(raw)
                check_render_target(out, settings)
            except ConfigError as error:
                raise ManifestError(f"{path}: {where}: {error.option} = {error.value!r}: {error.allowed}") from None
            jobs.append(Job(number=number, out=out, scenario=scenario, settings=settings))
    if deck is not None:
        jobs.deck = _deck_path(deck, jobs, path)
    jobs.scheduler = scheduler
    outputs = [((job.number, target), target, option == "frames_dir")
               for job in jobs for option, target in render_targets(job.out, job.settings)]
    if jobs.deck is not None:
        outputs.append((("deck", jobs.deck), jobs.deck, False))
        outputs.append((("deck", jobs.deck), jobs.deck.with_name(jobs.deck.name + ".json"), False))
    clash = first_collision(outputs)
    if clash and "deck" in (clash[0][0], clash[1][0]):
        raise ManifestError(f"{path}: deck = {str(jobs.deck)!r}: is also a job's output")
    if clash:
        (first, first_path), (second, second_path) = clash
        same = "both write" if first != second else "writes"
        jobs_named = f"jobs {first} and {second}" if first != second else f"job {first}"
        raise ManifestError(f"{path}: {jobs_named} {same} {second_path} (the same file as {first_path}, "
                            "or inside a frames folder); give each job its own outputs (a template with "
                            "{lam}, say)")
    return jobs


def _deck_path(raw: Any, jobs: list[Job], path: Path) -> Path:
    """The deck's path, checked: a .pptx, python-pptx installed, and every job writing an MP4."""
    from .config import check_output

    if not isinstance(raw, str) or not raw:
        raise ManifestError(f"{path}: [defaults]: deck = {raw!r}: must be a .pptx path")
    deck = Path(raw)
    try:
        check_output("deck", deck, (".pptx",), extra_name=".json")
    except ConfigError as error:
        raise ManifestError(f"{path}: [defaults]: deck = {raw!r}: {error.allowed}") from None
    if importlib.util.find_spec("pptx") is None:
        raise ManifestError(f'{path}: [defaults]: deck = {raw!r}: a deck needs python-pptx: '
                            'pip install "regviz-anim[pptx]"')
    for job in jobs:
        if job.out.suffix.lower() != ".mp4":
            raise ManifestError(f"{path}: job {job.number}: out = {str(job.out)!r}: a deck shows each job's video; "
                                "write .mp4 (a GIF does not play reliably in slides)")
    return deck


def deck_record(jobs: Jobs) -> dict:
    """What the deck is made of: the jobs in order, each by its output and the bytes of its sidecar
    (which fingerprints its outputs and records its parameters). A deck whose sidecar records this
    and whose bytes are those it records is up to date."""
    from . import __version__
    from .renderer import fingerprint, sidecar_path

    return {"regviz_anim": __version__, "deck": jobs.deck.name,
            "slides": [{"out": str(job.out), "sidecar": fingerprint(sidecar_path(job.out))["sha256"]}
                       for job in jobs]}


def deck_up_to_date(jobs: Jobs, record: dict) -> bool:
    from .renderer import fingerprint, sidecar_path

    try:
        recorded = json.loads(sidecar_path(jobs.deck).read_text(encoding="utf-8"))
        return (isinstance(recorded, dict) and {k: recorded.get(k) for k in record} == record
                and recorded.get("outputs") == {"deck": {"path": str(jobs.deck), **fingerprint(jobs.deck)}})
    except (OSError, ValueError):
        return False


def write_batch_deck(jobs: Jobs, outcomes: list[Outcome]) -> str:
    """Gather the jobs' videos into ``jobs.deck``, one slide per job in manifest order, with a
    sidecar ``DECK.json`` like every other output's; a line to print."""
    import imageio_ffmpeg
    from PIL import Image

    from .deck import Slide, SlideText, notes_text, write_deck
    from .export import strict_json
    from .renderer import fingerprint, sidecar_path
    from .transaction import Transaction

    if any(o.status == "failed" for o in outcomes):
        return f"deck {jobs.deck} not written: a job failed; the earlier deck is kept"
    record = deck_record(jobs)
    if deck_up_to_date(jobs, record):
        return f"deck {jobs.deck} up to date"
    with Transaction() as tx:
        tx.prepare([jobs.deck, sidecar_path(jobs.deck)])
        folder = tx.scratch(jobs.deck)
        slides = []
        for job in jobs:
            recorded = json.loads(sidecar_path(job.out).read_text(encoding="utf-8"))
            poster = job.settings.poster
            if poster is None:  # the video's last frame
                reader = imageio_ffmpeg.read_frames(str(job.out))
                meta = next(reader)
                last = None
                for last in reader:
                    pass
                width, height = meta["size"]
                poster = folder / f"poster-{job.number}.png"
                Image.frombytes("RGB", (width, height), last).save(poster)
            notes = notes_text({**recorded["scenario"], "fps": recorded["render"]["fps"],
                                "size": "x".join(map(str, recorded["render"]["size"]))})
            seconds = imageio_ffmpeg.count_frames_and_secs(str(job.out))[1]
            slides.append(Slide(SlideText(recorded.get("title", ""), recorded.get("caption", ""), notes), job.out,
                                poster, tuple(recorded["render"]["size"]), seconds))
        staged = tx.file(jobs.deck)
        write_deck(staged, slides)
        record["outputs"] = {"deck": {"path": str(jobs.deck), **fingerprint(staged)}}
        tx.file(sidecar_path(jobs.deck)).write_text(strict_json(record), encoding="utf-8")
        tx.commit()
    return f"wrote deck {jobs.deck} ({len(slides)} slides)"


def up_to_date(job: Job) -> bool:
    """Every output is on disk as the sidecar recorded it (size and SHA-256), and the sidecar
    records the same parameters and package version as this job would."""
    from .renderer import fingerprint, output_files, sidecar_path, sidecar_record

    sidecar = sidecar_path(job.out)
    try:
        recorded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = sidecar_record(job.scenario, job.settings, job.out)
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
    from .descent import simulate
    from .renderer import render_simulation

    start = time.perf_counter()
    try:
        render_simulation(simulate(job.scenario), job.settings, job.out, progress=progress)
    except (ConfigError, OutputError) as error:
        return Outcome(job, "failed", str(error))
    except Exception as error:  # one job's failure is reported, and the others go on
        return Outcome(job, "failed", f"{type(error).__name__}: {error}")
    return Outcome(job, "rendered", f"{time.perf_counter() - start:.1f} s")


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


def _run_in_processes(todo: list[Job], workers: int, report: Callable[[Outcome], None]) -> None:
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
                    for target in _targets(job):
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
            for target in _targets(job):  # no worker runs now: a temporary file still here is an orphan
                remove_leftovers(target)
        raise


def _targets(job: Job) -> list[Path]:
    """Every path a job writes."""
    return [path for _, path in render_targets(job.out, job.settings)]


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
        from .cluster import run_on_dask

        run_on_dask(todo, scheduler, report, Outcome)
    elif todo:
        if workers > 1:  # jobs side by side already keep the cores busy: each draws its own frames
            todo = [job if job.settings.workers is not None else replace(job, settings=replace(job.settings, workers=0))
                    for job in todo]
        _run_in_processes(todo, workers, report)
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

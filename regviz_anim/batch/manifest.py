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
import math
import string
import tomllib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..formatting import for_template
from ..options import OPTIONS, RenderSettings, Scenario, render_config
from ..presets import preset_options
from ..targets import check_output, check_render_target, first_collision, render_targets
from .cluster import scheduler_address
from .jobs import Job

KEYS = set(OPTIONS) | {"out", "preset"}
TEMPLATES = ("out", "poster", "frames_dir")   # output keys, filled from the job's options
MAX_JOBS = 10_000


class ManifestError(Exception):
    """A manifest that cannot be read, does not parse, or has a bad key or value."""


class Jobs(list):
    """The manifest's jobs in order, the deck and the gallery (``deck``, ``gallery`` in
    ``[defaults]``) they gather into, and the Dask scheduler (``scheduler``) they run on."""

    name: str = "manifest"   # the manifest's file name, without its suffix
    deck: Path | None = None
    gallery: Path | None = None
    scheduler: str | None = None


def _normalise(table: dict[str, Any], where: str, path: Path) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in KEYS:
            raise ManifestError(f"{path}: {where}: unknown key '{key}'; use one of {', '.join(sorted(KEYS))}")
        out[name] = value
    return out


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
    gallery = defaults.pop("gallery", None)
    scheduler = defaults.pop("scheduler", None)
    for source, table in enumerate(tables, 1):
        for key in ("deck", "gallery", "scheduler"):
            if key in table:
                raise ManifestError(f"{path}: job {source}: {key} belongs in [defaults]: it is one for every job")
    if scheduler is not None:
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
    unset = {k: for_template(v) for k, v in {**asdict(Scenario()), **asdict(RenderSettings())}.items()}
    jobs = Jobs()
    jobs.name = path.stem
    for source, table, combo in merged:
        try:
            combos = _expand(combo, table)
        except ConfigError as error:
            raise ManifestError(f"{path}: job {source}: {error.option} = {error.value!r}: {error.allowed}") from None
        for raw in combos:
            number = len(jobs) + 1
            where = f"job {source}" + (f" (combination {number})" if len(combos) > 1 else "")
            preset = raw.pop("preset", "custom")
            shown = {**unset, **{k: for_template(v) for k, v in raw.items() if k not in TEMPLATES},
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
        # drawn for the deck's slides, which carry the title as text
        jobs[:] = [replace(job, settings=replace(job.settings, for_slide=True)) for job in jobs]
    if gallery is not None:
        jobs.gallery = _gathered_path("gallery", gallery, (".html",), path)
    jobs.scheduler = scheduler
    outputs = [((job.number, target), target, option == "frames_dir")
               for job in jobs for option, target in render_targets(job.out, job.settings)]
    for kind, target in (("deck", jobs.deck), ("gallery", jobs.gallery)):
        if target is not None:
            outputs.append(((kind, target), target, False))
            outputs.append(((kind, target), target.with_name(target.name + ".json"), False))
    clash = first_collision(outputs)
    gathered = [label for label in clash or () if label[0] in ("deck", "gallery")]
    if gathered:  # (the two cannot be one file: their suffixes differ)
        kind, target = gathered[0]
        raise ManifestError(f"{path}: {kind} = {str(target)!r}: is also a job's output")
    if clash:
        (first, first_path), (second, second_path) = clash
        same = "both write" if first != second else "writes"
        jobs_named = f"jobs {first} and {second}" if first != second else f"job {first}"
        raise ManifestError(f"{path}: {jobs_named} {same} {second_path} (the same file as {first_path}, "
                            "or inside a frames folder); give each job its own outputs (a template with "
                            "{lam}, say)")
    return jobs


def _gathered_path(key: str, raw: Any, suffixes: tuple[str, ...], path: Path) -> Path:
    """The path of what the jobs gather into (``deck``, ``gallery``), checked as any output is."""
    if not isinstance(raw, str) or not raw:
        raise ManifestError(f"{path}: [defaults]: {key} = {raw!r}: must be a {' or '.join(suffixes)} path")
    target = Path(raw)
    try:
        check_output(key, target, suffixes, extra_name=".json")
    except ConfigError as error:
        raise ManifestError(f"{path}: [defaults]: {key} = {raw!r}: {error.allowed}") from None
    return target


def _deck_path(raw: Any, jobs: list[Job], path: Path) -> Path:
    """The deck's path, checked: a .pptx, every job writing an MP4, and python-pptx installed."""
    deck = _gathered_path("deck", raw, (".pptx",), path)
    for job in jobs:
        if job.out.suffix.lower() != ".mp4":
            raise ManifestError(f"{path}: job {job.number}: out = {str(job.out)!r}: a deck shows each job's video; "
                                "write .mp4 (a GIF does not play reliably in slides)")
    if importlib.util.find_spec("pptx") is None:
        raise ManifestError(f'{path}: [defaults]: deck = {raw!r}: a deck needs python-pptx: '
                            'pip install "regviz-anim[pptx]"')
    return deck



"""The outputs of one render, as the output transaction takes them: staged beside their targets
(each target locked), fingerprinted in the JSON sidecar ``OUT.json``, and sealed: renamed into place,
the sidecar last. The render (``regviz_anim.renderer``) and the Dask runner both write through here."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .version import __version__
from .errors import ConfigError
from .export import strict_json
from .options import RenderSettings, Scenario, parameters
from .outputs.transaction import TargetBusy, Transaction
from .targets import render_targets


def sidecar_path(out: Path) -> Path:
    return out.with_name(out.name + ".json")


def output_files(out: Path, settings: RenderSettings) -> dict[str, Path]:
    """The outputs a sidecar fingerprints, by the option that names them."""
    files = {"out": out, "poster": settings.poster, "frames_dir": settings.frames_dir}
    return {key: path for key, path in files.items() if path is not None}


def stage(tx: Transaction, out: Path, settings: RenderSettings) -> dict[str, Path]:
    """Make the folders, take every target's lock, clear this tool's leftovers, and give each
    output its temporary path. A target another render is writing is a ConfigError."""
    targets = render_targets(out, settings)
    try:
        tx.prepare(path for _, path in targets)
    except TargetBusy as busy:
        option = next(option for option, path in targets if path == busy.target)
        shown = out if option == "out" else busy.target  # the sidecar is named by -o
        who = f" (pid {busy.pid})" if busy.pid else ""
        raise ConfigError(option, str(shown), f"{busy.target} is being written by another render{who}; "
                          "wait for it to finish, or give another name") from None
    staged = {"out": tx.file(out)}
    if settings.poster is not None:
        staged["poster"] = tx.file(settings.poster)
    if settings.frames_dir is not None:
        staged["frames_dir"] = tx.folder(settings.frames_dir)
    return staged


def seal(tx: Transaction, staged: dict[str, Path], record: dict, out: Path, settings: RenderSettings) -> Path:
    """Once every staged output is complete: fingerprint them into the sidecar, stage it last, and
    rename everything into place. Returns the sidecar's path."""
    record["outputs"] = {key: {"path": str(target), **fingerprint(staged[key])}
                         for key, target in output_files(out, settings).items()}
    sidecar = sidecar_path(out)
    tx.file(sidecar).write_text(strict_json(record), encoding="utf-8")
    tx.commit()
    return sidecar


def fingerprint(path: Path) -> dict:
    """Size and SHA-256 of a file, or of a folder's files (name and content, in name order)."""
    if path.is_dir():
        digest, total, count = hashlib.sha256(), 0, 0
        for entry in sorted(path.iterdir()):
            data = entry.read_bytes()
            digest.update(entry.name.encode() + b"\0" + hashlib.sha256(data).digest())
            total, count = total + len(data), count + 1
        return {"files": count, "bytes": total, "sha256": digest.hexdigest()}
    with open(path, "rb") as f:
        return {"bytes": path.stat().st_size, "sha256": hashlib.file_digest(f, "sha256").hexdigest()}


def sidecar_record(scenario: Scenario, settings: RenderSettings, out: Path) -> dict:
    """Everything that determines the render: what batch compares to decide it is up to date."""
    return {
        "regviz_anim": __version__,
        "output": out.name,
        "format": out.suffix.lower().lstrip("."),
        "scenario": parameters(scenario),
        # everything but ``workers``, which changes how fast, not what, is drawn
        "render": {**{k: v for k, v in parameters(settings).items() if k != "workers"},
                   "size": list(settings.even_size)},
    }



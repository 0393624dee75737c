"""Trajectories as JSON and CSV, and the parameters that made them, written as they are made.

A run of a million steps is tens of millions of numbers: the documents are streamed in chunks
(:func:`json_chunks`, :func:`csv_chunks`) from the arrays as they are, never built whole in memory.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict
from typing import Any, Iterator

import numpy as np

from . import __version__
from .descent import Simulation, plain

SIMULATE_SUFFIXES = (".json", ".csv")
CHUNK = 4096  # numbers (or CSV rows) per chunk


def parameters(obj: Any) -> dict[str, Any]:
    """A frozen config dataclass as JSON-ready values (tuples as lists, paths as strings)."""
    out = {}
    for key, value in asdict(obj).items():
        if isinstance(value, tuple):
            value = list(value)
        elif value is not None and not isinstance(value, (bool, int, float, str)):
            value = str(value)
        out[key] = value
    return out


def _data(sim: Simulation) -> dict[str, Any]:
    d = sim.data
    if d.features == 1:
        return {"x": d.x, "y": d.y, "a": float(d.A[0, 0]), "b": float(d.b[0])}
    return {"x": d.X, "y": d.y, "A": d.A.tolist(), "b": d.b.tolist()}


def path_dict(sim) -> dict[str, Any]:
    """The JSON document of ``simulate --animate lam``: the λ grid and, per run, the exact minimiser
    at every λ and ``zero_lam`` (one weight: a number or null; two: a list with one per weight).
    Long lists are numpy arrays: :func:`json_chunks` writes them."""
    one = sim.data.features == 1
    return {
        "regviz_anim": __version__,
        "parameters": parameters(sim.scenario),
        "data": _data(sim),
        "lam": sim.lam,
        "runs": [
            {
                "label": r.label, "reg": r.reg, "l1_per_lam": r.unit.l1, "l2_per_lam": r.unit.l2,
                "w": r.w[:, 0] if one else r.w, "objective": r.objective,
                "zero_lam": r.summary()["zero_lam"],
            }
            for r in sim.runs
        ],
    }


def to_dict(sim: Simulation) -> dict[str, Any]:
    """The JSON document ``simulate`` writes (DESIGN.md's schema). With one weight, ``w`` is a list
    of numbers and ``w_star`` a number; with two, ``w`` is a list of ``[w1, w2]``, ``w_star`` is
    ``[w1, w2]`` and ``zero_step`` a list with one entry per weight. Long lists are numpy arrays."""
    one = sim.data.features == 1
    return {
        "regviz_anim": __version__,
        "parameters": parameters(sim.scenario),
        "data": _data(sim),
        "runs": [
            {
                "label": r.label, "reg": r.reg, "update": r.update,
                "l1": r.penalty.l1, "l2": r.penalty.l2,
                "w": r.w[:, 0] if one else r.w, "loss": r.loss,
                "w_star": plain(r.w_star), "zero_step": r.zero_step, "diverged": r.diverged,
                "band": None if r.band is None else list(r.band),
            }
            for r in sim.runs
        ],
    }


def strict_json(document: Any) -> str:
    """JSON that every parser reads: a NaN or infinity is a bug here, never written as such."""
    return json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def _number(x: float | int) -> str:
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")
        return float.__repr__(x)
    return int.__repr__(x)


def json_chunks(value: Any, level: int = 0) -> Iterator[str]:
    """``value`` as :func:`strict_json` writes it (one space an indent level; NaN refused), in
    chunks, without the final newline. A numpy array is written a slice at a time."""
    inner = "\n" + " " * (level + 1)
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        for i, (key, item) in enumerate(value.items()):
            yield ("{" if i == 0 else ",") + inner + json.dumps(str(key), ensure_ascii=False) + ": "
            yield from json_chunks(item, level + 1)
        yield "\n" + " " * level + "}"
    elif isinstance(value, np.ndarray) and value.ndim == 1 and len(value):
        for start in range(0, len(value), CHUNK):
            yield ("[" if start == 0 else ",") + inner + ("," + inner).join(
                map(_number, value[start:start + CHUNK].tolist()))
        yield "\n" + " " * level + "]"
    elif isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            yield "[]"
            return
        for i, item in enumerate(value):
            yield ("[" if i == 0 else ",") + inner
            yield from json_chunks(item, level + 1)
        yield "\n" + " " * level + "]"
    elif isinstance(value, (np.floating, np.integer)):
        yield _number(value.item())
    else:
        yield json.dumps(value, allow_nan=False, ensure_ascii=False)


def document(sim) -> dict[str, Any]:
    return path_dict(sim) if sim.scenario.animate == "lam" else to_dict(sim)


def to_json(sim) -> str:
    return "".join(json_stream(sim))


def json_stream(sim) -> Iterator[str]:
    """The JSON document of ``sim``, in chunks."""
    yield from json_chunks(document(sim))
    yield "\n"


def to_csv(sim) -> str:
    return "".join(csv_chunks(sim))


def csv_chunks(sim) -> Iterator[str]:
    """One row per run and step: ``run,label,reg,update,step,lr,w,loss`` (``w1,w2`` for two weights);
    for the λ path one row per run and λ: ``run,label,reg,lam,w,objective``. In chunks of rows."""
    d = sim.data.features
    weights = ["w"] if d == 1 else [f"w{j + 1}" for j in range(d)]
    if sim.scenario.animate == "lam":
        header = ["run", "label", "reg", "lam", *weights, "objective"]

        def rows(i, r, start, stop):
            for lam, w, objective in zip(sim.lam[start:stop].tolist(), r.w[start:stop].tolist(),
                                         r.objective[start:stop].tolist()):
                yield [i, r.label, r.reg, repr(lam), *map(repr, w), repr(objective)]
        length = [len(sim.lam)] * len(sim.runs)
    else:
        header = ["run", "label", "reg", "update", "step", "lr", *weights, "loss"]

        def rows(i, r, start, stop):
            lrs = [repr(v) for v in r.lr[max(0, start - 1):stop - 1].tolist()]  # the step into step t
            lrs = [""] + lrs if start == 0 else lrs
            for t, (lr, w, loss) in enumerate(zip(lrs, r.w[start:stop].tolist(), r.loss[start:stop].tolist()),
                                              start):
                yield [i, r.label, r.reg, r.update, t, lr, *map(repr, w), repr(loss)]
        length = [len(r.w) for r in sim.runs]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(header)
    for i, r in enumerate(sim.runs):
        for start in range(0, length[i], CHUNK):
            out.writerows(rows(i, r, start, min(length[i], start + CHUNK)))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

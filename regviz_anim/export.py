"""A simulation as JSON and CSV, with the parameters that made it, written as it is made.

A run of a million steps is tens of millions of numbers: the documents are streamed in chunks
(:func:`json_chunks`, :func:`csv_chunks`) from the arrays as they are, never built whole in memory.
"""
from __future__ import annotations

import csv
import io
import json
import math
from typing import Any, Iterator

import numpy as np

from .version import __version__
from .numerics import Simulation
from .options import parameters

SIMULATE_SUFFIXES = (".json", ".csv")
CHUNK = 4096  # numbers (or CSV rows) per chunk


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


def document(sim: Simulation) -> dict[str, Any]:
    """The JSON document ``simulate`` writes: the version, the parameters, then the simulation's own
    (``data``, and ``runs`` with what its kind records)."""
    return {"regviz_anim": __version__, "parameters": parameters(sim.scenario), **sim.document()}


def to_json(sim) -> str:
    return "".join(json_stream(sim))


def json_stream(sim) -> Iterator[str]:
    """The JSON document of ``sim``, in chunks."""
    yield from json_chunks(document(sim))
    yield "\n"


def to_csv(sim) -> str:
    return "".join(csv_chunks(sim))


def csv_chunks(sim: Simulation) -> Iterator[str]:
    """The simulation's CSV (one row per run and tick: the columns its kind names), in chunks of
    rows."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(sim.csv_header())
    for i, r in enumerate(sim.runs):
        ticks = len(r.w)
        for start in range(0, ticks, CHUNK):
            out.writerows(sim.csv_rows(i, r, start, min(ticks, start + CHUNK)))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

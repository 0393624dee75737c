"""Trajectories as JSON and CSV, and the parameters that made them."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from . import __version__
from .descent import Simulation, plain

SIMULATE_SUFFIXES = (".json", ".csv")


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
        return {"x": d.x.tolist(), "y": d.y.tolist(), "a": float(d.A[0, 0]), "b": float(d.b[0])}
    return {"x": d.X.tolist(), "y": d.y.tolist(), "A": d.A.tolist(), "b": d.b.tolist()}


def path_dict(sim) -> dict[str, Any]:
    """The JSON document of ``simulate --animate lam``: the λ grid and, per run, the exact minimiser
    at every λ and ``zero_lam`` (one weight: a number or null; two: a list with one per weight)."""
    one = sim.data.features == 1
    return {
        "regviz_anim": __version__,
        "parameters": parameters(sim.scenario),
        "data": _data(sim),
        "lam": sim.lam.tolist(),
        "runs": [
            {
                "label": r.label, "reg": r.reg, "l1_per_lam": r.unit.l1, "l2_per_lam": r.unit.l2,
                "w": r.w[:, 0].tolist() if one else r.w.tolist(), "objective": r.objective.tolist(),
                "zero_lam": r.summary()["zero_lam"],
            }
            for r in sim.runs
        ],
    }


def to_dict(sim: Simulation) -> dict[str, Any]:
    """The JSON document ``simulate`` writes (DESIGN.md's schema). With one weight, ``w`` is a list
    of numbers and ``w_star`` a number; with two, ``w`` is a list of ``[w1, w2]``, ``w_star`` is
    ``[w1, w2]`` and ``zero_step`` a list with one entry per weight."""
    one = sim.data.features == 1
    return {
        "regviz_anim": __version__,
        "parameters": parameters(sim.scenario),
        "data": _data(sim),
        "runs": [
            {
                "label": r.label, "reg": r.reg, "update": r.update,
                "l1": r.penalty.l1, "l2": r.penalty.l2,
                "w": r.w[:, 0].tolist() if one else r.w.tolist(), "loss": r.loss.tolist(),
                "w_star": plain(r.w_star), "zero_step": r.zero_step, "diverged": r.diverged,
                "band": None if r.band is None else list(r.band),
            }
            for r in sim.runs
        ],
    }


def strict_json(document: Any) -> str:
    """JSON that every parser reads: a NaN or infinity is a bug here, never written as such."""
    return json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def to_json(sim) -> str:
    return strict_json(path_dict(sim) if sim.scenario.animate == "lam" else to_dict(sim))


def to_csv(sim) -> str:
    """One row per run and step: ``run,label,reg,update,step,lr,w,loss`` (``w1,w2`` for two weights);
    for the λ path one row per run and λ: ``run,label,reg,lam,w,objective``."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    d = sim.data.features
    weights = ["w"] if d == 1 else [f"w{j + 1}" for j in range(d)]
    if sim.scenario.animate == "lam":
        out.writerow(["run", "label", "reg", "lam", *weights, "objective"])
        for i, r in enumerate(sim.runs):
            for lam, w, objective in zip(sim.lam.tolist(), r.w.tolist(), r.objective.tolist()):
                out.writerow([i, r.label, r.reg, repr(lam), *map(repr, w), repr(objective)])
        return buf.getvalue()
    out.writerow(["run", "label", "reg", "update", "step", "lr", *weights, "loss"])
    for i, r in enumerate(sim.runs):
        for t, (w, loss) in enumerate(zip(r.w.tolist(), r.loss.tolist())):
            lr = "" if t == 0 else repr(float(r.lr[t - 1]))
            out.writerow([i, r.label, r.reg, r.update, t, lr, *map(repr, w), repr(loss)])
    return buf.getvalue()

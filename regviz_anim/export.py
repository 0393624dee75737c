"""Trajectories as JSON and CSV, and the parameters that made them."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from . import __version__
from .descent import Simulation

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


def to_dict(sim: Simulation) -> dict[str, Any]:
    """The JSON document ``simulate`` writes (DESIGN.md's schema)."""
    return {
        "regviz_anim": __version__,
        "parameters": parameters(sim.scenario),
        "data": {"x": sim.data.x.tolist(), "y": sim.data.y.tolist(), "a": sim.data.a, "b": sim.data.b},
        "runs": [
            {
                "label": r.label, "reg": r.reg, "update": r.update,
                "l1": r.penalty.l1, "l2": r.penalty.l2,
                "w": r.w.tolist(), "loss": r.loss.tolist(),
                "w_star": r.w_star, "zero_step": r.zero_step, "diverged": r.diverged,
                "band": None if r.band is None else list(r.band),
            }
            for r in sim.runs
        ],
    }


def strict_json(document: Any) -> str:
    """JSON that every parser reads: a NaN or infinity is a bug here, never written as such."""
    return json.dumps(document, indent=1, allow_nan=False) + "\n"


def to_json(sim: Simulation) -> str:
    return strict_json(to_dict(sim))


def to_csv(sim: Simulation) -> str:
    """One row per run and step: ``run,label,reg,update,step,lr,w,loss``."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["run", "label", "reg", "update", "step", "lr", "w", "loss"])
    for i, r in enumerate(sim.runs):
        for t, (w, loss) in enumerate(zip(r.w.tolist(), r.loss.tolist())):
            lr = "" if t == 0 else repr(float(r.lr[t - 1]))
            out.writerow([i, r.label, r.reg, r.update, t, lr, repr(w), repr(loss)])
    return buf.getvalue()

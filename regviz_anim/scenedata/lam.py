"""Scene data of the ``lam`` kind, the regularization path: frame k shows one λ of the grid."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lang import Texts
from ..numerics import Run, Simulation
from ..numerics.penalties import penalty_for
from .base import SceneData, labelled, many_outcome, model, pick_steps
from .steps import GRID_POINTS


@dataclass(frozen=True)
class LamClock:
    """``λ = 0.3350``: padded to one length, so the counter's digits stay in their places."""

    lams: np.ndarray
    width: int
    name: str = "λ index"

    @classmethod
    def of(cls, lams: np.ndarray) -> "LamClock":
        return cls(lams, max(len(f"{lam:#.4g}") for lam in lams))

    def label(self, k: int) -> str:
        return f"λ = {self.lams[k]:>#{self.width}.4g}"


def outcome(run: Run, lams: np.ndarray, t: Texts, names: tuple[str, ...] = ()) -> str:
    """The path's result in words: from which λ each weight is exactly 0, or where it ends."""
    hi = float(lams[-1])
    label = t.label(run.label)
    if run.features >= 3:
        zeros = [z for z in run.zeros if z is not None]
        if run.penalty.l1 > 0 and len(zeros) == run.features and 0.0 < max(zeros) <= hi:
            return t("many_all_from", label=label, total=run.features, lam=t.num(max(zeros)))
        return many_outcome(label, run.w[-1] == 0.0, run.w[-1], names, t)
    if run.features == 1:
        zero = run.zeros[0]
        if zero is not None and zero > 0.0:
            return t("zero_from", label=label, lam=t.num(zero)) + (t("beyond") if zero > hi else "")
        return t("path_at", label=label, lam=t.num(hi), value=t.num(float(run.w[-1, 0])))
    zeros = [(j, z) for j, z in enumerate(run.zeros, 1) if z is not None and z > 0.0]
    if not zeros:
        return t("path_at", label=label, lam=t.num(hi), value=f"({', '.join(t.num(v, '.3g') for v in run.w[-1])})")
    zeros.sort(key=lambda item: item[1])
    parts = [t("w_zero_from", j=j, lam=t.num(z)) + (t("beyond") if z > hi else "") for j, z in zeros]
    return t("outcome", label=label, parts=t("parts").join(parts))


def revealed(run: Run, lams: np.ndarray, k: int, t: Texts, names: tuple[str, ...] = ()) -> str:
    """What the caption says of ``run`` at λ index ``k`` when it reveals: from which λ a weight
    is exactly 0 once λ has reached it, the current values before that, the outcome at the end."""
    if k >= len(lams) - 1:
        return outcome(run, lams, t, names)
    lam, label = float(lams[k]), t.label(run.label)
    if run.features >= 3:
        return many_outcome(label, run.w[k] == 0.0, run.w[k], names, t, final=False)
    if run.features == 1:
        zero = run.zeros[0]
        if zero is not None and 0.0 < zero <= lam:
            return t("zero_from", label=label, lam=t.num(zero))
        return t("now", label=label, value=t.num(float(run.w[k, 0])))
    parts = []
    for j, (value, zero) in enumerate(zip(run.w[k], run.zeros), 1):
        if zero is not None and 0.0 < zero <= lam:
            parts.append((0, zero, t("w_zero_from", j=j, lam=t.num(zero))))
        else:
            parts.append((1, j, t("w_now", j=j, value=t.num(float(value), ".3g"))))
    parts.sort(key=lambda part: part[:2])
    return t("outcome", label=label, parts=t("parts").join(text for *_, text in parts))


def caption(sim: Simulation, t: Texts) -> str:
    return t("join").join(outcome(r, sim.lam, t, sim.data.feature_names) for r in sim.runs)


def captions(sim: Simulation, t: Texts, ticks: np.ndarray) -> tuple[str, ...]:
    """The caption at each of ``ticks`` when it reveals."""
    names = sim.data.feature_names
    return tuple(t("join").join(revealed(r, sim.lam, int(k), t, names) for r in sim.runs) for k in ticks)


def _grid(points: list[float]) -> np.ndarray:
    lo, hi = min(points), max(points)
    pad = 0.08 * (hi - lo or 1.0)
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def scene_data(sim: Simulation, n_frames: int, timing: str, t: Texts) -> SceneData:
    """Everything a render of the λ path with ``n_frames`` frames draws (evenly in λ, whatever
    ``timing``)."""
    one = sim.data.features == 1
    runs, variants = labelled(sim, t)
    least_squares = penalty_for("none", 0.0).w_star(sim.data)
    every = np.concatenate([least_squares] + [r.w.ravel() for r in sim.runs] + [[0.0]])
    grid = _grid([float(every.min()), float(every.max()), -0.5 * float(np.abs(every).max())]) if one else None
    core = max(1.0, float(np.abs(every).max()))
    lo, hi = float(sim.lam[0]), float(sim.lam[-1])
    frame_steps = pick_steps([np.arange(len(sim.lam))[:, None]], n_frames, "even")
    return SceneData(
        kind="lam", title=t("title_lam", model=model(sim, t), lo=t.num(lo), hi=t.num(hi)),
        caption=caption(sim, t), data=sim.data, runs=runs, variants=variants,
        frame_steps=frame_steps, total_steps=len(sim.lam) - 1, clock=LamClock.of(sim.lam),
        shown={"lams_shown": sim.lam[frame_steps].tolist()},
        w_range=(float(grid[0]), float(grid[-1])) if one else (-3 * core, 3 * core),
        w_grid=grid, data_curve=sim.data.data_loss(grid) if one else None, least_squares=least_squares,
        lams=sim.lam, lam_scale=sim.scenario.lam_scale, texts=t,
    )

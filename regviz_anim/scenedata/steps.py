"""Scene data of the ``steps`` kind: frame k shows one gradient step."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lang import Texts
from ..numerics import Run, Simulation
from ..numerics.penalties import REGULARIZERS, penalty_for
from ..numerics.rules import SCHEDULES
from ..numerics.steps import batch_sizes
from .base import SceneData, labelled, many_outcome, model, pick_steps

GRID_POINTS = 400


@dataclass(frozen=True)
class StepClock:
    """``step  17 / 200``: the step padded to the width of the last one."""

    total: int
    texts: Texts
    name: str = "step"

    def label(self, k: int) -> str:
        return self.texts("step", k=f"{k:>{len(str(self.total))}d}", total=self.total)


def _settled(final, star: float):
    """Within 1e-4 (relative, past 1) of the minimiser: for a number, or every step of a run."""
    return abs(final - star) <= 1e-4 * max(1.0, abs(star))


def _for_good(holds: np.ndarray) -> int | None:
    """The first step from which ``holds`` is true to the end, or None."""
    if not holds[-1]:
        return None
    broken = np.flatnonzero(~holds)
    return int(broken[-1]) + 1 if broken.size else 0


def outcome(run: Run, t: Texts, names: tuple[str, ...] = ()) -> str:
    """The run's result in words, for the caption."""
    label = t.label(run.label)
    if run.diverged:
        return t("diverges", label=label)
    if REGULARIZERS[run.reg].decoupled and run.optimizer != "gd" and not np.allclose(run.w[-1], run.w_star,
                                                                                   rtol=1e-4, atol=1e-4):
        return t("decay_apart", label=label, value=t.num(float(run.w[-1, 0])) if run.features == 1 else
                 f"({', '.join(t.num(v, '.3g') for v in run.w[-1])})",
                 star=t.num(float(run.w_star[0])) if run.features == 1 else
                 f"({', '.join(t.num(v, '.3g') for v in run.w_star)})")
    if run.features >= 3:
        return many_outcome(label, np.array([z is not None for z in run.zeros]), run.w[-1], names, t)
    if run.features == 1:
        if run.zeros[0] is not None:
            return t("zero_since", label=label, step=run.zeros[0])
        if run.band is not None:
            return t("bounces", label=label, lo=t.num(run.band[0], ".3f"), hi=t.num(run.band[1], ".3f"))
        final, star = float(run.w[-1, 0]), float(run.w_star[0])
        if _settled(final, star):
            return t("settles", label=label, value=t.num(star))
        if star == 0.0:
            return t("near_zero", label=label, gap=t.num(abs(final), ".2g"))
        return t("heading", label=label, value=t.num(final), star=t.num(star))
    finals, stars = run.w[-1], run.w_star
    if all(_settled(f, s) for f, s in zip(finals, stars)) and all(z is None for z in run.zeros):
        return t("settles", label=label, value=f"({', '.join(t.num(s, '.3g') for s in stars)})")
    parts = []
    for j, (final, star, zero) in enumerate(zip(finals, stars, run.zeros), 1):
        if zero is not None:
            parts.append((0, t("w_zero_since", j=j, step=zero)))
        elif star == 0.0:
            parts.append((1, t("w_near_zero", j=j, gap=t.num(abs(final), ".2g"))))
        elif _settled(final, star):
            parts.append((1, t("w_to", j=j, star=t.num(star, ".3g"))))
        else:
            parts.append((1, t("w_heading", j=j, value=t.num(final, ".3g"), star=t.num(star, ".3g"))))
    parts.sort(key=lambda part: part[0])  # the zeros are the news
    return t("outcome", label=label, parts=t("parts").join(text for _, text in parts))


class Reveal:
    """What a run's caption says at step k, when the caption reveals (``--caption reveal``): its
    outcome from the step it has happened (exactly 0, settled, in its band, diverging), the
    weights' current values before that, and at the last step the outcome, as ``always`` has it."""

    def __init__(self, run: Run, t: Texts, names: tuple[str, ...] = ()):
        self.run, self.t, self.label, self.names = run, t, t.label(run.label), names
        self.final = outcome(run, t, names)
        w, stars = run.w, run.w_star
        self.settled = [_for_good(_settled(w[:, j], s)) for j, s in enumerate(stars)]
        self.band = None if run.band is None else _for_good((w[:, 0] >= run.band[0]) & (w[:, 0] <= run.band[1]))
        far = np.flatnonzero(np.abs(w - stars).max(axis=1) > 2.0 * (np.abs(w[0] - stars).max() or 1.0))
        self.diverging = int(far[0]) if run.diverged and far.size else None
        # A caption a frame: what it reads of the run, read once (a numpy row a frame cost more than
        # the words), and the parts that stay as they are from some step on, worded once
        self._end = len(w) - 1 if self.diverging is None else min(len(w) - 1, self.diverging)
        self._features, self._stars = run.features, stars.tolist()
        self._w = w.tolist() if run.features <= 2 else None  # many weights: their own words (many_outcome)
        self._held: dict = {}

    def _said(self, what: str, j: int = 0, **fields) -> str:
        """``t(what, ...)`` for a part that is the same at every step it is said (``j``: of which weight)."""
        text = self._held.get((what, j))
        if text is None:
            text = self._held[what, j] = self.t(what, **({"j": j} if j else {}), **fields)
        return text

    def at(self, k: int) -> str:
        run, t, label = self.run, self.t, self.label
        if k >= self._end:
            return self.final
        if self._features >= 3:
            landed = np.array([z is not None and z <= k for z in run.zeros])
            return many_outcome(label, landed, run.w[k], self.names, t, final=False)
        if self._features == 1:
            if run.zeros[0] is not None and run.zeros[0] <= k:
                return self._said("zero_since", label=label, step=run.zeros[0])
            if self.band is not None and self.band <= k:
                return self._said("bounces", label=label, lo=t.num(run.band[0], ".3f"), hi=t.num(run.band[1], ".3f"))
            if self.settled[0] is not None and self.settled[0] <= k and self._stars[0] != 0.0:
                return self._said("settles", label=label, value=t.num(self._stars[0]))
            return t("now", label=label, value=t.num(self._w[k][0]))
        zeros, others = [], []  # the zeros are the news: first
        for j, (value, star, zero, settled) in enumerate(zip(self._w[k], self._stars, run.zeros, self.settled), 1):
            if zero is not None and zero <= k:
                zeros.append(self._said("w_zero_since", j, step=zero))
            elif settled is not None and settled <= k and star != 0.0:
                others.append(self._said("w_to", j, star=t.num(star, ".3g")))
            else:
                others.append(t("w_now", j=j, value=t.num(value, ".3g")))
        return t("outcome", label=label, parts=t("parts").join(zeros + others))


def caption(sim: Simulation, t: Texts) -> str:
    return t("join").join(outcome(r, t, sim.data.feature_names) for r in sim.runs)


def captions(sim: Simulation, t: Texts, ticks: np.ndarray) -> tuple[str, ...]:
    """The caption at each of ``ticks`` when it reveals."""
    reveals = [Reveal(run, t, sim.data.feature_names) for run in sim.runs]
    return tuple(t("join").join(r.at(int(k)) for r in reveals) for k in ticks)


def _grid(sim: Simulation) -> np.ndarray:
    """A range of w that holds the start, every minimiser, 0 and (within reason) every path."""
    points = [0.0, float(sim.runs[0].w[0, 0])] + [float(r.w_star[0]) for r in sim.runs]
    core = max(abs(p) for p in points) or 1.0
    path = [np.clip(r.w[:, 0], -3 * core, 3 * core) for r in sim.runs]
    lo = min(min(points), *(p.min() for p in path))
    hi = max(max(points), *(p.max() for p in path))
    pad = 0.08 * (hi - lo or 1.0)
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def method(sim: Simulation, t: Texts) -> str:
    """How the steps are taken, for the title: "Gradient descent", "Adam", "Momentum vs Adam", and
    with batches "Stochastic gradient descent (batch 1, shuffled)"."""
    sc = sim.scenario
    optimizers = tuple(sc.optimizer)
    n = len(sim.data.y)
    sizes = batch_sizes(sc)
    stochastic = any(b is not None and b < n for b in sizes)
    names = [t("method_sgd") if o == "gd" and stochastic else t.get(f"method_{o}", o) for o in optimizers]
    text = t("method_and").join(names)
    if stochastic:
        size = t("method_and").join(str(b) if b is not None and b < n else t("all_points", n=n) for b in sizes)
        text = t("method_batch", method=text, size=size, order=t(f"order_{sc.order}"))
    return text


def scene_data(sim: Simulation, n_frames: int, timing: str, t: Texts) -> SceneData:
    """Everything a render of ``sim`` with ``n_frames`` frames of motion draws."""
    one = sim.data.features == 1
    runs, variants = labelled(sim, t)
    grid = _grid(sim) if one else None
    curves = tuple(r.penalty.objective(sim.data, grid) for r in sim.runs) if one else None
    if curves is not None and not all(np.isfinite(c).all() for c in curves):
        raise ValueError("an objective is not finite over the range shown; no frame is drawn from it")
    sc = sim.scenario
    title = t("title_steps", method=method(sim, t), model=model(sim, t), lam=t.num(sc.lam, "g"),
              lr=t.num(sc.lr, "g"),
              schedule=SCHEDULES[sc.schedule].title)
    least_squares = penalty_for("none", 0.0).w_star(sim.data)
    if one:
        w_range = (float(grid[0]), float(grid[-1]))
    else:
        core = max(1.0, *(float(np.abs(v).max()) for v in [least_squares] + [r.w_star for r in runs]
                          + [r.w[0] for r in runs]))
        w_range = (-3.0 * core, 3.0 * core)
    frame_steps = pick_steps([r.w for r in sim.runs], n_frames, timing)
    total = max(r.steps for r in sim.runs)
    return SceneData(
        kind="steps", title=title, caption=caption(sim, t), data=sim.data, runs=runs, variants=variants,
        frame_steps=frame_steps, total_steps=total, clock=StepClock(total, t),
        shown={"steps_shown": frame_steps.tolist()}, w_range=w_range, w_grid=grid,
        data_curve=sim.data.data_loss(grid) if one else None, curves=curves, least_squares=least_squares, texts=t,
    )

"""What each frame shows, as plain arrays: the bridge from trajectories to the scene.

Numpy only. The scene receives a :class:`SceneData` and draws it; everything that needs
to know about penalties or update rules (curves, pushes, the caption) is worked out here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .descent import Simulation, Trajectory
from .lang import Texts
from .path import PathRun, PathSimulation
from .problem import Dataset, Penalty, penalty_for

GRID_POINTS = 400


@dataclass(frozen=True, eq=False)
class RunView:
    """One run as the scene draws it. Arrays have a row per step and a column per weight."""

    label: str
    kind: str                   # the regularizer: picks the colour
    variant: int                # 0, 1, ... among runs of the same kind: picks the line style
    penalty: Penalty
    w: np.ndarray               # (steps + 1, d)
    objective: np.ndarray       # F(w) per step
    curve: np.ndarray | None    # one weight: F over SceneData.w_grid
    w_star: np.ndarray          # (d,)
    f_star: float
    band: tuple[float, float] | None
    zero_steps: tuple[int | None, ...]
    diverged: bool
    data_push: np.ndarray | None       # -∇L(w) per step, (steps + 1, d)
    penalty_push: np.ndarray | None    # the penalty's push per step, (steps + 1, d)
    zero_lam: tuple[float | None, ...] | None = None  # the λ path: from where each weight is 0


@dataclass(frozen=True, eq=False)
class SceneData:
    title: str
    caption: str
    data: Dataset
    runs: tuple[RunView, ...]
    frame_steps: np.ndarray     # the step each frame shows
    total_steps: int
    w_range: tuple[float, float] = (-1.0, 1.0)  # the values of w worth showing
    w_grid: np.ndarray | None = None      # one weight: the range of w the loss panel spans
    data_curve: np.ndarray | None = None  # one weight: L over w_grid
    least_squares: np.ndarray | None = None  # the minimiser with no penalty
    mode: str = "steps"                   # "steps": frame k shows step k; "lam": the k-th λ of lams
    lams: np.ndarray | None = None        # the λ grid, for mode "lam"
    lam_scale: str = "linear"
    texts: Texts = Texts("en")            # every text in the frame, in the chosen language

    @property
    def features(self) -> int:
        return self.data.features

    @property
    def plain_title(self) -> str:
        """The title with its non-breaking spaces (wrapping hints for the frame) made plain."""
        return self.title.replace("\u00a0", " ")

    @property
    def x(self) -> np.ndarray:
        return self.data.x

    @property
    def y(self) -> np.ndarray:
        return self.data.y


def pick_steps(ws: list[np.ndarray], n_frames: int, mode: str = "even") -> np.ndarray:
    """The step each of ``n_frames`` frames shows: from 0 to the last step, never backwards.

    When there are nearly as many frames as steps (or more), they are spaced evenly.
    ``even`` spaces them evenly in steps; ``motion`` spends a quarter of the frames in
    proportion to how far the weights move and the rest evenly, so the fast start is not a
    blur and the settling still gets its time.
    """
    last = max(len(w) for w in ws) - 1
    if mode == "even" or 1.5 * n_frames >= last + 1:  # nearly every step has a frame anyway
        return np.rint(np.linspace(0, last, n_frames)).astype(int)
    moved = np.zeros(last)
    for w in ws:
        for column in w.T:
            step = np.abs(np.diff(column)) / (np.ptp(column) or 1.0)
            moved[: len(step)] += step
    clock = np.concatenate([[0.0], np.cumsum(moved)])
    clock = 0.75 * np.arange(last + 1) / last + 0.25 * clock / (clock[-1] or 1.0)
    steps = np.searchsorted(clock, np.linspace(0.0, 1.0, n_frames), side="left")
    steps = np.clip(steps, 0, last)
    steps[-1] = last
    return np.maximum.accumulate(steps)


def penalty_push(traj: Trajectory, data_push: np.ndarray) -> np.ndarray:
    """How hard the penalty pushes ``w`` at each step: ``-(l1·s + 2·l2·w)``.

    Away from 0, ``s = sign(w)``: L1's push keeps its full size ``l1`` all the way down while
    L2's fades with ``w``. At 0 the clipped and proximal rules hold ``w`` with any ``s`` in
    [-1, 1], so the push there balances the data's as far as ``l1`` allows; plain subgradient
    descent takes ``sign(0) = 0``.
    """
    w, l1, l2 = traj.w, traj.penalty.l1, traj.penalty.l2  # (steps + 1, d)
    s = np.sign(w)
    if traj.update in ("clipped", "proximal") and l1 > 0:
        s = np.where(w == 0.0, np.clip(data_push / l1, -1.0, 1.0), s)
    return -(l1 * s + 2.0 * l2 * w)


def _settled(final: float, star: float) -> bool:
    return abs(final - star) <= 1e-4 * max(1.0, abs(star))


def outcome(traj: Trajectory, t: Texts = Texts("en")) -> str:
    """The run's result in words, for the caption."""
    label = t.label(traj.label)
    if traj.diverged:
        return t("diverges", label=label)
    if traj.features == 1:
        if traj.zero_steps[0] is not None:
            return t("zero_since", label=label, step=traj.zero_steps[0])
        if traj.band is not None:
            return t("bounces", label=label, lo=t.num(traj.band[0], ".3f"), hi=t.num(traj.band[1], ".3f"))
        final, star = float(traj.w[-1, 0]), float(traj.w_star[0])
        if _settled(final, star):
            return t("settles", label=label, value=t.num(star))
        if star == 0.0:
            return t("near_zero", label=label, gap=t.num(abs(final), ".2g"))
        return t("heading", label=label, value=t.num(final), star=t.num(star))
    finals, stars = traj.w[-1], traj.w_star
    if all(_settled(f, s) for f, s in zip(finals, stars)) and all(z is None for z in traj.zero_steps):
        return t("settles", label=label, value=f"({', '.join(t.num(s, '.3g') for s in stars)})")
    parts = []
    for j, (final, star, zero) in enumerate(zip(finals, stars, traj.zero_steps), 1):
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


def _grid(sim: Simulation) -> np.ndarray:
    """A range of w that holds the start, every minimiser, 0 and (within reason) every path."""
    points = [0.0, float(sim.runs[0].w[0, 0])] + [float(r.w_star[0]) for r in sim.runs]
    core = max(abs(p) for p in points) or 1.0
    path = [np.clip(r.w[:, 0], -3 * core, 3 * core) for r in sim.runs]
    lo = min(min(points), *(p.min() for p in path))
    hi = max(max(points), *(p.max() for p in path))
    pad = 0.08 * (hi - lo or 1.0)
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def _model(sim, t: Texts) -> str:
    # non-breaking spaces: a narrow frame wraps the title around the formula, not inside it
    if sim.data.features == 1:
        return "y = w·x"
    return "y\u00a0=\u00a0w1·x1\u00a0+\u00a0w2·x2" + f" (ρ = {t.num(sim.scenario.corr, 'g')})"


def scene_data(sim: Simulation, n_frames: int, timing: str = "motion", lang: str = "en") -> SceneData:
    """Everything a render of ``sim`` with ``n_frames`` frames of motion draws."""
    t = Texts(lang)
    one = sim.data.features == 1
    grid = _grid(sim) if one else None
    seen: dict[str, int] = {}
    views = []
    for traj in sim.runs:
        variant = seen.get(traj.reg, 0)
        seen[traj.reg] = variant + 1
        data_push = -sim.data.data_gradient(traj.w)
        views.append(RunView(
            label=t.label(traj.label), kind=traj.reg, variant=variant, penalty=traj.penalty, w=traj.w,
            objective=traj.loss, curve=traj.penalty.objective(sim.data, grid) if one else None,
            w_star=traj.w_star, f_star=float(traj.penalty.objective(sim.data, traj.w_star)), band=traj.band,
            zero_steps=traj.zero_steps, diverged=traj.diverged, data_push=data_push,
            penalty_push=penalty_push(traj, data_push),
        ))
    for view in views:
        for name in ("w", "objective", "curve", "data_push", "penalty_push"):  # None: not part of this view
            values = getattr(view, name)
            if values is not None and not np.isfinite(values).all():
                raise ValueError(f"{view.label}: {name} is not finite; no frame is drawn from it")
    sc = sim.scenario
    schedule = {"constant": "", "inv_sqrt": "/√(t+1)", "inv": "/(t+1)"}[sc.schedule]
    title = t("title_steps", model=_model(sim, t), lam=t.num(sc.lam, "g"), lr=t.num(sc.lr, "g"), schedule=schedule)
    least_squares = penalty_for("none", 0.0).w_star(sim.data)
    if one:
        w_range = (float(grid[0]), float(grid[-1]))
    else:
        core = max(1.0, *(float(np.abs(v).max()) for v in [least_squares] + [r.w_star for r in views]
                          + [r.w[0] for r in views]))
        w_range = (-3.0 * core, 3.0 * core)
    return SceneData(
        title=title, caption=t("join").join(outcome(r, t) for r in sim.runs), data=sim.data, runs=tuple(views),
        frame_steps=pick_steps([r.w for r in sim.runs], n_frames, timing),
        total_steps=max(r.steps for r in sim.runs), w_range=w_range,
        w_grid=grid, data_curve=sim.data.data_loss(grid) if one else None, least_squares=least_squares, texts=t,
    )


def _one_weight_grid(points: list[float]) -> np.ndarray:
    lo, hi = min(points), max(points)
    pad = 0.08 * (hi - lo or 1.0)
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def path_outcome(run: PathRun, lams: np.ndarray, t: Texts = Texts("en")) -> str:
    """The path's result in words: from which λ each weight is exactly 0, or where it ends."""
    hi = float(lams[-1])
    label = t.label(run.label)
    if run.features == 1:
        zero = run.zero_lam[0]
        if zero is not None and zero > 0.0:
            return t("zero_from", label=label, lam=t.num(zero)) + (t("beyond") if zero > hi else "")
        return t("path_at", label=label, lam=t.num(hi), value=t.num(float(run.w[-1, 0])))
    zeros = [(j, z) for j, z in enumerate(run.zero_lam, 1) if z is not None and z > 0.0]
    if not zeros:
        return t("path_at", label=label, lam=t.num(hi), value=f"({', '.join(t.num(v, '.3g') for v in run.w[-1])})")
    zeros.sort(key=lambda item: item[1])
    parts = [t("w_zero_from", j=j, lam=t.num(z)) + (t("beyond") if z > hi else "") for j, z in zeros]
    return t("outcome", label=label, parts=t("parts").join(parts))


def path_scene_data(sim: PathSimulation, n_frames: int, lang: str = "en") -> SceneData:
    """Everything a render of the λ path with ``n_frames`` frames draws: frame k shows one λ."""
    t = Texts(lang)
    one = sim.data.features == 1
    least_squares = penalty_for("none", 0.0).w_star(sim.data)
    seen: dict[str, int] = {}
    views = []
    for run in sim.runs:
        variant = seen.get(run.reg, 0)
        seen[run.reg] = variant + 1
        if not (np.isfinite(run.w).all() and np.isfinite(run.objective).all()):
            raise ValueError(f"{run.label}: the path is not finite; no frame is drawn from it")
        views.append(RunView(
            label=t.label(run.label), kind=run.reg, variant=variant, penalty=run.unit, w=run.w, objective=run.objective,
            curve=None, w_star=run.w[-1], f_star=float(run.objective[-1]), band=None,
            zero_steps=(None,) * sim.data.features, diverged=False, data_push=None, penalty_push=None,
            zero_lam=run.zero_lam,
        ))
    every = np.concatenate([least_squares] + [r.w.ravel() for r in sim.runs] + [[0.0]])
    grid = _one_weight_grid([float(every.min()), float(every.max()), -0.5 * float(np.abs(every).max())]) if one \
        else None
    core = max(1.0, float(np.abs(every).max()))
    lo, hi = float(sim.lam[0]), float(sim.lam[-1])
    return SceneData(
        title=t("title_lam", model=_model(sim, t), lo=t.num(lo), hi=t.num(hi)),
        caption=t("join").join(path_outcome(r, sim.lam, t) for r in sim.runs), data=sim.data, runs=tuple(views),
        frame_steps=pick_steps([np.arange(len(sim.lam))[:, None]], n_frames, "even"),
        total_steps=len(sim.lam) - 1, w_range=(float(grid[0]), float(grid[-1])) if one else (-3 * core, 3 * core),
        w_grid=grid, data_curve=sim.data.data_loss(grid) if one else None, least_squares=least_squares,
        mode="lam", lams=sim.lam, lam_scale=sim.scenario.lam_scale, texts=t,
    )

"""What each frame shows, as plain arrays: the bridge from trajectories to the scene.

Numpy only. The scene receives a :class:`SceneData` and draws it; everything that needs
to know about penalties or update rules (curves, pushes, the caption) is worked out here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .descent import Simulation, Trajectory

GRID_POINTS = 400


@dataclass(frozen=True)
class RunView:
    """One run as the scene draws it."""

    label: str
    kind: str                   # the regularizer: picks the colour
    variant: int                # 0, 1, ... among runs of the same kind: picks the line style
    w: np.ndarray               # per step
    objective: np.ndarray       # F(w) per step
    curve: np.ndarray           # F over SceneData.w_grid
    w_star: float
    f_star: float
    band: tuple[float, float] | None
    zero_step: int | None
    diverged: bool
    data_push: np.ndarray       # -L'(w) per step
    penalty_push: np.ndarray    # the penalty's push per step


@dataclass(frozen=True)
class SceneData:
    title: str
    caption: str
    x: np.ndarray
    y: np.ndarray
    w_grid: np.ndarray
    data_curve: np.ndarray
    runs: tuple[RunView, ...]
    frame_steps: np.ndarray     # the step each frame shows
    total_steps: int


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
        step = np.abs(np.diff(w)) / (np.ptp(w) or 1.0)
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
    w, l1, l2 = traj.w, traj.penalty.l1, traj.penalty.l2
    s = np.sign(w)
    if traj.update in ("clipped", "proximal") and l1 > 0:
        s = np.where(w == 0.0, np.clip(data_push / l1, -1.0, 1.0), s)
    return -(l1 * s + 2.0 * l2 * w)


def outcome(traj: Trajectory) -> str:
    """The run's result in words, for the caption."""
    if traj.diverged:
        return f"{traj.label}: diverges, each step overshoots further"
    if traj.zero_step is not None:
        return f"{traj.label}: exactly 0 since step {traj.zero_step}"
    if traj.band is not None:
        return f"{traj.label}: bounces between {traj.band[0]:.3f} and {traj.band[1]:.3f}, never stays at 0"
    final, star = float(traj.w[-1]), traj.w_star
    if abs(final - star) <= 1e-4 * max(1.0, abs(star)):
        return f"{traj.label}: settles at {star:.4g}"
    if star == 0.0:
        return f"{traj.label}: within {abs(final):.2g} of 0, not exactly 0"
    return f"{traj.label}: at {final:.4g}, heading for {star:.4g}"


def _grid(sim: Simulation) -> np.ndarray:
    """A range of w that holds the start, every minimiser, 0 and (within reason) every path."""
    points = [0.0, sim.scenario.w0] + [r.w_star for r in sim.runs]
    core = max(abs(p) for p in points) or 1.0
    path = [np.clip(r.w, -3 * core, 3 * core) for r in sim.runs]
    lo = min(min(points), *(p.min() for p in path))
    hi = max(max(points), *(p.max() for p in path))
    pad = 0.08 * (hi - lo or 1.0)
    return np.linspace(lo - pad, hi + pad, GRID_POINTS)


def scene_data(sim: Simulation, n_frames: int, timing: str = "motion") -> SceneData:
    """Everything a render of ``sim`` with ``n_frames`` frames of motion draws."""
    grid = _grid(sim)
    seen: dict[str, int] = {}
    views = []
    for traj in sim.runs:
        variant = seen.get(traj.reg, 0)
        seen[traj.reg] = variant + 1
        data_push = -sim.data.data_gradient(traj.w)
        views.append(RunView(
            label=traj.label, kind=traj.reg, variant=variant, w=traj.w, objective=traj.loss,
            curve=traj.penalty.objective(sim.data, grid), w_star=traj.w_star,
            f_star=float(traj.penalty.objective(sim.data, traj.w_star)), band=traj.band,
            zero_step=traj.zero_step, diverged=traj.diverged, data_push=data_push,
            penalty_push=penalty_push(traj, data_push),
        ))
    for view in views:
        for name in ("w", "objective", "curve", "data_push", "penalty_push"):
            if not np.isfinite(getattr(view, name)).all():
                raise ValueError(f"{view.label}: {name} is not finite; no frame is drawn from it")
    sc = sim.scenario
    schedule = {"constant": "", "inv_sqrt": "/√(t+1)", "inv": "/(t+1)"}[sc.schedule]
    title = f"Gradient descent on y = w·x:  λ = {sc.lam:g},  η = {sc.lr:g}{schedule}"
    return SceneData(
        title=title, caption="  ·  ".join(outcome(t) for t in sim.runs), x=sim.data.x, y=sim.data.y,
        w_grid=grid, data_curve=sim.data.data_loss(grid), runs=tuple(views),
        frame_steps=pick_steps([t.w for t in sim.runs], n_frames, timing),
        total_steps=max(t.steps for t in sim.runs),
    )

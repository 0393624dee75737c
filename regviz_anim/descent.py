"""Gradient descent on a vector of weights, one run per regularizer and L1 update rule."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ConfigError, Scenario
from .problem import Dataset, Penalty, is_unique, make_dataset, penalty_for
from .rules import L1_RULES, gradient_step, schedule

__all__ = ["Trajectory", "Simulation", "simulate", "run", "plain"]

REG_NAMES = {"none": "No penalty", "l1": "L1", "l2": "L2", "elasticnet": "Elastic net"}
# A run is cut off once |w| passes this many times the larger of 1, |w0| and |w*|.
BLOWUP = 1e6


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run: the weights ``w`` (a row per step, step 0 is ``w0``; a column per weight), the
    objective at every step, and what became of it."""

    label: str
    reg: str
    update: str
    penalty: Penalty
    w: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    w_star: np.ndarray
    zero_steps: tuple[int | None, ...]
    diverged: bool
    band: tuple[float, float] | None = None

    @property
    def steps(self) -> int:
        return len(self.w) - 1

    @property
    def features(self) -> int:
        return self.w.shape[1]

    @property
    def zero_step(self):
        """The first step from which the weight is exactly 0 for good (None if never); with two
        weights, a list with one entry per weight."""
        return self.zero_steps[0] if self.features == 1 else list(self.zero_steps)

    def summary(self) -> dict:
        """What a reader wants to know of the run, as plain JSON-ready values."""
        return {
            "label": self.label, "reg": self.reg, "update": self.update,
            "w_star": plain(self.w_star), "w_final": plain(self.w[-1]), "zero_step": self.zero_step,
            "diverged": self.diverged, "steps_run": self.steps,
            "band": None if self.band is None else list(self.band),
        }


def plain(w: np.ndarray):
    """Weights as JSON values: a number for one weight, a list for several."""
    return float(w[0]) if len(w) == 1 else [float(v) for v in w]


@dataclass(frozen=True)
class Simulation:
    """The scenario, its data and every run."""

    scenario: Scenario
    data: Dataset
    runs: tuple[Trajectory, ...]


def zero_step(w: np.ndarray) -> int | None:
    """The first step from which one weight's ``w`` is exactly 0 for good, or None."""
    if w[-1] != 0.0:
        return None
    nonzero = np.flatnonzero(w != 0.0)
    return 0 if nonzero.size == 0 else int(nonzero[-1]) + 1


def chatter_band(data: Dataset, penalty: Penalty, lr: float) -> tuple[float, float] | None:
    """Where constant-step subgradient descent on one weight ends up bouncing when ``w* = 0``.

    From a small ``w > 0`` a step lands no lower than ``-lr(l1 + g0)``, from a small ``w < 0``
    no higher than ``lr(l1 - g0)``, with ``g0 = L'(0)``: a band ``2·lr·l1`` wide. This holds
    while a step does not overshoot on the smooth part alone, ``lr <= 1/(2(a + l2))``.
    """
    if data.features != 1 or penalty.w_star(data)[0] != 0.0 or lr * 2 * penalty.curvature(data) > 1.0:
        return None
    g0 = float(data.data_gradient(np.zeros(1))[0])
    return -lr * (penalty.l1 + g0), lr * (penalty.l1 - g0)


def run(data: Dataset, penalty: Penalty, update: str, *, lr: float, steps: int, w0,
        schedule_name: str = "constant", label: str | None = None) -> Trajectory:
    """Run ``steps`` updates from ``w0``; stop early, marked diverged, if ``w`` blows up."""
    A, b, l2 = data.A, data.b, penalty.l2

    def smooth_gradient(w: np.ndarray) -> np.ndarray:
        return 2.0 * (A @ w - b) + 2.0 * l2 * w

    rule = gradient_step(smooth_gradient) if update == "gradient" else L1_RULES[update](smooth_gradient, penalty.l1)
    step_size = schedule(schedule_name, lr)
    w_star = penalty.w_star(data)
    w = np.array(np.broadcast_to(np.asarray(w0, dtype=float), (data.features,)))
    limit = BLOWUP * max(1.0, float(np.abs(w).max()), float(np.abs(w_star).max()))

    ws = np.empty((steps + 1, data.features))
    rates = np.empty(steps)
    ws[0] = w
    diverged = False
    taken = 0
    for t in range(steps):
        eta = step_size(t)
        w = rule(w, eta)
        if not np.isfinite(w).all() or np.abs(w).max() > limit:
            diverged = True
            break
        ws[t + 1] = w
        rates[t] = eta
        taken = t + 1
    w_arr, rates = ws[: taken + 1], rates[:taken]
    if (not diverged and schedule_name == "constant" and lr >= penalty.stable_lr(data)
            and np.linalg.norm(w_arr[-1] - w_star) > np.linalg.norm(w_arr[0] - w_star)):
        diverged = True  # past the stable bound and moving away, even if not yet blown up
    band = chatter_band(data, penalty, lr) if update == "subgradient" and schedule_name == "constant" else None
    return Trajectory(
        label=label or REG_NAMES[penalty.reg], reg=penalty.reg, update=update, penalty=penalty,
        w=w_arr, loss=penalty.objective(data, w_arr), lr=rates, w_star=w_star,
        zero_steps=tuple(zero_step(w_arr[:, j]) for j in range(data.features)), diverged=diverged, band=band,
    )


def _runs_of(scenario: Scenario) -> list[tuple[str, str, str]]:
    """(reg, update, label) for every run the scenario asks for."""
    several = len(scenario.l1_update) > 1
    out = []
    for reg in scenario.reg:
        name = REG_NAMES[reg]
        if reg in ("l1", "elasticnet"):
            for update in scenario.l1_update:
                out.append((reg, update, f"{name} · {update}" if several else name))
        else:
            out.append((reg, "gradient", name))
    return out


def divergence_message(data: Dataset, traj: Trajectory) -> str:
    bound = traj.penalty.stable_lr(data)
    if data.features == 1:
        term = "a" if traj.penalty.l2 == 0 else f"a+{traj.penalty.l2:g}"
        where = f"lr < 1/({term}) = {bound:.4g} with a = mean(x²) = {float(data.A[0, 0]):.4g}"
    else:
        term = "A" if traj.penalty.l2 == 0 else f"A+{traj.penalty.l2:g}·I"
        where = f"lr < 1/λmax({term}) = {bound:.4g} with A = XᵀX/n"
    return (f"gradient descent diverges for {traj.label} on this data: it is stable only for {where}; "
            "use a smaller --lr, a diminishing --schedule, or --allow-divergence to show it")


def check_unique(scenario: Scenario, data: Dataset) -> None:
    """A ConfigError unless every run's objective has one minimiser (features alike to the last
    digit leave a line of them without an L2 part: no star or caption could be true). Along the λ
    path an L2 part makes it unique for every λ > 0, and at λ = 0 the path's limit is the
    minimiser of least norm."""
    for reg in scenario.reg:
        unit = penalty_for(reg, 1.0, scenario.l1_ratio)
        l2 = unit.l2 * scenario.lam if scenario.animate == "steps" else unit.l2
        if not is_unique(data.A, l2):
            raise ConfigError("corr", scenario.corr, "the two features are the same to rounding, so "
                              f"{REG_NAMES[reg]}'s objective has a line of minimisers, not one to show; "
                              "use |ρ| <= 0.999999, or a penalty with an L2 part")


def simulate(scenario: Scenario):
    """Every run of the scenario: a Simulation of gradient descent, or with ``animate="lam"`` the
    exact path (a :class:`~regviz_anim.path.PathSimulation`). A diverging run is a ConfigError
    unless divergence is allowed."""
    if scenario.animate == "lam":
        from .path import trace

        return trace(scenario)
    data = make_dataset(w_true=scenario.w_true, n_points=scenario.n_points, x_range=scenario.x_range,
                        noise=scenario.noise, seed=scenario.seed, features=scenario.features, corr=scenario.corr)
    check_unique(scenario, data)
    runs = []
    for reg, update, label in _runs_of(scenario):
        traj = run(data, penalty_for(reg, scenario.lam, scenario.l1_ratio), update, lr=scenario.lr,
                   steps=scenario.steps, w0=scenario.w0, schedule_name=scenario.schedule, label=label)
        if traj.diverged and not scenario.allow_divergence:
            raise ConfigError("lr", scenario.lr, divergence_message(data, traj))
        if not (np.isfinite(traj.loss).all() and np.isfinite(traj.w_star).all()):
            # The option bounds keep every number finite; this is the last line of defence.
            raise ConfigError("w0", scenario.w0, "these values overflow the arithmetic; use smaller magnitudes")
        runs.append(traj)
    return Simulation(scenario=scenario, data=data, runs=tuple(runs))

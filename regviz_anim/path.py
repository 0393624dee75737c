"""The regularization path: the exact minimiser as λ grows, and where each weight reaches 0.

A regularizer at strength λ has ``l1 = c1·λ`` and ``l2 = c2·λ`` (L1: c1 = 1; L2: c2 = 1; the
elastic net: c1 = α, c2 = 1 - α). At every λ of the grid the minimiser is the exact one of
:mod:`regviz_anim.problem`. ``zero_lam`` is the smallest λ from which a weight is exactly 0 for
good, in closed form (not read off the grid):

- one weight: ``2|b|/c1`` (the L1 threshold ``2|b|``); never, for L2 alone;
- two weights: going down from ``λmax = 2·max|b_j|/c1``, where every weight is 0, the weight with
  the larger ``|b_j|`` enters first, at ``2|b_j|/c1``; the other enters where
  ``|(A·w(λ) - b)_k| = c1·λ/2`` along the one-weight path ``w_j(λ) = (b_j - c1·λ·s/2)/(A_jj + c2·λ)``:
  the largest root of a polynomial of degree at most 2. That is the LARS-lasso homotopy's first
  knot for that weight (scikit-learn's ``lars_path(method="lasso")`` with ``alpha = λ/2``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .problem import Dataset, Penalty, make_dataset, penalty_for

__all__ = ["PathRun", "PathSimulation", "lam_grid", "zero_lams", "trace"]

LAM_SCALES = ("linear", "log")


@dataclass(frozen=True, eq=False)
class PathRun:
    """One regularizer's path: the exact minimiser at every λ of the grid (a row per λ)."""

    label: str
    reg: str
    unit: Penalty                       # the penalty at λ = 1: l1 = c1, l2 = c2
    w: np.ndarray                       # (len(lam), d)
    objective: np.ndarray               # F_λ(w*(λ)) per λ
    zero_lam: tuple[float | None, ...]  # per weight

    @property
    def features(self) -> int:
        return self.w.shape[1]

    def penalty_at(self, lam: float) -> Penalty:
        return Penalty(self.reg, l1=self.unit.l1 * lam, l2=self.unit.l2 * lam)

    def summary(self) -> dict:
        zero = self.zero_lam[0] if self.features == 1 else list(self.zero_lam)
        return {"label": self.label, "reg": self.reg, "zero_lam": zero}


@dataclass(frozen=True, eq=False)
class PathSimulation:
    """The scenario, its data, the λ grid and every regularizer's path."""

    scenario: object
    data: Dataset
    lam: np.ndarray
    runs: tuple[PathRun, ...]


def lam_grid(lo: float, hi: float, count: int, scale: str = "linear") -> np.ndarray:
    """``count`` values of λ from ``lo`` to ``hi``, evenly spaced or evenly on a log scale."""
    if scale == "log":
        return np.geomspace(lo, hi, count)
    return np.linspace(lo, hi, count)


def lam_max(data: Dataset, c1: float) -> float:
    """The smallest λ at which every weight of the L1 family ``c1`` is 0: ``2·max|b_j|/c1``."""
    return 2.0 * float(np.abs(data.b).max()) / c1


def _entry(A: np.ndarray, b: np.ndarray, c1: float, c2: float, j: int, k: int, below: float) -> float:
    """The largest λ in (0, below) at which weight k enters, while only weight j is active."""
    s = float(np.sign(b[j]))
    # With D(λ) = A_jj + c2·λ, the condition A_kj·(b_j - c1·λ·s/2) - b_k·D(λ) = ±(c1·λ/2)·D(λ)
    # is a polynomial in λ; its coefficients, lowest power first:
    base = np.array([A[k, j] * b[j] - b[k] * A[j, j], -A[k, j] * c1 * s / 2 - b[k] * c2, 0.0])
    roots = []
    for sign in (1.0, -1.0):
        side = sign * np.array([0.0, c1 / 2 * A[j, j], c1 / 2 * c2])
        coefficients = np.trim_zeros(base - side, "b")
        if len(coefficients) > 1:
            roots += [r.real for r in np.roots(coefficients[::-1]) if abs(r.imag) <= 1e-12 * max(1.0, abs(r))]
    # A root at λmax itself (to rounding) is a tie: both weights enter together.
    inside = [r for r in roots if 0.0 < r <= below * (1 + 1e-9)]
    return float(min(max(inside, default=0.0), below))


def zero_lams(data: Dataset, unit: Penalty) -> tuple[float | None, ...]:
    """Per weight, the smallest λ from which it is exactly 0 for good (None: never, for λ > 0)."""
    c1, c2 = unit.l1, unit.l2
    b = data.b
    if c1 == 0.0:  # no L1 part: the minimiser is 0 only where b is
        return tuple(0.0 if bj == 0.0 else None for bj in b)
    if data.features == 1:
        return (2.0 * abs(float(b[0])) / c1,)
    order = np.argsort(-np.abs(b), kind="stable")
    j, k = int(order[0]), int(order[1])
    first = 2.0 * abs(float(b[j])) / c1
    out = [0.0, 0.0]
    out[j] = first
    out[k] = first if abs(b[k]) == abs(b[j]) else _entry(data.A, b, c1, c2, j, k, first)
    return tuple(out)


def trace(scenario) -> PathSimulation:
    """The exact path of every regularizer of ``scenario`` over its λ grid."""
    from .descent import REG_NAMES, check_unique

    data = make_dataset(w_true=scenario.w_true, n_points=scenario.n_points, x_range=scenario.x_range,
                        noise=scenario.noise, seed=scenario.seed, features=scenario.features, corr=scenario.corr)
    check_unique(scenario, data)
    lo, hi = scenario.lam_range if scenario.lam_range is not None else auto_range(data, scenario)
    lams = lam_grid(lo, hi, scenario.lam_steps, scenario.lam_scale)
    runs = []
    for reg in scenario.reg:
        unit = penalty_for(reg, 1.0, scenario.l1_ratio)
        w = np.array([Penalty(reg, unit.l1 * lam, unit.l2 * lam).w_star(data) for lam in lams])
        objective = np.array([Penalty(reg, unit.l1 * lam, unit.l2 * lam).objective(data, wk)
                              for lam, wk in zip(lams, w)])
        runs.append(PathRun(label=REG_NAMES[reg], reg=reg, unit=unit, w=w, objective=objective,
                            zero_lam=zero_lams(data, unit)))
    return PathSimulation(scenario=scenario, data=data, lam=lams, runs=tuple(runs))


def auto_range(data: Dataset, scenario) -> tuple[float, float]:
    """From 0 (a hundredth, on a log scale) to 1.5 times the λ that zeroes every L1 weight."""
    c1s = [penalty_for(reg, 1.0, scenario.l1_ratio).l1 for reg in scenario.reg]
    c1 = min((c for c in c1s if c > 0), default=1.0)
    top = round_up(1.5 * lam_max(data, c1)) or 1.0
    return (top / 100.0 if scenario.lam_scale == "log" else 0.0), top


def round_up(x: float) -> float:
    """``x`` rounded up to two significant figures (0.5025 -> 0.51), so the range reads well."""
    if x <= 0.0:
        return 0.0
    unit = 10.0 ** (math.floor(math.log10(x)) - 1)
    return round(math.ceil(x / unit - 1e-9) * unit, 12)

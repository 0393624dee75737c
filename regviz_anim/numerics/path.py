"""The ``lam`` kind, the regularization path: the exact minimiser as λ grows, and where each weight
reaches 0. The clock is λ.

A regularizer at strength λ has ``l1 = c1·λ`` and ``l2 = c2·λ`` (L1: c1 = 1; L2: c2 = 1; the
elastic net: c1 = α, c2 = 1 - α). At every λ of the grid the minimiser is the exact one of
:mod:`regviz_anim.numerics.problem`. ``zero_lam`` is the smallest λ from which a weight is exactly 0 for
good, in closed form (not read off the grid):

- one weight: ``2|b|/c1`` (the L1 threshold ``2|b|``); never, for L2 alone;
- two weights: going down from ``λmax = 2·max|b_j|/c1``, where every weight is 0, the weight with
  the larger ``|b_j|`` enters first, at ``2|b_j|/c1``; the other enters where
  ``|(A·w(λ) - b)_k| = c1·λ/2`` along the one-weight path ``w_j(λ) = (b_j - c1·λ·s/2)/(A_jj + c2·λ)``:
  the largest root of a polynomial of degree at most 2. That is the LARS-lasso homotopy's first
  knot for that weight (scikit-learn's ``lars_path(method="lasso")`` with ``alpha = λ/2``).
- three weights or more: L1's whole path is one exact homotopy (:mod:`.lasso`), read at every λ
  of the grid, and ``zero_lam`` is where each weight first enters coming down from λmax. The
  elastic net's path (whose ``l2`` grows with λ too) is the exact minimiser at every λ, and its
  ``zero_lam`` is found by bisection between the grid's λs, to rounding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

import numpy as np

from .lasso import _kkt_solution, elastic_path, homotopy
from .penalties import REGULARIZERS, Penalty, penalty_for
from .problem import Dataset
from .simulation import Run, Simulation, check_unique, data_document, dataset_for, weight_names

__all__ = ["PathSimulation", "lam_grid", "zero_lams", "simulate", "LAM_SCALES"]

LAM_SCALES = ("linear", "log")


@dataclass(frozen=True, eq=False)
class PathSimulation(Simulation):
    """The scenario, its data, the λ grid (the clock) and every regularizer's path."""

    kind: ClassVar[str] = "lam"

    @property
    def lam(self) -> np.ndarray:
        """The λ grid: the clock."""
        return self.clock

    def summary(self, r: Run) -> dict:
        return {"label": r.label, "reg": r.reg, "zero_lam": r.zeros_plain}

    def document(self) -> dict[str, Any]:
        """The λ grid and, per run, the exact minimiser at every λ and ``zero_lam`` (one weight: a
        number or null; two: a list with one per weight)."""
        one = self.data.features == 1
        return {
            "data": data_document(self.data),
            "lam": self.clock,
            "runs": [
                {
                    "label": r.label, "reg": r.reg, "l1_per_lam": r.penalty.l1, "l2_per_lam": r.penalty.l2,
                    "w": r.w[:, 0] if one else r.w, "objective": r.objective, "zero_lam": r.zeros_plain,
                }
                for r in self.runs
            ],
        }

    def csv_header(self) -> list[str]:
        return ["run", "label", "reg", "lam", *weight_names(self.data), "objective"]

    def csv_rows(self, i: int, r: Run, start: int, stop: int) -> Iterator[list]:
        for lam, w, objective in zip(self.clock[start:stop].tolist(), r.w[start:stop].tolist(),
                                     r.objective[start:stop].tolist()):
            yield [i, r.label, r.reg, repr(lam), *map(repr, w), repr(objective)]


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
    if data.features >= 3:
        return _many_zero_lams(data, unit)
    order = np.argsort(-np.abs(b), kind="stable")
    j, k = int(order[0]), int(order[1])
    first = 2.0 * abs(float(b[j])) / c1
    out = [0.0, 0.0]
    out[j] = first
    out[k] = first if abs(b[k]) == abs(b[j]) else _entry(data.A, b, c1, c2, j, k, first)
    return tuple(out)


def _many_zero_lams(data: Dataset, unit: Penalty, grid: int = 2000) -> tuple[float, ...]:
    """``zero_lams`` for three weights or more. The lasso: where each weight first enters (the
    homotopy's knots, exact). With an L2 part: the largest λ at which the weight is nonzero,
    bracketed on a grid up to λmax, then found where the weight's optimality condition turns,
    ``|b_j − (A·w(λ))_j| = c1·λ/2`` with the active set of the bracket's top held (a linear solve
    an evaluation), bisected to rounding and checked against the exact minimiser on both sides;
    where another weight's knot lies in the same bracket, bisected on the exact minimiser itself."""
    c1, c2 = unit.l1, unit.l2
    A, b = data.A, data.b
    if c2 == 0.0:
        return tuple(float(mu) / c1 for mu in homotopy(A, b).entered)
    top = lam_max(data, c1)

    def weights(lam: float) -> np.ndarray:
        return Penalty(unit.reg, c1 * lam, c2 * lam).w_star(data)

    lams = np.linspace(0.0, top, grid + 1)[1:]
    solutions = elastic_path(A, b, c1, c2, lams)  # (grid, d)
    out = []
    for j in range(data.features):
        where = np.flatnonzero(solutions[:, j] != 0.0)
        if where.size == 0:
            out.append(0.0)
            continue
        i = int(where[-1])
        lo, hi = float(lams[i]), float(lams[i + 1]) if i + 1 < grid else top
        above = solutions[i + 1] if i + 1 < grid else np.zeros(data.features)
        out.append(_entry_lam(A, b, c1, c2, j, lo, hi, above, solutions[i], weights))
    return tuple(out)


def _entry_lam(A, b, c1, c2, j, lo, hi, above, below, weights) -> float:
    """The λ in (lo, hi] above which weight j is 0: w_j(lo) != 0 == w_j(hi) (``below`` and
    ``above``: the minimisers there)."""
    S = np.flatnonzero(above != 0.0)
    s = np.sign(above[S])

    def turn(lam: float) -> float:  # > 0 where weight j would enter, with S and its signs held
        w_S = np.linalg.solve(A[np.ix_(S, S)] + c2 * lam * np.eye(len(S)), b[S] - 0.5 * c1 * lam * s) if len(S) \
            else np.zeros(0)
        return abs(float(b[j] - A[j, S] @ w_S)) - 0.5 * c1 * lam

    a, z = lo, hi
    if turn(a) > 0.0 >= turn(z):
        for _ in range(200):
            mid = 0.5 * (a + z)
            if mid in (a, z):
                break
            a, z = (mid, z) if turn(mid) > 0.0 else (a, mid)
        # The optimality conditions prove it: S alone just above, S and j (its sign) just below.
        j_sign = np.sign(b[j] - A[j, S] @ (np.linalg.solve(A[np.ix_(S, S)] + c2 * a * np.eye(len(S)),
                                                          b[S] - 0.5 * c1 * a * s) if len(S) else np.zeros(0)))
        wider = np.append(S, j)
        order = np.argsort(wider)
        upper = _kkt_solution(A, b, c1 * z, c2 * z, S, s)
        lower = _kkt_solution(A, b, c1 * a, c2 * a, wider[order], np.append(s, j_sign)[order])
        if upper is not None and lower is not None and upper[j] == 0.0 and lower[j] != 0.0:
            return z
        if weights(z)[j] == 0.0 and weights(a)[j] != 0.0:  # the same answer as the exact minimiser
            return z

    seen = [below, above]  # minimisers found in this bracket, the latest first

    def near(lam: float) -> np.ndarray:  # the minimiser, tried first with the active sets already seen
        for w in seen[:4]:
            active = np.flatnonzero(w != 0.0)
            found = _kkt_solution(A, b, c1 * lam, c2 * lam, active, np.sign(w[active]))
            if found is not None:
                break
        else:
            found = weights(lam)
        seen.insert(0, found)
        return found

    a, z = lo, hi  # another knot in the bracket: bisect on the minimiser itself
    for _ in range(200):
        mid = 0.5 * (a + z)
        if mid in (a, z):
            break
        a, z = (mid, z) if near(mid)[j] != 0.0 else (a, mid)
    return z


def simulate(scenario) -> PathSimulation:
    """The exact path of every regularizer of ``scenario`` over its λ grid."""
    data = dataset_for(scenario)
    check_unique(scenario, data, along_lam=True)
    lo, hi = scenario.lam_range if scenario.lam_range is not None else auto_range(data, scenario)
    lams = lam_grid(lo, hi, scenario.lam_steps, scenario.lam_scale)
    runs = []
    for reg in scenario.reg:
        unit = penalty_for(reg, 1.0, scenario.l1_ratio)
        at = [Penalty(reg, unit.l1 * lam, unit.l2 * lam) for lam in lams]
        if data.features >= 3 and unit.l2 == 0.0 and unit.l1 > 0.0:  # one homotopy: the path and its knots
            path = homotopy(data.A, data.b)
            w = np.array([path.at(unit.l1 * lam) for lam in lams])
            zeros = tuple(float(mu) / unit.l1 for mu in path.entered)
        elif data.features >= 3 and unit.l1 > 0.0:  # the elastic net: exact at every λ, warm-started
            w = elastic_path(data.A, data.b, unit.l1, unit.l2, lams)
            zeros = zero_lams(data, unit)
        else:
            w = np.array([penalty.w_star(data) for penalty in at])
            zeros = zero_lams(data, unit)
        if data.features >= 3:  # F at every λ at once: the data loss of every row, the penalty's parts times λ
            objective = data.data_loss(w) + lams * (unit.l1 * np.abs(w).sum(axis=1) + unit.l2 * (w * w).sum(axis=1))
        else:  # one λ at a time, as it always was: the same bytes
            objective = np.array([penalty.objective(data, wk) for penalty, wk in zip(at, w)])
        runs.append(Run(label=REGULARIZERS[reg].label, reg=reg, update="exact", penalty=unit, w=w,
                        objective=objective, w_star=w[-1], f_star=float(objective[-1]), zeros=zeros))
    return PathSimulation(scenario=scenario, data=data, runs=tuple(runs), clock=lams)


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

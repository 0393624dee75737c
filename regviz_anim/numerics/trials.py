"""The ``trials`` kind: random least-squares problems, one a tick, and each regularizer's exact
minimiser of each at one λ. The clock is the trial: frame k shows trials 1 to k.

Trial t (counting from 0) draws from ``numpy.random.default_rng([seed, t])``:

- the truth, each weight from a standard normal;
- the features' correlation ρ from Uniform(−0.9, 0.9) (with two weights or more), the features
  standardised with sample correlations ρ^|i−j| exactly, as ``--features N`` makes them;
- ``y = X·w_true + noise·ε``, ε standard normal (``--noise``, 0 by default);

with one weight, ``x`` is a standard normal sample standardised to mean 0 and variance 1. Each
regularizer's minimiser is the exact one of :mod:`.problem` (exact zeros are exactly 0.0). A
trial "has a weight exactly 0" when some weight of its minimiser is 0.0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

import numpy as np

from .penalties import REGULARIZERS, penalty_for
from .problem import Dataset, standardised_features
from .simulation import Run, Simulation, weight_names

__all__ = ["TrialsSimulation", "simulate", "wilson", "problem", "trial_problems"]

CORR = 0.9  # ρ is drawn from Uniform(-CORR, CORR)


def problem(seed: int, t: int, d: int, n: int, noise: float) -> Dataset:
    """Trial ``t``'s data."""
    rng = np.random.default_rng([seed, t])
    truth = rng.standard_normal(d)
    if d == 1:
        x = rng.standard_normal(n)
        x -= x.mean()
        X = (x / x.std())[:, None]
    else:
        X = standardised_features(n, float(rng.uniform(-CORR, CORR)), rng, d)
    y = X @ truth + (noise * rng.standard_normal(n) if noise else 0.0)
    return Dataset(X=X, y=y)


def trial_problems(seed: int, count: int, d: int, n: int, noise: float, block: int = 2048) -> tuple[Dataset, ...]:
    """Trials 0 to ``count - 1``'s data: each from the same draws of the same generator as
    :func:`problem`, and the arithmetic (centring, QR, the correlations' Cholesky factor) done for
    ``block`` trials at once (their working arrays a few times their points, at most): the same
    numbers, bit for bit (``tests/test_trials.py`` compares them), in a third of the time."""
    if d >= n:  # more weights than points: each column standardised on its own, one by one
        return tuple(problem(seed, t, d, n, noise) for t in range(count))
    out: list[Dataset] = []
    for start in range(0, count, block):
        trials = range(start, min(count, start + block))
        truth, z = np.empty((len(trials), d)), np.empty((len(trials), n, d))
        rho, eps = np.zeros(len(trials)), np.zeros((len(trials), n))
        for k, t in enumerate(trials):
            rng = np.random.default_rng([seed, t])
            truth[k] = rng.standard_normal(d)
            if d == 1:
                z[k, :, 0] = rng.standard_normal(n)
            else:
                rho[k] = rng.uniform(-CORR, CORR)
                z[k] = rng.standard_normal((n, d))
            if noise:
                eps[k] = rng.standard_normal(n)
        if d == 1:
            x = z[:, :, 0]
            x -= x.mean(axis=1, keepdims=True)
            X = (x / x.std(axis=1, keepdims=True))[:, :, None]
        else:
            z -= z.mean(axis=1, keepdims=True)
            q, r = np.linalg.qr(z)
            q *= np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
            i = np.arange(d)
            chol = np.linalg.cholesky(rho[:, None, None] ** np.abs(i[:, None] - i[None, :]).astype(float))
            X = np.sqrt(n) * q @ np.swapaxes(chol, 1, 2)
        out += [Dataset(X=X[k], y=X[k] @ truth[k] + (noise * eps[k] if noise else 0.0)) for k in range(len(trials))]
    return tuple(out)


def wilson(successes: int, total: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The 95% Wilson score interval of a share ``successes/total``."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, eq=False)
class TrialsSimulation(Simulation):
    """The scenario, the trials' problems (``problems``), and each regularizer's minimiser of every
    trial (a run's ``w``, a row a trial); ``unpenalised`` holds each trial's least-squares solution."""

    kind: ClassVar[str] = "trials"
    problems: tuple[Dataset, ...] = ()
    unpenalised: np.ndarray | None = None

    @staticmethod
    def zero_share(r: Run) -> float:
        """The share of trials whose minimiser has a weight exactly 0."""
        return float(np.mean((r.w == 0.0).any(axis=1)))

    @staticmethod
    def zero_weight_share(r: Run) -> float:
        """The share of all the trials' weights that are exactly 0."""
        return float(np.mean(r.w == 0.0))

    def summary(self, r: Run) -> dict:
        return {"label": r.label, "reg": r.reg, "zero_share": self.zero_share(r),
                "zero_weight_share": self.zero_weight_share(r)}

    def document(self) -> dict[str, Any]:
        """Each trial's ``A`` and ``b`` and, per run, ``w_star`` (one minimiser a trial, a list of
        weights each) and the shares."""
        return {
            "trials": [{"A": p.A.tolist(), "b": p.b.tolist()} for p in self.problems],
            "runs": [{"label": r.label, "reg": r.reg, "l1": r.penalty.l1, "l2": r.penalty.l2, "w_star": r.w,
                      "zero_share": self.zero_share(r), "zero_weight_share": self.zero_weight_share(r)}
                     for r in self.runs],
        }

    def csv_header(self) -> list[str]:
        return ["run", "label", "reg", "trial", *weight_names(self.data), "zero"]

    def csv_rows(self, i: int, r: Run, start: int, stop: int) -> Iterator[list]:
        for t, w in zip(range(start, stop), r.w[start:stop].tolist()):
            yield [i, r.label, r.reg, t + 1, *map(repr, w), "true" if 0.0 in w else "false"]


def minimisers(problems: tuple[Dataset, ...], penalty) -> np.ndarray:
    """Each problem's exact minimiser under ``penalty``, a row a problem. One and two weights are
    solved for every problem at once (the closed form; the nine support and sign candidates of
    :func:`~.problem.exact_minimiser` checked against the optimality conditions); a problem none
    passes, and more weights, one at a time."""
    d = problems[0].features
    A = np.array([p.A for p in problems])
    b = np.array([p.b for p in problems])
    l1, l2 = penalty.l1, penalty.l2
    if d == 1:
        a, c = A[:, 0, 0], b[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(a + l2 == 0.0, 0.0, np.sign(c) * np.maximum(np.abs(c) - l1 / 2.0, 0.0) / (a + l2))
        return w[:, None]
    if d != 2:
        return np.array([penalty.w_star(p) for p in problems])
    G = A + l2 * np.eye(2)
    out = np.full((len(problems), 2), np.nan)
    found = np.zeros(len(problems), dtype=bool)

    def offer(w: np.ndarray, ok: np.ndarray) -> None:
        take = ok & ~found
        out[take] = w[take]
        found[take] = True

    slack = 0.5 * l1 * (1 + 1e-12)
    offer(np.zeros_like(b), np.all(np.abs(b) <= slack, axis=1))  # every weight 0
    for j in (0, 1):
        k = 1 - j
        for s in (1.0, -1.0):
            w = np.zeros_like(b)
            with np.errstate(divide="ignore", invalid="ignore"):
                w[:, j] = (b[:, j] - 0.5 * l1 * s) / G[:, j, j]
            grad_k = A[:, k, j] * w[:, j] - b[:, k]
            offer(w, (w[:, j] * s > 0.0) & (np.abs(grad_k) <= slack) & np.isfinite(w[:, j]))
    for s in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
        rhs = b - 0.5 * l1 * np.array(s)
        det = G[:, 0, 0] * G[:, 1, 1] - G[:, 0, 1] * G[:, 1, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.column_stack([G[:, 1, 1] * rhs[:, 0] - G[:, 0, 1] * rhs[:, 1],
                                 G[:, 0, 0] * rhs[:, 1] - G[:, 1, 0] * rhs[:, 0]]) / det[:, None]
        offer(w, np.all(w * np.array(s) > 0.0, axis=1) & (np.abs(det) > 1e-300))
    for i in np.flatnonzero(~found):  # none passed (rounding, a singular matrix): the careful solver
        out[i] = penalty.w_star(problems[i])
    return out


def objectives(problems: tuple[Dataset, ...], penalty, w: np.ndarray) -> np.ndarray:
    """Each problem's objective at its row of ``w``, as ``penalty.objective`` gives it (bit for bit:
    each fit is the same product), the rest for all problems at once, in a fifth of the time."""
    fits = np.array([wt @ p.X.T for p, wt in zip(problems, w)])
    residuals = np.array([p.y for p in problems]) - fits
    return np.mean(residuals ** 2, axis=-1) + penalty(w)


def simulate(scenario) -> TrialsSimulation:
    """Every trial's problem and every regularizer's exact minimiser of it at ``scenario.lam``."""
    d, n, count = scenario.features, scenario.n_points, scenario.trials
    problems = trial_problems(scenario.seed, count, d, n, scenario.noise)
    none = penalty_for("none", 0.0)
    unpenalised = minimisers(problems, none)
    runs = []
    for reg in scenario.reg:
        penalty = penalty_for(reg, scenario.lam, scenario.l1_ratio)
        w = minimisers(problems, penalty)
        objective = objectives(problems, penalty, w)
        runs.append(Run(label=REGULARIZERS[reg].label, reg=reg, update="exact", penalty=penalty, w=w,
                        objective=objective, w_star=w[-1], f_star=float(objective[-1]),
                        zeros=tuple(None for _ in range(d))))
    return TrialsSimulation(scenario=scenario, data=problems[-1], runs=tuple(runs), clock=np.arange(1, count + 1),
                            problems=problems, unpenalised=unpenalised)

"""The lasso's exact homotopy (LARS with the lasso modification), for any number of weights.

It follows the minimiser of ``wᵀGw − 2bᵀw + μ·‖w‖₁`` (``G = A + l2·I``) as ``μ`` falls from
``μmax = 2·max|b_j|``, where every weight is 0. Between two knots the active set ``S`` and its
signs ``s`` hold, and the optimality conditions ``2(G·w − b)_S + μ·s = 0`` give

    w_S(μ) = u − μ·v,    u = G_SS⁻¹·b_S,   v = G_SS⁻¹·s / 2

exactly, a straight line; every weight outside ``S`` is exactly 0.0. A knot is where an inactive
weight's correlation ``c_k = b_k − (G·w)_k`` reaches ``±μ/2`` (it enters) or an active weight
reaches 0 (it leaves: the lasso modification), each the root of a linear equation. No iteration
and no tolerance: the path is exact to rounding. With the elastic net's ``l2`` the same path runs
on ``G = A + l2·I`` (the lasso on augmented data). scikit-learn's ``lars_path(X, y,
method="lasso")`` follows the same knots with ``alpha = μ/2``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Homotopy", "homotopy", "minimiser"]


@dataclass(frozen=True)
class Segment:
    """The path for ``low ≤ μ ≤ high``: ``w_S = u − μ·v`` on ``active``, 0 elsewhere."""

    high: float
    low: float
    active: np.ndarray
    u: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class Homotopy:
    """The whole path from ``μmax`` down to ``floor``, as its segments; ``entered[j]`` is the
    largest μ at which weight j is nonzero (it is 0 for every μ above it), or 0.0 if it never is."""

    d: int
    top: float
    segments: tuple[Segment, ...]
    entered: np.ndarray

    def at(self, mu: float) -> np.ndarray:
        """The exact minimiser at ``mu``."""
        w = np.zeros(self.d)
        if mu >= self.top or not self.segments:
            return w
        for segment in self.segments:
            if mu >= segment.low:
                break
        w[segment.active] = segment.u - mu * segment.v
        return w

    @property
    def knots(self) -> np.ndarray:
        return np.array([self.top] + [s.low for s in self.segments])


TIE = 1e-10  # events this close (relative) to the knot happen at it together: tied weights enter as one


def homotopy(G: np.ndarray, b: np.ndarray, floor: float = 0.0) -> Homotopy:
    """The lasso path of ``wᵀGw − 2bᵀw + μ‖w‖₁`` from ``μmax`` down to ``floor``. Weights whose
    events fall on the same knot (ties: equal correlations, to rounding) enter or leave together."""
    d = len(b)
    c = np.asarray(b, dtype=float)
    top = 2.0 * float(np.abs(c).max()) if d else 0.0
    entered = np.zeros(d)
    segments: list[Segment] = []
    if top == 0.0:
        return Homotopy(d, 0.0, (), entered)
    active = [int(j) for j in np.flatnonzero(np.abs(c) >= 0.5 * top * (1 - TIE))]
    signs = {j: float(np.sign(c[j])) for j in active}
    entered[active] = top
    mu = top
    while mu > floor:
        S = np.array(active)
        s = np.array([signs[j] for j in active])
        M = G[np.ix_(S, S)]
        try:  # G_SS is positive definite while the data tell the active weights apart
            pivots = np.diag(np.linalg.cholesky(M)) ** 2
            if pivots.min() <= 1e-12 * float(np.diag(M).max()):
                raise np.linalg.LinAlgError
            u, v = np.linalg.solve(M, np.column_stack([b[S], s / 2.0])).T
        except np.linalg.LinAlgError:
            break  # more active weights than the data can tell apart (more weights than points): it ends here
        rest = np.setdiff1d(np.arange(d), S)
        below = mu * (1 - 1e-12)

        def valid(roots: np.ndarray, below: float = below) -> np.ndarray:
            return np.where(np.isfinite(roots) & (roots > 0.0) & (roots < below), roots, -np.inf)

        with np.errstate(divide="ignore", invalid="ignore"):
            g = G[np.ix_(rest, S)]
            p, q = b[rest] - g @ u, g @ v  # an inactive weight's c_k(μ) = p_k + μ·q_k
            entering = np.maximum(valid(p / (0.5 - q)), valid(p / (-0.5 - q)))  # c_k = ±μ/2
            leaving = valid(u / v)  # an active weight reaches 0
        knot = max(float(entering.max(initial=-np.inf)), float(leaving.max(initial=-np.inf)), floor)
        segments.append(Segment(mu, knot, S, u, v))
        if knot <= floor:
            break
        mu = knot
        w = np.zeros(d)
        w[S] = u - mu * v
        for k in rest[entering >= mu * (1 - TIE)]:
            signs[int(k)] = float(np.sign(b[k] - G[k] @ w))
            active.append(int(k))
            if not entered[k]:  # the first entry, coming down, is the largest μ it is nonzero at
                entered[k] = mu
        for j in S[leaving >= mu * (1 - TIE)]:
            active.remove(int(j))
            signs.pop(int(j))
        if not active:  # every weight left at once: 0 below here too, until one enters again
            active = [int(j) for j in np.flatnonzero(np.abs(b) >= 0.5 * mu * (1 - TIE))] or [int(np.argmax(np.abs(b)))]
            signs = {j: float(np.sign(b[j])) for j in active}
    if segments:
        last = segments[-1]
        segments[-1] = Segment(last.high, min(last.low, floor), last.active, last.u, last.v)
    return Homotopy(d, top, tuple(segments), entered)


def minimiser(A: np.ndarray, b: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """The exact minimiser of ``wᵀAw − 2bᵀw + l1·‖w‖₁ + l2·‖w‖²`` for any number of weights."""
    G = A + l2 * np.eye(len(b))
    if l1 == 0.0:
        return np.linalg.lstsq(G, b, rcond=None)[0] if np.linalg.matrix_rank(G) < len(b) else np.linalg.solve(G, b)
    return homotopy(G, b, floor=l1).at(l1)


def _kkt_solution(A, b, l1, l2, active: np.ndarray, signs: np.ndarray) -> np.ndarray | None:
    """The minimiser, if the optimality conditions hold for this active set and these signs."""
    d = len(b)
    w = np.zeros(d)
    if active.size:
        M = A[np.ix_(active, active)] + l2 * np.eye(active.size)
        try:
            w[active] = np.linalg.solve(M, b[active] - 0.5 * l1 * signs)
        except np.linalg.LinAlgError:
            return None
        if np.any(w[active] * signs <= 0.0):
            return None
    rest = np.ones(d, dtype=bool)
    rest[active] = False
    if np.any(np.abs((b - A @ w)[rest]) > 0.5 * l1 * (1 + 1e-12)):
        return None
    return w


def elastic_path(A: np.ndarray, b: np.ndarray, c1: float, c2: float, lams: np.ndarray) -> np.ndarray:
    """The exact minimiser at every λ of ``lams`` for ``l1 = c1·λ``, ``l2 = c2·λ`` (rows in the
    order of ``lams``). From the largest λ down, each λ first tries the active set and signs of the
    one before: where the optimality conditions hold (which, the problem being strictly convex,
    proves it the minimiser) one linear solve is enough; elsewhere the homotopy finds it."""
    order = np.argsort(-np.asarray(lams, dtype=float), kind="stable")
    out = np.zeros((len(lams), len(b)))
    active, signs = np.zeros(0, dtype=int), np.zeros(0)
    for i in order:
        lam = float(lams[i])
        l1, l2 = c1 * lam, c2 * lam
        w = _kkt_solution(A, b, l1, l2, active, signs) if lam > 0.0 else None
        if w is None:
            w = minimiser(A, b, l1, l2)
        out[i] = w
        active = np.flatnonzero(w != 0.0)
        signs = np.sign(w[active])
    return out

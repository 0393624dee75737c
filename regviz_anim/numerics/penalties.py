"""The regularizers, one record each, and the penalty ``l1·‖w‖₁ + l2·‖w‖²`` they make at a λ.

A new regularizer is one entry in ``REGULARIZERS``: its name (the ``--reg`` value), its label (the
frames, the JSON; a language catalogue may translate it in ``TERMS``), how λ splits into ``l1`` and
``l2``, and optionally its colours per theme (else the scene's fallback colours).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .problem import Dataset, exact_minimiser

__all__ = ["Regularizer", "REGULARIZERS", "Penalty", "penalty_for", "penalty_push"]


@dataclass(frozen=True)
class Regularizer:
    name: str
    label: str
    split: Callable[[float, float], tuple[float, float]]  # (λ, l1_ratio α) -> (l1, l2)
    l1_part: bool  # it has an L1 term: one run per L1 update rule
    colors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # theme -> colours, taken in turn
    decoupled: bool = False  # its l2 part is weight decay beside the optimizer's step, not in the gradient


# Okabe & Ito's colour-blind-safe palette.
REGULARIZERS = {r.name: r for r in (
    Regularizer("none", "No penalty", lambda lam, ratio: (0.0, 0.0), False,
                {"light": ("#CC79A7", "#7F7F7F"), "dark": ("#CC79A7", "#BBBBBB")}),
    Regularizer("l1", "L1", lambda lam, ratio: (lam, 0.0), True,
                {"light": ("#D55E00", "#E69F00", "#CC79A7"), "dark": ("#E69F00", "#D55E00", "#CC79A7")}),
    Regularizer("l2", "L2", lambda lam, ratio: (0.0, lam), False,
                {"light": ("#0072B2", "#56B4E9"), "dark": ("#56B4E9", "#0072B2")}),
    Regularizer("elasticnet", "Elastic net", lambda lam, ratio: (lam * ratio, lam * (1.0 - ratio)), True,
                {"light": ("#009E73", "#56B4E9"), "dark": ("#009E73", "#F0E442")}),
    # Weight decay: L2's objective and minimiser, but stepped as w ← w − η·2λ·w beside the optimizer
    Regularizer("decay", "decay", lambda lam, ratio: (0.0, lam), False,
                {"light": ("#CC79A7", "#E69F00"), "dark": ("#CC79A7", "#F0E442")}, decoupled=True),
)}


@dataclass(frozen=True)
class Penalty:
    """The regularizer ``l1·‖w‖₁ + l2·‖w‖²``, with the name a user knows it by."""

    reg: str
    l1: float = 0.0
    l2: float = 0.0

    def __call__(self, w: np.ndarray):
        """The penalty of weights of shape (..., d)."""
        return (self.l1 * np.abs(w) + self.l2 * w * w).sum(axis=-1)

    def objective(self, data: Dataset, w):
        """``F(w) = L(w) + l1·‖w‖₁ + l2·‖w‖²`` for weights of shape (..., d)."""
        w = data.weights(w)
        return data.data_loss(w) + self(w)

    def smooth_gradient(self, data: Dataset, w: np.ndarray) -> np.ndarray:
        """The gradient of the smooth part, ``2(A·w - b) + 2·l2·w``: what every update rule steps on."""
        return data.data_gradient(w) + 2.0 * self.l2 * w

    def w_star(self, data: Dataset) -> np.ndarray:
        """The exact minimiser of ``F``, one entry per weight."""
        if data.features == 1:  # the closed form, as the lesson states it
            a, b = float(data.A[0, 0]), float(data.b[0])
            if a + self.l2 == 0.0:
                return np.zeros(1)
            return np.array([float(np.sign(b) * max(abs(b) - self.l1 / 2.0, 0.0) / (a + self.l2))])
        return exact_minimiser(data.A, data.b, self.l1, self.l2)

    def curvature(self, data: Dataset) -> float:
        """The largest eigenvalue of ``A + l2·I`` (``a + l2`` with one weight)."""
        if data.features == 1:
            return float(data.A[0, 0]) + self.l2
        return float(np.linalg.eigvalsh(data.A).max()) + self.l2

    def stable_lr(self, data: Dataset) -> float:
        """Gradient steps on the smooth part converge only for ``lr < 1/λmax(A + l2·I)``."""
        curvature = self.curvature(data)
        return float("inf") if curvature == 0.0 else 1.0 / curvature


def penalty_for(reg: str, lam: float, l1_ratio: float = 0.5) -> Penalty:
    """The penalty of the regularizer named ``reg`` at strength ``lam``."""
    if reg not in REGULARIZERS:
        raise ValueError(f"unknown regularizer {reg!r}; use one of {', '.join(REGULARIZERS)}")
    l1, l2 = REGULARIZERS[reg].split(lam, l1_ratio)
    return Penalty(reg, l1=l1, l2=l2)


def penalty_push(penalty: Penalty, w: np.ndarray, data_push: np.ndarray, holds_at_zero: bool) -> np.ndarray:
    """How hard the penalty pushes ``w`` (rows of weights): ``-(l1·s + 2·l2·w)``.

    Away from 0, ``s = sign(w)``: L1's push keeps its full size ``l1`` all the way down while
    L2's fades with ``w``. At 0 a rule that holds ``w`` there (clipped, proximal) does so with any
    ``s`` in [-1, 1], so the push balances the data's as far as ``l1`` allows; plain subgradient
    descent takes ``sign(0) = 0``.
    """
    l1, l2 = penalty.l1, penalty.l2
    s = np.sign(w)
    if holds_at_zero and l1 > 0:
        s = np.where(w == 0.0, np.clip(data_push / l1, -1.0, 1.0), s)
    return -(l1 * s + 2.0 * l2 * w)

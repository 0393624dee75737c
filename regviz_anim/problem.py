"""One-weight least squares ``y = w·x`` with an L1 and an L2 penalty, in closed form.

The objective of every run is

    F(w) = mean((y - w·x)²) + l1·|w| + l2·w²

which covers no penalty (l1 = l2 = 0), L1 (l1 = λ), L2 (l2 = λ) and the elastic net
(l1 = λα, l2 = λ(1 - α)). With ``a = mean(x²)`` and ``b = mean(x·y)`` its minimiser is

    w* = sign(b)·max(|b| - l1/2, 0) / (a + l2)

so L1 lands on exactly 0 once ``l1 ≥ 2|b|`` while L2 alone never does unless ``b = 0``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "Penalty", "make_dataset", "penalty_for"]


@dataclass(frozen=True)
class Dataset:
    """The points ``(x, y)`` and the two moments that the whole problem depends on."""

    x: np.ndarray
    y: np.ndarray

    @property
    def a(self) -> float:
        """``mean(x²)``: the curvature of the data loss (halved)."""
        return float(np.mean(self.x * self.x))

    @property
    def b(self) -> float:
        """``mean(x·y)``: where the data pulls the weight."""
        return float(np.mean(self.x * self.y))

    def data_loss(self, w):
        """``mean((y - w·x)²)`` for a scalar or an array of weights."""
        w = np.asarray(w, dtype=float)
        return np.mean((self.y - np.multiply.outer(w, self.x)) ** 2, axis=-1)

    def data_gradient(self, w):
        """``L'(w) = 2(a·w - b)``."""
        return 2.0 * (self.a * np.asarray(w, dtype=float) - self.b)


def make_dataset(
    *, w_true: float = 0.5, n_points: int = 20, x_range: tuple[float, float] = (-1.0, 1.0),
    noise: float = 0.0, seed: int = 0,
) -> Dataset:
    """Evenly spaced ``x`` on ``[lo, hi)`` (the default is ``arange(-1, 1, 0.1)``), ``y = w_true·x + noise``."""
    lo, hi = x_range
    x = lo + (hi - lo) / n_points * np.arange(n_points)
    y = w_true * x
    if noise:
        y = y + noise * np.random.default_rng(seed).standard_normal(n_points)
    return Dataset(x=x, y=y)


@dataclass(frozen=True)
class Penalty:
    """The regularizer ``l1·|w| + l2·w²``, with the name a user knows it by."""

    reg: str
    l1: float = 0.0
    l2: float = 0.0

    def __call__(self, w):
        w = np.asarray(w, dtype=float)
        return self.l1 * np.abs(w) + self.l2 * w * w

    def objective(self, data: Dataset, w):
        """``F(w) = L(w) + l1·|w| + l2·w²``."""
        return data.data_loss(w) + self(w)

    def w_star(self, data: Dataset) -> float:
        """The closed-form minimiser of ``F``."""
        a, b = data.a, data.b
        if a + self.l2 == 0.0:
            return 0.0
        return float(np.sign(b) * max(abs(b) - self.l1 / 2.0, 0.0) / (a + self.l2))

    def stable_lr(self, data: Dataset) -> float:
        """Gradient steps on the smooth part converge only for ``lr < 1/(a + l2)``."""
        curvature = data.a + self.l2
        return float("inf") if curvature == 0.0 else 1.0 / curvature


def penalty_for(reg: str, lam: float, l1_ratio: float = 0.5) -> Penalty:
    """The penalty named ``none``, ``l1``, ``l2`` or ``elasticnet`` at strength ``lam``."""
    if reg == "none":
        return Penalty(reg)
    if reg == "l1":
        return Penalty(reg, l1=lam)
    if reg == "l2":
        return Penalty(reg, l2=lam)
    if reg == "elasticnet":
        return Penalty(reg, l1=lam * l1_ratio, l2=lam * (1.0 - l1_ratio))
    raise ValueError(f"unknown regularizer {reg!r}; use one of none, l1, l2, elasticnet")

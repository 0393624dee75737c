"""Update rules and step-size schedules, each a small pure function.

A rule maps ``(w, lr) -> new w`` for a vector of weights, coordinate by coordinate. The smooth
part of the objective (data loss plus ``l2·‖w‖²``) is handled by a gradient step; the
``l1·‖w‖₁`` part by one of three rules:

- ``subgradient``: ``w - lr·(g + l1·sign(w))`` with ``sign(0) = 0``. With a constant step it
  chatters about 0 instead of landing on it.
- ``clipped`` (truncated gradient): the same step, but a coordinate that would cross 0 stops
  at 0, and at 0 it stays while ``|g_j| ≤ l1``.
- ``proximal`` (ISTA): ``soft_threshold(w - lr·g, lr·l1)``.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

Gradient = Callable[[np.ndarray], np.ndarray]
Rule = Callable[[np.ndarray, float], np.ndarray]
Schedule = Callable[[int], float]

L1_UPDATES = ("subgradient", "clipped", "proximal")
SCHEDULES = ("constant", "inv_sqrt", "inv")


def sign(w: np.ndarray) -> np.ndarray:
    """``sign`` with ``sign(0) = 0``."""
    return np.sign(w)


def soft_threshold(z: np.ndarray, t: float) -> np.ndarray:
    """``S(z, t) = sign(z)·max(|z| - t, 0)``, per coordinate: the proximal map of ``t·‖w‖₁``."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def gradient_step(grad: Gradient) -> Rule:
    """Plain gradient descent on a smooth objective."""
    return lambda w, lr: w - lr * grad(w)


def subgradient_step(grad: Gradient, l1: float) -> Rule:
    """Subgradient descent on ``smooth + l1·|w|``."""
    return lambda w, lr: w - lr * (grad(w) + l1 * sign(w))


def clipped_step(grad: Gradient, l1: float) -> Rule:
    """The subgradient step, truncated at 0 (Langford, Li & Zhang 2009)."""

    def step(w: np.ndarray, lr: float) -> np.ndarray:
        g = grad(w)
        new = w - lr * (g + l1 * sign(w))
        new = np.where(sign(new) != sign(w), 0.0, new)
        # A coordinate at 0 leaves it only when the smooth part pushes harder than the penalty holds.
        return np.where(w == 0.0, soft_threshold(-lr * g, lr * l1), new)

    return step


def proximal_step(grad: Gradient, l1: float) -> Rule:
    """A gradient step on the smooth part, then soft-thresholding (ISTA)."""
    return lambda w, lr: soft_threshold(w - lr * grad(w), lr * l1)


L1_RULES: dict[str, Callable[[Gradient, float], Rule]] = {
    "subgradient": subgradient_step,
    "clipped": clipped_step,
    "proximal": proximal_step,
}


def schedule(name: str, lr: float) -> Schedule:
    """Step size at step ``t``: ``lr``, ``lr/√(t+1)`` or ``lr/(t+1)``."""
    if name == "constant":
        return lambda t: lr
    if name == "inv_sqrt":
        return lambda t: lr / math.sqrt(t + 1)
    if name == "inv":
        return lambda t: lr / (t + 1)
    raise ValueError(f"unknown schedule {name!r}; use one of {', '.join(SCHEDULES)}")

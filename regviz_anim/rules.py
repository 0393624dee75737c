"""Update rules and step-size schedules, each a small pure function.

A rule maps ``(w, lr) -> new w``. The smooth part of the objective (data loss plus
``l2·w²``) is handled by a gradient step; the ``l1·|w|`` part by one of three rules:

- ``subgradient``: ``w - lr·(g + l1·sign(w))`` with ``sign(0) = 0``. With a constant step it
  chatters about 0 instead of landing on it.
- ``clipped`` (truncated gradient): the same step, but one that would carry ``w`` across 0
  stops at 0, and at 0 the weight stays while ``|g(0)| ≤ l1``.
- ``proximal`` (ISTA): ``soft_threshold(w - lr·g, lr·l1)``.
"""
from __future__ import annotations

import math
from typing import Callable

Gradient = Callable[[float], float]
Rule = Callable[[float, float], float]
Schedule = Callable[[int], float]

L1_UPDATES = ("subgradient", "clipped", "proximal")
SCHEDULES = ("constant", "inv_sqrt", "inv")


def sign(w: float) -> float:
    """``sign`` with ``sign(0) = 0``."""
    return (w > 0) - (w < 0)


def soft_threshold(z: float, t: float) -> float:
    """``S(z, t) = sign(z)·max(|z| - t, 0)``: the proximal map of ``t·|w|``."""
    return sign(z) * max(abs(z) - t, 0.0)


def gradient_step(grad: Gradient) -> Rule:
    """Plain gradient descent on a smooth objective."""
    return lambda w, lr: w - lr * grad(w)


def subgradient_step(grad: Gradient, l1: float) -> Rule:
    """Subgradient descent on ``smooth + l1·|w|``."""
    return lambda w, lr: w - lr * (grad(w) + l1 * sign(w))


def clipped_step(grad: Gradient, l1: float) -> Rule:
    """The subgradient step, truncated at 0 (Langford, Li & Zhang 2009)."""

    def step(w: float, lr: float) -> float:
        if w == 0.0:
            # Leave 0 only when the data pushes harder than the penalty holds.
            return soft_threshold(-lr * grad(0.0), lr * l1)
        new = w - lr * (grad(w) + l1 * sign(w))
        return 0.0 if sign(new) != sign(w) else new

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

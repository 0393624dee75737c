"""Optimizers: how a step is taken from a gradient, in the spirit of optax's transformations.

An optimizer is a pair ``init(w) -> state`` and ``step(state, w, grad, lr) -> (w, state)``: what it
remembers between steps (momentum's trace, Adam's moments) lives in the state, not in the caller.
Plain gradient descent is one too, with no state, and every run goes through one. A new optimizer
is one entry in ``OPTIMIZERS``.
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np

__all__ = ["Optimizer", "GradientDescent", "OPTIMIZERS"]


class Optimizer(Protocol):
    name: str

    def init(self, w: np.ndarray) -> Any:
        """The state before the first step."""

    def step(self, state: Any, w: np.ndarray, grad: np.ndarray, lr: float) -> tuple[np.ndarray, Any]:
        """The weights after one step of size ``lr`` on ``grad``, and the new state."""


class GradientDescent:
    """``w ← w − η·g``."""

    name = "gd"

    def init(self, w: np.ndarray) -> None:
        return None

    def step(self, state: None, w: np.ndarray, grad: np.ndarray, lr: float) -> tuple[np.ndarray, None]:
        return w - lr * grad, state


OPTIMIZERS: dict[str, Optimizer] = {optimizer.name: optimizer for optimizer in (GradientDescent(),)}

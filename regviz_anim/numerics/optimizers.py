"""Optimizers: how a step is taken from a gradient, in the spirit of optax's transformations.

An optimizer is a pair ``init(w) -> state`` and ``step(state, w, grad, lr) -> (w, state)``: what it
remembers between steps (momentum's trace, Adam's moments) lives in the state, not in the caller.
Plain gradient descent is one too, with no state, and every run goes through one. A new optimizer
is one entry in ``OPTIMIZERS``. The conventions are PyTorch's and optax's:

- ``gd``: ``w ← w − η·g``;
- ``momentum`` (heavy ball): ``v ← β·v + g``, ``w ← w − η·v`` (``v`` starts at 0);
- ``nesterov``: ``v ← β·v + g``, ``w ← w − η·(g + β·v)``;
- ``adam``: ``m ← β1·m + (1 − β1)·g``, ``s ← β2·s + (1 − β2)·g²``, bias-corrected
  ``m̂ = m/(1 − β1ᵗ)``, ``ŝ = s/(1 − β2ᵗ)``, ``w ← w − η·m̂/(√ŝ + ε)``.

``configured(momentum=β, betas=(β1, β2), eps=ε)`` gives the optimizer with a scenario's settings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

__all__ = ["Optimizer", "GradientDescent", "Momentum", "Adam", "OPTIMIZERS", "configured"]


class Optimizer(Protocol):
    name: str

    def init(self, w: np.ndarray) -> Any:
        """The state before the first step."""

    def step(self, state: Any, w: np.ndarray, grad: np.ndarray, lr: float) -> tuple[np.ndarray, Any]:
        """The weights after one step of size ``lr`` on ``grad``, and the new state."""


@dataclass(frozen=True)
class GradientDescent:
    """``w ← w − η·g``."""

    name: str = "gd"
    label: str = "GD"

    def init(self, w: np.ndarray) -> None:
        return None

    def step(self, state: None, w: np.ndarray, grad: np.ndarray, lr: float) -> tuple[np.ndarray, None]:
        return w - lr * grad, state


@dataclass(frozen=True)
class Momentum:
    """Heavy-ball momentum, or with ``nesterov`` Nesterov's: PyTorch's ``SGD(momentum=β,
    nesterov=...)`` with no dampening, optax's ``sgd(momentum=β, nesterov=...)``."""

    name: str = "momentum"
    label: str = "Momentum"
    beta: float = 0.9
    nesterov: bool = False

    def init(self, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(w)

    def step(self, state: np.ndarray, w: np.ndarray, grad: np.ndarray, lr: float):
        velocity = self.beta * state + grad
        direction = grad + self.beta * velocity if self.nesterov else velocity
        return w - lr * direction, velocity


@dataclass(frozen=True)
class Adam:
    """Adam with bias-corrected moments (Kingma & Ba), as PyTorch and optax take it."""

    name: str = "adam"
    label: str = "Adam"
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def init(self, w: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
        return 0, np.zeros_like(w), np.zeros_like(w)

    def step(self, state, w, grad, lr):
        t, m, s = state
        t += 1
        b1, b2 = self.betas
        m = b1 * m + (1.0 - b1) * grad
        s = b2 * s + (1.0 - b2) * grad * grad
        m_hat = m / (1.0 - b1 ** t)
        s_hat = s / (1.0 - b2 ** t)
        return w - lr * m_hat / (np.sqrt(s_hat) + self.eps), (t, m, s)


OPTIMIZERS: dict[str, Optimizer] = {optimizer.name: optimizer for optimizer in (
    GradientDescent(),
    Momentum(),
    Momentum(name="nesterov", label="Nesterov", nesterov=True),
    Adam(),
)}


def configured(name: str, *, momentum: float = 0.9, betas: tuple[float, float] = (0.9, 0.999),
               eps: float = 1e-8) -> Optimizer:
    """The optimizer named ``name`` with these settings (those it has)."""
    optimizer = OPTIMIZERS[name]
    settings = {"beta": momentum, "betas": tuple(betas), "eps": eps}
    fields = getattr(optimizer, "__dataclass_fields__", {})
    own = {key: value for key, value in settings.items() if key in fields}
    return replace(optimizer, **own) if own else optimizer

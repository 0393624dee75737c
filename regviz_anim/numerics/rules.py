"""Update rules for the L1 term, and step-size schedules: small pieces, one record each.

A rule wraps an optimizer (:mod:`regviz_anim.numerics.optimizers`) and takes the same
``init(w)`` / ``step(state, w, grad, lr)``, where ``grad`` is the gradient of the smooth part of the
objective (data loss plus ``l2·‖w‖²``). It decides what becomes of the ``l1·‖w‖₁`` part, coordinate
by coordinate:

- ``gradient`` (no L1 part): the optimizer's step on ``grad``;
- ``subgradient``: the step on ``grad + l1·sign(w)`` with ``sign(0) = 0``. With a constant step it
  chatters about 0 instead of landing on it;
- ``clipped`` (truncated gradient, Langford, Li & Zhang 2009): the same step, but a coordinate that
  would cross 0 stops at 0, and at 0 it stays while the smooth part pushes less than ``l1``;
- ``proximal`` (ISTA; FOBOS with stochastic batches): the step on ``grad``, then
  ``soft_threshold(·, lr·l1)``;
- ``cumulative`` (Tsuruoka, Tsujii & Ananiadou 2009): the step on ``grad``, then the penalty every
  step so far should have applied (``u``), less what it did (``q``), clipped at 0: exactly as
  scikit-learn's ``SGDRegressor`` applies an L1 penalty.

``proximal`` and ``cumulative`` need plain gradient steps (``ONLY_GD``); ``Decoupled`` is weight
decay beside any optimizer (AdamW with Adam).

``holds_at_zero`` says whether a coordinate can rest at exactly 0 under the rule (for the pushes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .optimizers import Optimizer

__all__ = ["sign", "soft_threshold", "L1_RULES", "rule_for", "Schedule", "SCHEDULES"]


def sign(w: np.ndarray) -> np.ndarray:
    """``sign`` with ``sign(0) = 0``."""
    return np.sign(w)


def soft_threshold(z: np.ndarray, t: float) -> np.ndarray:
    """``S(z, t) = sign(z)·max(|z| - t, 0)``, per coordinate: the proximal map of ``t·‖w‖₁``."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@dataclass(frozen=True)
class Plain:
    """No L1 part: the optimizer's own step."""

    optimizer: Optimizer
    l1: float = 0.0
    holds_at_zero = False

    def init(self, w: np.ndarray) -> Any:
        return self.optimizer.init(w)

    def step(self, state, w, grad, lr):
        return self.optimizer.step(state, w, grad, lr)


@dataclass(frozen=True)
class Subgradient(Plain):
    """Subgradient descent on ``smooth + l1·|w|``."""

    def step(self, state, w, grad, lr):
        return self.optimizer.step(state, w, grad + self.l1 * sign(w), lr)


@dataclass(frozen=True)
class Clipped(Plain):
    """The subgradient step, truncated at 0 (Langford, Li & Zhang 2009)."""

    holds_at_zero = True

    def step(self, state, w, grad, lr):
        side = sign(w)
        new, state = self.optimizer.step(state, w, grad + self.l1 * side, lr)
        # At 0, sign(w) = 0: that step is the smooth part's alone, and it leaves 0 only by as much
        # as it pushes harder than the penalty holds.
        moved = soft_threshold(new, lr * self.l1)
        new = np.where(sign(new) != side, 0.0, new)
        return np.where(side == 0.0, moved, new), state


@dataclass(frozen=True)
class Proximal(Plain):
    """A step on the smooth part, then soft-thresholding (ISTA)."""

    holds_at_zero = True

    def step(self, state, w, grad, lr):
        new, state = self.optimizer.step(state, w, grad, lr)
        return soft_threshold(new, lr * self.l1), state


@dataclass(frozen=True)
class Cumulative(Plain):
    """The cumulative L1 penalty (Tsuruoka et al. 2009), as scikit-learn's ``SGDRegressor`` has it."""

    holds_at_zero = True

    def init(self, w: np.ndarray) -> Any:
        return self.optimizer.init(w), 0.0, np.zeros_like(w)

    def step(self, state, w, grad, lr):
        inner, u, q = state
        z, inner = self.optimizer.step(inner, w, grad, lr)
        u = u + lr * self.l1
        new = np.where(z > 0.0, np.maximum(0.0, z - (u + q)), np.where(z < 0.0, np.minimum(0.0, z + (u - q)), z))
        return new, (inner, u, q + (new - z))


L1_RULES: dict[str, type[Plain]] = {"subgradient": Subgradient, "clipped": Clipped, "proximal": Proximal,
                                    "cumulative": Cumulative}
ONLY_GD = ("proximal", "cumulative")  # rules whose step is defined for plain gradient steps


@dataclass(frozen=True)
class Decoupled:
    """Decoupled weight decay around a rule: ``w ← w − η·2λ·w`` beside the step on the rest of the
    gradient. With plain gradient descent that is L2's step exactly (``2λw`` added to the
    gradient); with Adam it is AdamW."""

    rule: Plain
    decay: float

    @property
    def holds_at_zero(self) -> bool:
        return self.rule.holds_at_zero

    def init(self, w: np.ndarray) -> Any:
        return self.rule.init(w)

    def step(self, state, w, grad, lr):
        if getattr(self.rule.optimizer, "name", "") == "gd":
            return self.rule.step(state, w, grad + 2.0 * self.decay * w, lr)
        new, state = self.rule.step(state, w, grad, lr)
        return new - lr * 2.0 * self.decay * w, state


def rule_for(update: str, optimizer: Optimizer, l1: float) -> Plain:
    """The rule named ``update`` (``gradient``, or one of ``L1_RULES``) around ``optimizer``."""
    return Plain(optimizer) if update == "gradient" else L1_RULES[update](optimizer, l1)


@dataclass(frozen=True)
class Schedule:
    """A step-size schedule: the step size at step ``t`` from the first one, and how a title writes it."""

    name: str
    rate: Callable[[float, int], float]
    title: str  # after η in the frame's title: η/√(t+1)
    help: str


SCHEDULES = {s.name: s for s in (
    Schedule("constant", lambda lr, t: lr, "", "lr"),
    Schedule("inv_sqrt", lambda lr, t: lr / math.sqrt(t + 1), "/√(t+1)", "lr/sqrt(t+1)"),
    Schedule("inv", lambda lr, t: lr / (t + 1), "/(t+1)", "lr/(t+1)"),
)}

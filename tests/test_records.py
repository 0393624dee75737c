"""One record per concept: a new regularizer, L1 rule, schedule or optimizer is one entry in its
registry, and everything else (options, labels, colours, captions, the frames) follows."""
import math

import numpy as np
import pytest

import regviz_anim as ra
from regviz_anim.numerics.optimizers import OPTIMIZERS
from regviz_anim.numerics.penalties import REGULARIZERS, Regularizer
from regviz_anim.numerics.problem import make_dataset
from regviz_anim.numerics.rules import L1_RULES, SCHEDULES, Schedule, Subgradient
from regviz_anim.numerics.steps import run
from regviz_anim.numerics.penalties import penalty_for


def test_a_new_regularizer_is_one_entry(tmp_path, monkeypatch):
    monkeypatch.setitem(REGULARIZERS, "halfl1", Regularizer("halfl1", "Half L1", lambda lam, ratio: (lam / 2, 0.0),
                                                           True))
    sim = ra.simulate(reg="halfl1,l1", lam=0.5, steps=300)
    half, full = sim.runs
    assert half.label == "Half L1" and half.penalty.l1 == 0.25
    # its exact minimiser is L1's at half the strength: sign(b)·max(|b| - λ/4, 0)/a
    a, b = 0.335, 0.1675
    assert half.w_star[0] == pytest.approx((b - 0.125) / a) and half.w[-1, 0] == pytest.approx(half.w_star[0])
    result = ra.render(tmp_path / "h.gif", reg="halfl1,l1", features=2, frames=4, size=(320, 180))
    assert result.frames == 4  # the plane names its ball, and colours it, without an entry of their own
    with pytest.raises(ra.ConfigError, match="must be one or more of none, l1, l2, elasticnet, decay, halfl1"):
        ra.simulate(reg="quarter")


def test_a_new_schedule_is_one_entry(monkeypatch):
    monkeypatch.setitem(SCHEDULES, "inv_cbrt", Schedule("inv_cbrt", lambda lr, t: lr / (t + 1) ** (1 / 3),
                                                        "/∛(t+1)", "lr/cbrt(t+1)"))
    r = ra.simulate(schedule="inv_cbrt", reg="l2", steps=8).runs[0]
    assert r.lr.tolist() == pytest.approx([0.1 / (t + 1) ** (1 / 3) for t in range(8)])


def test_a_new_l1_rule_is_one_entry(monkeypatch):
    class Halved(Subgradient):  # the subgradient step at half the L1 strength
        def step(self, state, w, grad, lr):
            return self.optimizer.step(state, w, grad + 0.5 * self.l1 * np.sign(w), lr)

    monkeypatch.setitem(L1_RULES, "halved", Halved)
    sim = ra.simulate(reg="l1", l1_update="halved,subgradient", steps=3)
    assert [r.label for r in sim.runs] == ["L1 · halved", "L1 · subgradient"]
    assert sim.runs[0].w[1, 0] == pytest.approx(1.0 - 0.1 * (0.67 - 0.335 + 0.25))


def test_a_new_optimizer_is_one_entry_with_state(monkeypatch):
    class HeavyBall:
        """Momentum, ``v ← βv + g; w ← w − ηv``: its trace is its state."""
        name = "heavy"

        def init(self, w):
            return np.zeros_like(w)

        def step(self, state, w, grad, lr):
            v = 0.9 * state + grad
            return w - lr * v, v

    monkeypatch.setitem(OPTIMIZERS, "heavy", HeavyBall())
    data = make_dataset()
    penalty = penalty_for("l2", 0.5)
    r = run(data, penalty, "gradient", lr=0.1, steps=3, w0=1.0, optimizer="heavy")
    w, v = 1.0, 0.0
    for _ in range(3):
        v = 0.9 * v + (0.67 * w - 0.335 + 1.0 * w)
        w = w - 0.1 * v
    assert r.w[-1, 0] == pytest.approx(w) and not math.isclose(w, run(data, penalty, "gradient", lr=0.1, steps=3,
                                                                         w0=1.0).w[-1, 0])

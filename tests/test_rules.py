"""Each update rule and schedule against updates computed by hand."""
import numpy as np
import pytest

from regviz_anim.numerics.optimizers import OPTIMIZERS, GradientDescent
from regviz_anim.numerics.rules import SCHEDULES, rule_for, sign, soft_threshold


def grad(w):  # L'(w) = 2(a w - b) on the seed's data: a = 0.335, b = 0.1675
    return 0.67 * w - 0.335


def step(update: str, l1: float):
    """One step of the rule around plain gradient descent, on one weight: (w, lr) -> new w."""
    rule = rule_for(update, GradientDescent(), l1)

    def one(w: float, lr: float) -> float:
        w = np.array([w])
        new, state = rule.step(rule.init(w), w, grad(w), lr)
        assert state is None  # plain gradient descent keeps no state
        return float(new[0])
    return one


def test_sign_of_zero_is_zero():
    assert (sign(-2.0), sign(0.0), sign(3.0)) == (-1, 0, 1)


@pytest.mark.parametrize("z, t, expected", [(1.0, 0.3, 0.7), (-1.0, 0.3, -0.7), (0.2, 0.3, 0.0), (-0.3, 0.3, 0.0)])
def test_soft_threshold(z, t, expected):
    assert soft_threshold(z, t) == pytest.approx(expected, abs=0)


def test_gradient_descent_by_hand():
    assert OPTIMIZERS["gd"].step(None, np.array([1.0, -2.0]), np.array([0.5, 1.0]), 0.1)[0].tolist() == [0.95, -2.1]
    assert step("gradient", 0.0)(1.0, 0.1) == pytest.approx(1.0 - 0.1 * 0.335)


def test_subgradient_step_by_hand():
    assert step("subgradient", 0.5)(1.0, 0.1) == pytest.approx(1.0 - 0.1 * (0.335 + 0.5))
    # sign(0) = 0: at zero only the data gradient acts, so the step leaves 0.
    assert step("subgradient", 0.5)(0.0, 0.1) == pytest.approx(0.0335)


def test_clipped_step_stops_at_zero_and_stays_while_data_push_is_within_lambda():
    clipped = step("clipped", 0.5)
    assert clipped(0.01, 0.1) == 0.0            # would cross 0: stops there
    assert clipped(0.0, 0.1) == 0.0             # |L'(0)| = 0.335 <= 0.5: stays
    assert clipped(1.0, 0.1) == pytest.approx(0.9165)
    assert step("clipped", 0.2)(0.0, 0.1) == pytest.approx(0.1 * (0.335 - 0.2))  # data wins: leaves


def test_proximal_step_is_soft_thresholded_gradient_step():
    assert step("proximal", 0.5)(1.0, 0.1) == pytest.approx(1.0 - 0.1 * 0.335 - 0.05)
    assert step("proximal", 0.5)(0.01, 0.1) == 0.0  # 0.933·0.01 + 0.0335 < 0.05


def test_the_rules_that_rest_at_zero_say_so():
    assert [rule_for(u, GradientDescent(), 0.5).holds_at_zero for u in ("gradient", "subgradient", "clipped",
                                                                           "proximal")] == [False, False, True, True]


def test_schedules():
    assert [SCHEDULES["constant"].rate(0.2, t) for t in (0, 3)] == [0.2, 0.2]
    assert SCHEDULES["inv_sqrt"].rate(0.2, 3) == pytest.approx(0.1)
    assert SCHEDULES["inv"].rate(0.2, 3) == pytest.approx(0.05)

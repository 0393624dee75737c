"""Each update rule against updates computed by hand."""
import pytest

from regviz_anim.rules import clipped_step, proximal_step, schedule, sign, soft_threshold, subgradient_step


def grad(w):  # L'(w) = 2(a w - b) on the seed's data: a = 0.335, b = 0.1675
    return 0.67 * w - 0.335


def test_sign_of_zero_is_zero():
    assert (sign(-2.0), sign(0.0), sign(3.0)) == (-1, 0, 1)


@pytest.mark.parametrize("z, t, expected", [(1.0, 0.3, 0.7), (-1.0, 0.3, -0.7), (0.2, 0.3, 0.0), (-0.3, 0.3, 0.0)])
def test_soft_threshold(z, t, expected):
    assert soft_threshold(z, t) == pytest.approx(expected, abs=0)


def test_subgradient_step_by_hand():
    assert subgradient_step(grad, 0.5)(1.0, 0.1) == pytest.approx(1.0 - 0.1 * (0.335 + 0.5))
    # sign(0) = 0: at zero only the data gradient acts, so the step leaves 0.
    assert subgradient_step(grad, 0.5)(0.0, 0.1) == pytest.approx(0.0335)


def test_clipped_step_stops_at_zero_and_stays_while_data_push_is_within_lambda():
    step = clipped_step(grad, 0.5)
    assert step(0.01, 0.1) == 0.0            # would cross 0: stops there
    assert step(0.0, 0.1) == 0.0             # |L'(0)| = 0.335 <= 0.5: stays
    assert step(1.0, 0.1) == pytest.approx(0.9165)
    assert clipped_step(grad, 0.2)(0.0, 0.1) == pytest.approx(0.1 * (0.335 - 0.2))  # data wins: leaves


def test_proximal_step_is_soft_thresholded_gradient_step():
    assert proximal_step(grad, 0.5)(1.0, 0.1) == pytest.approx(1.0 - 0.1 * 0.335 - 0.05)
    assert proximal_step(grad, 0.5)(0.01, 0.1) == 0.0  # 0.933·0.01 + 0.0335 < 0.05


def test_schedules():
    assert [schedule("constant", 0.2)(t) for t in (0, 3)] == [0.2, 0.2]
    assert schedule("inv_sqrt", 0.2)(3) == pytest.approx(0.1)
    assert schedule("inv", 0.2)(3) == pytest.approx(0.05)

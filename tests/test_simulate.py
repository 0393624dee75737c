"""The simulator against closed forms and the stories it exists to tell."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from regviz_anim.errors import ConfigError
from regviz_anim.options import Scenario
from regviz_anim.numerics.penalties import penalty_for
from regviz_anim.numerics.problem import make_dataset
from regviz_anim.numerics import simulate
from regviz_anim.numerics.steps import run


def by_label(sim):
    return {r.label: r for r in sim.runs}


def test_seed_data_moments_and_minimisers():
    data = make_dataset()
    np.testing.assert_allclose(data.x, np.arange(-1, 1, 0.1), rtol=0, atol=1e-15)
    assert data.A[0, 0] == pytest.approx(0.335) and data.b[0] == pytest.approx(0.1675)
    assert penalty_for("l1", 0.5).w_star(data) == 0.0
    assert penalty_for("l2", 0.5).w_star(data) == pytest.approx(0.20060, abs=5e-6)


@pytest.mark.parametrize("update", ["clipped", "proximal"])
def test_seed_l1_lands_on_exactly_zero_and_stays(update):
    sim = simulate(Scenario(l1_update=(update,)))
    l1, l2 = by_label(sim)["L1"], by_label(sim)["L2"]
    assert l1.zero_step == 24
    assert np.all(l1.w[24:] == 0.0) and l1.w[23] != 0.0
    assert l2.w[-1] == pytest.approx(0.20060, abs=5e-6)
    assert np.all(l2.w != 0.0) and l2.zero_step is None
    assert not l1.diverged and not l2.diverged


def test_plain_subgradient_chatters_inside_its_predicted_band():
    r = by_label(simulate(Scenario(reg=("l1",), l1_update=("subgradient",))))["L1"]
    assert r.zero_step is None
    assert np.count_nonzero(r.w == 0.0) < 2
    lo, hi = r.band
    assert hi - lo == pytest.approx(2 * 0.1 * 0.5)  # 2ηλ wide
    entered = int(np.argmax((r.w >= lo) & (r.w <= hi)))
    assert 0 < entered < 40
    after = r.w[entered:]
    assert np.all((after >= lo - 1e-12) & (after <= hi + 1e-12))
    assert after.min() < 0 < after.max()  # it really does cross back and forth


def test_diminishing_step_closes_in_on_zero():
    const = simulate(Scenario(reg=("l1",), l1_update=("subgradient",), steps=2000))
    shrinking = simulate(Scenario(reg=("l1",), l1_update=("subgradient",), steps=2000, schedule="inv_sqrt"))
    tail_const = np.abs(const.runs[0].w[-200:]).max()
    tail_shrink = np.abs(shrinking.runs[0].w[-200:]).max()
    assert tail_shrink < 0.01 < tail_const
    inv = simulate(Scenario(reg=("l1",), l1_update=("subgradient",), steps=2000, schedule="inv", lr=1.0))
    assert np.abs(inv.runs[0].w[-200:]).max() < 0.005


def test_several_l1_updates_give_several_runs():
    sim = simulate(Scenario(reg=("l1", "l2"), l1_update=("subgradient", "proximal")))
    assert [(r.reg, r.update) for r in sim.runs] == [("l1", "subgradient"), ("l1", "proximal"), ("l2", "gradient")]


def test_loss_is_the_objective_at_every_step():
    r = simulate(Scenario()).runs[1]
    data = make_dataset()
    w = r.w[:, 0]
    expected = np.mean((data.y - w[:, None] * data.x) ** 2, axis=1) + 0.5 * w**2
    np.testing.assert_allclose(r.loss, expected, rtol=1e-12)
    assert r.w.shape == (201, 1) and len(r.loss) == 201 and r.w[0, 0] == 1.0


def test_elasticnet_minimiser():
    data = make_dataset()
    pen = penalty_for("elasticnet", 0.2, 0.5)  # l1 = 0.1 < 2b: nonzero
    expected = (data.b[0] - 0.05) / (data.A[0, 0] + 0.1)
    assert pen.w_star(data) == pytest.approx(expected)
    r = run(data, pen, "proximal", lr=0.1, steps=3000, w0=1.0)
    assert r.w[-1] == pytest.approx(expected, abs=1e-9)


def test_noise_is_deterministic_for_a_seed():
    one = make_dataset(noise=0.3, seed=7)
    assert np.array_equal(one.y, make_dataset(noise=0.3, seed=7).y)
    assert not np.array_equal(one.y, make_dataset(noise=0.3, seed=8).y)


def test_divergence_is_an_error_naming_the_stable_bound():
    with pytest.raises(ConfigError) as caught:
        simulate(Scenario(lr=1.3))
    assert caught.value.option == "lr"
    assert "lr < 1/(a+0.5) = 1.198" in str(caught.value)


def test_allowed_divergence_is_truncated_and_marked():
    sim = simulate(Scenario(reg=("l2",), lr=1.5, steps=500, allow_divergence=True))
    r = sim.runs[0]
    assert r.diverged and r.steps < 500
    assert np.all(np.isfinite(r.w)) and np.all(np.isfinite(r.loss))


def test_past_the_bound_but_not_yet_blown_up_is_diverged():
    r = simulate(Scenario(reg=("l2",), lr=1.3, steps=40, allow_divergence=True)).runs[0]
    assert r.diverged and r.steps == 40 and abs(r.w[-1]) > 10


# --- property tests: converged w equals the closed form on random data -------------------------

datasets = st.builds(
    lambda w_true, noise, seed, n: make_dataset(w_true=w_true, noise=noise, seed=seed, n_points=n),
    st.floats(-2, 2), st.floats(0, 0.5), st.integers(0, 10_000), st.integers(5, 50),
)


@settings(max_examples=60, deadline=None)
@given(data=datasets, side=st.sampled_from([0.4, 0.8, 1.25, 3.0]), update=st.sampled_from(["clipped", "proximal"]),
       w0=st.floats(-2, 2))
def test_l1_converges_to_closed_form_on_both_sides_of_threshold(data, side, update, w0):
    assume(abs(data.b[0]) > 1e-3)  # b = 0 puts the threshold at λ = 0
    threshold = 2 * abs(data.b[0])
    lam = side * threshold
    pen = penalty_for("l1", lam)
    lr = 0.5 / data.A[0, 0]  # half the stable bound
    r = run(data, pen, update, lr=lr, steps=4000, w0=w0)
    assert r.w[-1] == pytest.approx(pen.w_star(data), abs=1e-9)
    if side > 1:
        assert r.w[-1] == 0.0 and r.zero_step is not None
    else:
        assert r.w[-1] != 0.0 and r.zero_step is None


@settings(max_examples=60, deadline=None)
@given(data=datasets, lam=st.floats(0, 3), w0=st.floats(-2, 2))
def test_l2_converges_to_closed_form(data, lam, w0):
    pen = penalty_for("l2", lam)
    r = run(data, pen, "gradient", lr=0.5 / (data.A[0, 0] + lam), steps=4000, w0=w0)
    assert r.w[-1] == pytest.approx(data.b[0] / (data.A[0, 0] + lam), abs=1e-9)


def test_frame_steps_cover_start_to_end_and_motion_mode_favours_the_fast_start():
    from regviz_anim.scenedata import pick_steps

    ws = [r.w for r in simulate(Scenario(steps=1000)).runs]
    even, motion = pick_steps(ws, 100, "even"), pick_steps(ws, 100, "motion")
    for steps in (even, motion):
        assert steps[0] == 0 and steps[-1] == 1000 and np.all(np.diff(steps) >= 0)
    assert np.count_nonzero(motion <= 30) > 2 * np.count_nonzero(even <= 30)
    assert np.array_equal(pick_steps(ws[:1], 1001, "motion"), np.arange(1001))  # a frame a step

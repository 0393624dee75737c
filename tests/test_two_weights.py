"""Two weights: exact minimisers against scikit-learn, the descent's end points, the outputs."""
import csv
import io
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image
from sklearn.linear_model import ElasticNet, Lasso, Ridge

import regviz_anim as ra
from regviz_anim.numerics.steps import run
from regviz_anim.scenedata import scene_data
from regviz_anim.numerics.penalties import penalty_for
from regviz_anim.numerics.problem import exact_minimiser, make_dataset
from regviz_anim.scene import Scene
from helpers import SMALL

TOL = dict(tol=1e-14, max_iter=1_000_000, fit_intercept=False)


def sklearn_solution(data, penalty):
    """scikit-learn's answer to the same problem: Lasso alpha = l1/2, Ridge alpha = n·l2, and
    ElasticNet alpha = l1/2 + l2 with l1_ratio = (l1/2)/alpha."""
    X, y, l1, l2 = data.X, data.y, penalty.l1, penalty.l2
    if l1 == 0:
        return Ridge(alpha=len(y) * l2, fit_intercept=False, solver="cholesky").fit(X, y).coef_
    if l2 == 0:
        return Lasso(alpha=l1 / 2, **TOL).fit(X, y).coef_
    alpha = l1 / 2 + l2
    return ElasticNet(alpha=alpha, l1_ratio=(l1 / 2) / alpha, **TOL).fit(X, y).coef_


problems = st.fixed_dictionaries({
    "corr": st.sampled_from([0.0, 0.3, -0.5, 0.9, -0.95]),
    "w_true": st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
    "noise": st.sampled_from([0.0, 0.3]),
    "seed": st.integers(0, 1000),
    "n_points": st.integers(5, 60),
})


@settings(max_examples=80, deadline=None)
@given(problem=problems, reg=st.sampled_from(["l1", "l2", "elasticnet"]), lam=st.floats(0.01, 3.0))
def test_exact_minimiser_matches_scikit_learn(problem, reg, lam):
    data = make_dataset(features=2, **problem)
    penalty = penalty_for(reg, lam)
    ours, theirs = penalty.w_star(data), sklearn_solution(data, penalty)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert all((ours[j] == 0.0) == (theirs[j] == 0.0) for j in range(2) if abs(theirs[j]) > 1e-6 or theirs[j] == 0)


@settings(max_examples=40, deadline=None)
@given(problem=problems, reg=st.sampled_from(["l1", "elasticnet"]), lam=st.floats(0.05, 2.0),
       update=st.sampled_from(["proximal", "clipped"]))
def test_proximal_and_clipped_descent_end_at_scikit_learns_answer(problem, reg, lam, update):
    data = make_dataset(features=2, **{**problem, "corr": min(abs(problem["corr"]), 0.5)})
    penalty = penalty_for(reg, lam)
    theirs = sklearn_solution(data, penalty)
    r = run(data, penalty, update, lr=0.5 * penalty.stable_lr(data), steps=4000, w0=(1.0, -1.0))
    np.testing.assert_allclose(r.w[-1], theirs, atol=1e-6)
    for j in range(2):
        if theirs[j] == 0.0 and np.abs(data.A @ r.w_star - data.b)[j] < 0.5 * penalty.l1 * (1 - 1e-6):
            assert r.w[-1, j] == 0.0 and r.zeros[j] is not None  # exactly zero, with room to spare


def test_exact_minimiser_with_one_weight_is_the_closed_form():
    data = make_dataset()
    for l1, l2 in [(0.5, 0.0), (0.1, 0.0), (0.0, 0.5), (0.2, 0.3)]:
        a, b = float(data.A[0, 0]), float(data.b[0])
        closed = np.sign(b) * max(abs(b) - l1 / 2, 0) / (a + l2)
        assert exact_minimiser(data.A, data.b, l1, l2)[0] == pytest.approx(closed, abs=1e-15)


@pytest.mark.parametrize("corr", [0.0, 0.5, -0.9])
def test_features_are_standardised_with_the_asked_correlation(corr):
    data = make_dataset(features=2, corr=corr, n_points=30, seed=3)
    np.testing.assert_allclose(data.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.A, [[1.0, corr], [corr, 1.0]], atol=1e-12)
    assert np.array_equal(make_dataset(features=2, corr=corr, n_points=30, seed=3).X, data.X)


def test_presets_tell_their_stories():
    diamond = {r.label: r for r in ra.simulate(preset="diamond").runs}
    assert diamond["L1"].w[-1, 1] == 0.0 and diamond["L1"].zero_step[1] is not None and diamond["L1"].w[-1, 0] > 0.5
    assert np.all(diamond["L2"].w != 0.0)
    correlated = {r.label: r for r in ra.simulate(preset="correlated").runs}
    assert correlated["L1"].w[-1, 1] == 0.0 and correlated["L1"].w[-1, 0] > 0.5
    assert correlated["L2"].w[-1].min() > 0.3  # shared between the two alike features
    small = {r.label: r for r in ra.simulate(preset="diamond-small-lambda").runs}
    assert np.all(small["L1"].w[-1] != 0.0) and small["L1"].zero_step == [None, None]



def test_simulate_json_for_two_weights(cli):
    status, out, _ = cli("simulate", "--preset", "diamond")
    doc = json.loads(out)
    assert status == 0 and doc["parameters"]["features"] == 2 and doc["parameters"]["w_true"] == [1.2, 0.1]
    assert all(len(row) == 2 for row in doc["data"]["x"]) and len(doc["data"]["x"]) == 20
    np.testing.assert_allclose(doc["data"]["A"], [[1.0, 0.5], [0.5, 1.0]], atol=1e-12)
    l1, l2 = doc["runs"]
    assert len(l1["w"]) == 151 and all(len(w) == 2 for w in l1["w"]) and l1["w"][-1][1] == 0.0
    assert len(l1["w_star"]) == 2 and l1["w_star"][1] == 0.0
    assert l1["zero_step"][0] is None and isinstance(l1["zero_step"][1], int) and l2["zero_step"] == [None, None]


def test_simulate_csv_has_a_column_per_weight(tmp_path, cli):
    out = tmp_path / "d.csv"
    assert cli("simulate", "--preset", "diamond", "-o", str(out))[0] == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == ["run", "label", "reg", "update", "step", "lr", "w1", "w2", "loss"]
    assert len(rows) == 2 * 151 and float(rows[150]["w2"]) == 0.0


@pytest.mark.parametrize("argv, fragment", [
    (["--features", "2", "--w-true", "1,2,3"], "--w-true 1.0,2.0,3.0: give one number, or 2 (one per weight)"),
    (["--features", "1", "--w-true", "1,2"], "--w-true 1.0,2.0: give one number, or 1 (one per weight)"),
    (["--features", "2", "--corr", "1"], "--corr 1: must be a finite number > -1 and < 1"),
    (["--features", "2", "--corr", "-1"], "--corr -1: must be a finite number > -1 and < 1"),
    (["--features", "101"], "--features 101: must be a whole number from 1 to 100"),
    (["--corr", "0.5"], "--corr 0.5: the correlation of two features needs --features 2"),
    (["--features", "2", "--n-points", "2"], "--n-points 2: needs at least 3 points for 2 weights"),
    (["--features", "2", "--w0", "1,x"], "--w0 1,x: must be a finite number"),
    (["--features", "2", "--lr", "0.9"], "stable only for lr < 1/λmax(A+0.5·I) = 0.6667 with A = XᵀX/n"),
])
def test_bad_two_weight_input_is_exit_2(cli, argv, fragment):
    status, out, err = cli("simulate", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1 and fragment in err, err


@pytest.mark.parametrize("argv, fragment", [
    (["--panels", "plane"],
     "--panels plane: plane does not show 1 weight; with --features 1 --animate steps use any of loss,"),
    (["--features", "2", "--panels", "plane,fit"],
     "fit does not show 2 weights; with --features 2 --animate steps use any of"),
])
def test_panels_must_suit_the_number_of_weights(tmp_path, cli, argv, fragment):
    status, _, err = cli("render", "-o", str(tmp_path / "a.gif"), *argv, *SMALL)
    assert status == 2 and fragment in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size, theme", [("320x180", "light"), ("240x240", "dark")])
def test_two_weight_gif_decodes_with_every_frame(tmp_path, cli, size, theme):
    out = tmp_path / "d.gif"
    argv = ["render", "--preset", "diamond", "-o", str(out), "--frames", "12", "--hold", "0", "--size", size,
            "--theme", theme, "--poster", str(tmp_path / "p.png"), "--no-progress"]
    assert cli(*argv)[0] == 0
    with Image.open(out) as im:
        assert im.n_frames == 12 and im.size == tuple(map(int, size.split("x")))
    record = json.loads((tmp_path / "d.gif.json").read_text())
    assert record["render"]["panels"] == ["plane", "weight", "gap", "gradient"]
    assert record["runs"][0]["w_star"][1] == 0.0 and record["caption"].startswith("L1: w2 exactly 0 since step")


def test_the_plane_puts_l1_on_the_axis_on_the_last_frame():
    sim = ra.simulate(preset="diamond")
    scene = Scene(scene_data(sim, 30), size=(640, 360))
    scene.frame(scene.frame_count - 1)
    assert scene.markers["L1"].get_ydata()[0] == 0.0 and scene.markers["L2"].get_ydata()[0] != 0.0


@pytest.mark.parametrize("features, n_points", [(2, 20), (2, 3), (5, 40)])
def test_the_plane_s_loss_surface_is_the_data_loss(features, n_points):
    data = make_dataset(features=features, n_points=n_points, w_true=tuple(np.linspace(1.5, -0.5, features)),
                        noise=0.4, corr=0.6, seed=3)
    w = np.random.default_rng(1).uniform(-3, 3, (40, 30, features))
    exact = data.data_loss(w)
    np.testing.assert_allclose(data.data_loss_surface(w), exact, rtol=1e-12, atol=1e-12 * exact.max())


def test_the_plane_s_contours_are_the_loss_s_level_sets(tmp_path, cli):
    from regviz_anim.panels.plane import contours, touching

    data = scene_data(ra.simulate(preset="correlated"), 10)
    low = float(data.data.data_loss(data.least_squares))
    curves = contours(data.data, data.least_squares, np.array([0.01, 0.3, 40.0]), 2.0)
    for excess, curve in zip((0.01, 0.3, 40.0), curves):  # every point on its level, the curve closed
        np.testing.assert_allclose(data.data.data_loss(curve), low + excess, rtol=1e-9)
        assert np.array_equal(curve[0], curve[-1])
    assert len(curves[0]) == 361 < len(curves[2])  # a contour far larger than the view gets more points
    nearly = scene_data(ra.simulate(features=2, corr=0.9999999999995, reg=("l2",)), 10)  # A's condition 4e12
    assert contours(nearly.data, nearly.least_squares, [0.1]) is not None
    assert len(touching(nearly, nearly.runs[0].w_star)) == 361
    # two features alike: no ellipses; the plane traces the parallel lines on a grid, and draws
    rows = "".join(f"{x},{x},{2 * x + 0.1}\n" for x in np.linspace(-1, 1, 20))
    (tmp_path / "same.csv").write_text("x1,x2,y\n" + rows)
    same = scene_data(ra.simulate(data=str(tmp_path / "same.csv"), target="y", reg=("l2",)), 10)
    assert contours(same.data, same.least_squares, np.array([0.1]), 2.0) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by a zero curvature along the way
        status, _, err = cli("render", "--data", str(tmp_path / "same.csv"), "--target", "y", "--reg", "l2",
                             "--frames", "10", "--size", "320x180", "--no-progress", "-o", str(tmp_path / "same.gif"))
    assert status == 0, err
    assert Image.open(tmp_path / "same.gif").n_frames == 10


def test_the_diamond_and_the_circle_pass_through_the_solutions():
    from regviz_anim.panels.plane import ball

    edge = ball(0.6, 0.0, 0.6 * 0.95)                # ‖w‖₁ = 0.95: corners at (±0.95, 0), (0, ±0.95)
    np.testing.assert_allclose(np.abs(edge).sum(axis=1), 0.95, atol=1e-12)
    assert [0.95, 0.0] in np.round(edge, 12).tolist() and [0.0, 0.95] in np.round(edge, 12).tolist()
    circle = ball(0.0, 0.6, 0.6 * 0.5)              # ‖w‖² = 0.5
    np.testing.assert_allclose(np.hypot(*circle.T), np.sqrt(0.5), atol=1e-12)


def test_batch_and_api_take_two_weights(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 4\nfeatures = 2\n'
                                     '[[job]]\ncorr = [0.0, 0.9]\nw_true = [[1.0, 0.2]]\nout = "c{corr}.gif"\n')
    status, out, _ = cli("batch", "m.toml", "--no-progress")
    assert status == 0 and "2 jobs: 2 rendered" in out
    assert json.loads((tmp_path / "c0.9.gif.json").read_text())["scenario"]["w_true"] == [1.0, 0.2]

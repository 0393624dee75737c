"""The λ path: exact zero_lam, minimisers against scikit-learn, outputs, playback options."""
import csv
import io
import json

import imageio_ffmpeg
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from PIL import Image
from sklearn.linear_model import Lasso, Ridge, lars_path

import regviz_anim as ra
from regviz_anim.scenedata import scene_data
from regviz_anim.numerics.path import zero_lams
from regviz_anim.numerics.penalties import penalty_for
from regviz_anim.numerics.problem import make_dataset
from regviz_anim.scene import Scene
from helpers import SMALL




@settings(max_examples=60, deadline=None)
@given(w_true=st.floats(-2, 2), noise=st.sampled_from([0.0, 0.5]), seed=st.integers(0, 1000),
       ratio=st.floats(0.1, 1.0))
def test_one_weight_zero_lam_is_two_abs_b(w_true, noise, seed, ratio):
    data = make_dataset(w_true=w_true, noise=noise, seed=seed)
    b = abs(float(data.b[0]))
    assert zero_lams(data, penalty_for("l1", 1.0))[0] == pytest.approx(2 * b, abs=1e-12)
    assert zero_lams(data, penalty_for("elasticnet", 1.0, ratio))[0] == pytest.approx(2 * b / ratio, rel=1e-12)
    assert zero_lams(data, penalty_for("l2", 1.0)) == ((0.0,) if b == 0 else (None,))


problems = st.fixed_dictionaries({
    "corr": st.sampled_from([0.0, 0.3, -0.6, 0.9]),
    "w_true": st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
    "noise": st.sampled_from([0.0, 0.4]),
    "seed": st.integers(0, 1000),
    "n_points": st.integers(8, 40),
})


@settings(max_examples=60, deadline=None)
@given(problem=problems)
def test_two_weight_zero_lam_is_the_lars_knot(problem):
    data = make_dataset(features=2, **problem)
    assume(abs(abs(data.b[0]) - abs(data.b[1])) > 1e-6)  # lars_path misplaces a tie: see the next test
    assume(np.abs(data.b).min() > 1e-6)  # and stops before a knot that close to λ = 0
    alphas, _, coefs = lars_path(data.X, data.y, method="lasso")
    ours = zero_lams(data, penalty_for("l1", 1.0))
    # lars_path also stops before a knot within 1e-6 of λ = 0 (w_true = (1, 6e-8) enters w2 at 1.5e-7)
    assume(min(ours) > 1e-6)
    for j in range(2):
        entered = np.flatnonzero(coefs[j] != 0.0)
        theirs = 2 * alphas[entered[0] - 1] if entered.size else 0.0  # the knot where it became nonzero
        assert ours[j] == pytest.approx(theirs, abs=1e-9)


def test_a_tie_enters_both_weights_at_lambda_max():
    data = make_dataset(features=2, corr=0.9, w_true=(1.0, 1.0), n_points=8)
    assert zero_lams(data, penalty_for("l1", 1.0)) == pytest.approx((3.8, 3.8))
    assert np.all(penalty_for("l1", 3.79).w_star(data) > 0)  # both nonzero just below λmax
    assert np.all(penalty_for("l1", 3.8 * (1 + 1e-9)).w_star(data) == 0)


@settings(max_examples=30, deadline=None)
@given(problem=problems, ratio=st.floats(0.2, 0.9))
def test_elastic_net_zero_lam_is_where_the_exact_minimiser_leaves_zero(problem, ratio):
    data = make_dataset(features=2, **problem)
    unit = penalty_for("elasticnet", 1.0, ratio)
    for j, zero in enumerate(zero_lams(data, unit)):
        if zero and zero > 1e-6:
            above = penalty_for("elasticnet", zero * (1 + 1e-7), ratio).w_star(data)
            below = penalty_for("elasticnet", zero * (1 - 1e-5), ratio).w_star(data)
            assert above[j] == 0.0 and below[j] != 0.0


def test_every_frame_shows_scikit_learns_minimisers():
    sim = ra.simulate(preset="lasso-path")
    n = len(sim.data.y)
    l1, l2 = sim.runs
    for i in range(0, len(sim.lam), 37):
        lam = float(sim.lam[i])
        if lam > 0:
            lasso = Lasso(alpha=lam / 2, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(sim.data.X, sim.data.y)
            np.testing.assert_allclose(l1.w[i], lasso.coef_, atol=1e-6)
        ridge = Ridge(alpha=n * lam, fit_intercept=False, solver="cholesky").fit(sim.data.X, sim.data.y)
        np.testing.assert_allclose(l2.w[i], ridge.coef_, atol=1e-6)


def test_simulate_path_json_and_csv(tmp_path, cli):
    status, out, _ = cli("simulate", "--animate", "lam", "--lam-range", "0,1", "--lam-steps", "11")
    doc = json.loads(out)
    assert status == 0 and doc["lam"] == pytest.approx(np.linspace(0, 1, 11).tolist())
    l1, l2 = doc["runs"]
    assert l1["zero_lam"] == pytest.approx(0.335, abs=1e-12) and l2["zero_lam"] is None
    assert l1["w"][4] == 0.0 and l1["w"][3] > 0 and len(l1["w"]) == 11 and all(w > 0 for w in l2["w"])
    out_csv = tmp_path / "p.csv"
    assert cli("simulate", "--preset", "lasso-path", "-o", str(out_csv))[0] == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert list(rows[0]) == ["run", "label", "reg", "lam", "w1", "w2", "objective"]
    two = json.loads(cli("simulate", "--preset", "lasso-path")[1])
    assert len(two["runs"][0]["zero_lam"]) == 2 and all(len(w) == 2 for w in two["runs"][0]["w"])


@pytest.mark.parametrize("argv, fragment", [
    (["--lam-range", "1,0"], "--lam-range 1,0: must be two numbers LO,HI with 0 <= LO < HI"),
    (["--lam-range=-1,2"], "--lam-range -1,2: must be two numbers LO,HI with 0 <= LO < HI"),
    (["--lam-range", "0,2", "--lam-scale", "log"], "--lam-range 0.0,2.0: a log scale needs LO > 0"),
    (["--lam-scale", "cubic"], "--lam-scale cubic: must be one of linear, log"),
    (["--animate", "time"], "--animate time: must be one of steps, lam"),
    (["--lam-steps", "1"], "--lam-steps 1: must be a whole number from 2 to 100000"),
])
def test_bad_path_input_is_exit_2(cli, argv, fragment):
    status, out, err = cli("simulate", "--animate", "lam", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1 and fragment in err


def test_panels_of_the_other_kind_are_refused(tmp_path, cli):
    status, _, err = cli("render", "--animate", "lam", "--panels", "weight", "-o",
                             str(tmp_path / "a.gif"), *SMALL)
    assert status == 2 and "weight does not show 1 weight as λ grows" in err and list(tmp_path.iterdir()) == []


def test_the_l1_minimum_arrives_at_zero_and_stays():
    sim = ra.simulate(animate="lam")
    data = scene_data(sim, 30)
    scene = Scene(data, size=(640, 360))
    for i in range(scene.frame_count):
        scene.frame(i)
        lam = float(data.lams[data.frame_steps[i]])
        assert (scene.markers["L1"].get_xdata()[0] == 0.0) == (lam >= 0.335)
        assert scene.markers["L2"].get_xdata()[0] > 0.0


@pytest.mark.parametrize("preset", ["lambda-path", "lasso-path"])
def test_path_renders_decode_with_every_frame(tmp_path, cli, preset):
    out = tmp_path / "p.gif"
    assert cli("render", "--preset", preset, "-o", str(out), "--frames", "10", "--hold", "0", *SMALL)[0] == 0
    with Image.open(out) as im:
        assert im.n_frames == 10
    record = json.loads((tmp_path / "p.gif.json").read_text())
    assert len(record["lams_shown"]) == 10 and record["scenario"]["animate"] == "lam"


def gif_delays(path):
    with Image.open(path) as im:
        delays = []
        for i in range(im.n_frames):
            im.seek(i)
            delays.append(im.info["duration"])
    return delays


@pytest.mark.parametrize("kind", [[], ["--animate", "lam"]])
def test_hold_start_and_bounce_in_a_gif(tmp_path, cli, kind):
    out = tmp_path / "b.gif"
    argv = ["render", *kind, "-o", str(out), "--frames", "5", "--fps", "10", "--hold", "1", "--hold-start", "0.5",
            "--bounce", *SMALL]
    assert cli(*argv)[0] == 0
    assert gif_delays(out) == [600, 100, 100, 100, 1100, 100, 100, 100, 100]  # 0 1 2 3 4 3 2 1 0


def test_hold_start_and_bounce_in_an_mp4(tmp_path, cli):
    out = tmp_path / "b.mp4"
    argv = ["render", "-o", str(out), "--frames", "5", "--fps", "10", "--hold", "1", "--hold-start", "0.5",
            "--bounce", *SMALL]
    assert cli(*argv)[0] == 0
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == 9 + 5 + 10  # nine played, the first held 5 more, the turning one 10 more


def test_hold_start_alone_keeps_the_first_frame(tmp_path, cli):
    out = tmp_path / "h.gif"
    assert cli("render", "-o", str(out), "--frames", "4", "--fps", "20", "--hold", "0",
                   "--hold-start", "2", *SMALL)[0] == 0
    assert gif_delays(out) == [2050, 50, 50, 50]  # milliseconds


def test_bounce_poster_is_the_last_frame_of_the_forward_pass(tmp_path, cli):
    out, poster, plain = tmp_path / "b.gif", tmp_path / "p.png", tmp_path / "q.png"
    assert cli("render", "-o", str(out), "--frames", "5", "--bounce", "--poster", str(poster),
                   "--frames-dir", str(tmp_path / "F"), *SMALL)[0] == 0
    assert cli("render", "-o", str(tmp_path / "c.gif"), "--frames", "5", "--poster", str(plain), *SMALL)[0] == 0
    assert np.array_equal(np.asarray(Image.open(poster)), np.asarray(Image.open(plain)))
    assert len(list((tmp_path / "F").iterdir())) == 5


def test_api_and_batch_take_the_path(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sim = ra.simulate(preset="lasso-path")
    assert sim.runs[0].zero_lam[1] < sim.runs[0].zero_lam[0] and sim.runs[1].zero_lam == (None, None)
    (tmp_path / "m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 4\nanimate = "lam"\n'
                                     '[[job]]\nlam_scale = ["linear", "log"]\nlam_range = "0.01,1"\n'
                                     'out = "p-{lam_scale}.gif"\n')
    status, out, _ = cli("batch", "m.toml", "--no-progress")
    assert status == 0 and "2 jobs: 2 rendered" in out
    assert json.loads((tmp_path / "p-log.gif.json").read_text())["lams_shown"][0] == pytest.approx(0.01)

"""How often is it exactly zero: random problems, one a frame. Every trial's minimisers recomputed
from the A and b of the JSON by scikit-learn, the shares from them, the frames, the presets and
bad values."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import regviz_anim as ra
from regviz_anim.numerics.penalties import penalty_for
from regviz_anim.numerics.trials import minimisers, objectives, problem, trial_problems, wilson

from helpers import SMALL

sklearn = pytest.importorskip("sklearn", reason='the peers that check our numbers: pip install ".[test]"')
from sklearn.linear_model import Lasso  # noqa: E402


def peer_lasso(A: np.ndarray, b: np.ndarray, lam: float) -> np.ndarray:
    """``argmin wᵀAw − 2bᵀw + λ‖w‖₁`` from A and b alone: data X (d rows) with XᵀX/d = A and
    Xᵀy/d = b, then scikit-learn's Lasso with alpha = λ/2."""
    d = len(b)
    X = np.sqrt(d) * np.linalg.cholesky(A).T
    y = d * np.linalg.solve(X.T, b)
    return Lasso(alpha=lam / 2, fit_intercept=False, tol=1e-15, max_iter=1_000_000).fit(X, y).coef_


@pytest.mark.parametrize("features, lam", [(2, 1.0), (5, 0.5)])
def test_every_trial_recomputed_from_its_a_and_b(tmp_path, cli, features, lam):
    out = tmp_path / "t.json"
    assert cli("simulate", "--animate", "trials", "--trials", "40", "--features", str(features), "--lam", str(lam),
               "--reg", "l1,l2", "-o", str(out))[0] == 0
    document = json.loads(out.read_text())
    trials, (l1, l2) = document["trials"], document["runs"]
    assert len(trials) == 40 and len(l1["w_star"]) == 40
    for trial, w1, w2 in zip(trials, l1["w_star"], l2["w_star"]):
        A, b = np.array(trial["A"]), np.array(trial["b"])
        peer = peer_lasso(A, b, lam)
        assert np.abs(np.array(w1) - peer).max() < 1e-8
        assert np.array_equal(np.array(w1) == 0.0, np.abs(peer) < 1e-12)  # exact zeros where the peer's are
        assert np.allclose(w2, np.linalg.solve(A + lam * np.eye(features), b), rtol=0, atol=1e-12)
    shares = [np.mean([0.0 in w for w in run["w_star"]]) for run in (l1, l2)]
    assert [l1["zero_share"], l2["zero_share"]] == shares and shares[1] == 0.0 < shares[0]
    assert l1["zero_weight_share"] == pytest.approx(np.mean(np.array(l1["w_star"]) == 0.0))


def test_trials_are_drawn_from_the_seed_and_the_trial():
    a, b = problem(3, 5, 2, 20, 0.0), problem(3, 5, 2, 20, 0.0)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, problem(3, 6, 2, 20, 0.0).X)
    assert np.allclose(a.X.mean(axis=0), 0.0) and np.allclose((a.X ** 2).mean(axis=0), 1.0)
    sim = ra.simulate(animate="trials", trials=30, features=2)
    again = ra.simulate(animate="trials", trials=30, features=2)
    assert sim.ticks == 30 and np.array_equal(sim.runs[0].w, again.runs[0].w)


@pytest.mark.parametrize("features, points, noise", [(1, 20, 0.0), (2, 20, 0.0), (2, 20, 1.0), (8, 50, 0.5),
                                                     (30, 20, 0.0)])
def test_the_trials_drawn_at_once_are_those_drawn_one_by_one(features, points, noise):
    together = trial_problems(4, 60, features, points, noise)
    alone = [problem(4, t, features, points, noise) for t in range(60)]
    assert all(np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) for a, b in zip(together, alone))
    in_blocks = trial_problems(4, 60, features, points, noise, block=7)
    assert all(np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y) for a, b in zip(in_blocks, alone))
    penalty = penalty_for("elasticnet", 0.5, 0.5)
    w = minimisers(together, penalty)
    one_by_one = np.array([float(penalty.objective(p, wt)) for p, wt in zip(together, w)])
    assert np.array_equal(objectives(together, penalty, w), one_by_one)


def test_the_caption_counts_with_its_interval_and_grows_with_the_trials():
    from regviz_anim.scenedata import scene_data

    sim = ra.simulate(preset="how-often")
    data = scene_data(sim, 60)
    hits = int((sim.runs[0].w == 0.0).any(axis=1).sum())
    lo, hi = wilson(hits, 300)
    assert data.caption == (f"L1: {100 * hits / 300:.0f}% of 300 problems have a weight exactly 0 "
                            f"({100 * lo:.0f}–{100 * hi:.0f}%)  ·  L2: 0% of 300")
    assert data.caption_at(59) == data.caption and data.caption_at(0).endswith("L2: 0% so far")
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    low, high = wilson(66, 100)  # the textbook's: 0.563 to 0.745
    assert (round(low, 3), round(high, 3)) == (0.563, 0.745)


def test_a_render_of_the_trials_decodes_and_its_csv_has_a_row_per_trial_and_run(tmp_path, cli):
    out = tmp_path / "t.gif"
    assert cli("render", "--preset", "how-often", "--trials", "24", "--frames", "12", "-o", str(out), *SMALL)[0] == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 12 and gif.size == (320, 180)
    record = json.loads((tmp_path / "t.gif.json").read_text())
    assert record["render"]["panels"] == ["scatter", "count"] and record["trials_shown"][-1] == 24
    csv = tmp_path / "t.csv"
    assert cli("simulate", "--animate", "trials", "--trials", "7", "-o", str(csv))[0] == 0
    lines = csv.read_text().splitlines()
    assert lines[0] == "run,label,reg,trial,w,zero" and len(lines) == 1 + 2 * 7


@pytest.mark.parametrize("argv, fragment", [
    (["--animate", "trials", "--trials", "0"], "--trials 0: must be a whole number from 1 to 100000"),
    (["--animate", "trials", "--trials", "10000000"], "--trials 10000000: must be a whole number from 1 to 100000"),
    (["--animate", "trials", "--optimizer", "adam"], "--optimizer adam: does not apply with --animate trials"),
    (["--animate", "trials", "--data", "diabetes"], "--data diabetes: does not apply with --animate trials"),
])
def test_bad_values_are_exit_2(tmp_path, cli, argv, fragment):
    status, out, err = cli("render", *argv, "-o", str(tmp_path / "x.gif"), *SMALL)
    assert status == 2 and out == "" and fragment in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("theme, reg", [("light", "l1,l2"), ("dark", "l1,l2"), ("light", "l1")])
def test_a_frame_drawn_on_the_one_before_is_the_frame_drawn_alone(theme, reg):
    """The clouds grow: a frame after an earlier one draws only the trials' dots since, onto
    what was drawn by then (Style.growing_items), and is the same, byte for byte, as the frame drawn
    with every dot on the background (here: frames in the opposite order, each drawn alone)."""
    from regviz_anim.scene import Scene
    from regviz_anim.scenedata import scene_data

    sim = ra.simulate(preset="how-often", trials=300, reg=reg)  # one run: a frame may add one dot
    data = scene_data(sim, 40 if reg == "l1" else 20)
    n = len(data.frame_steps)
    on, alone = (Scene(data, size=(480, 270), theme=theme) for _ in range(2))
    (cloud, count, _), = on.growing
    forward = []
    for i in range(n):
        forward.append(on.draw(i).copy())
        k = int(data.frame_steps[i])
        new = count(k) - (count(int(data.frame_steps[i - 1])) if i else 0)
        assert len(cloud.get_offsets()) == (new if i else count(k))  # only the dots since were drawn
    assert count(int(data.frame_steps[-1])) == len(sim.runs) * 300
    for i in reversed(range(n)):
        assert np.array_equal(alone.draw(i), forward[i]), i
    every = on._growth_every
    for scene in (on, alone):  # kept steps lie that many items apart, however the frames were drawn
        kept = sorted(count(step) for step in scene._growth)
        assert all(b - a >= every for a, b in zip(kept, kept[1:])) and len(kept) <= count(k) // every
    assert on._growth  # some steps' clouds were kept: going back starts from the latest before
    for i in reversed(range(n)):
        assert np.array_equal(on.draw(i), forward[i]), i
        k = int(data.frame_steps[i])
        assert len(cloud.get_offsets()) < count(k) or k < min(on._growth)  # from a kept step, not all


def test_a_render_is_the_same_drawn_here_or_by_drawing_processes(tmp_path, cli):
    """Drawing processes start their runs of frames from the background: the clouds they draw
    there are those drawn here, frame after frame (one run: frames that add one dot)."""
    argv = ["render", "--animate", "trials", "--features", "2", "--reg", "l1", "--trials", "60", "--frames", "60",
            *SMALL]
    for workers in (0, 2):
        assert cli(*argv, "--workers", str(workers), "-o", str(tmp_path / f"w{workers}.gif"))[0] == 0
    assert (tmp_path / "w0.gif").read_bytes() == (tmp_path / "w2.gif").read_bytes()


def test_a_frame_stopped_while_drawn_leaves_the_next_frames_right(monkeypatch):
    """Ctrl-C in the middle of a frame (the explorer's kernel interrupted) after going back to a
    kept step: the frames after it are still those drawn alone."""
    from regviz_anim.scene import Scene
    from regviz_anim.scenedata import scene_data

    data = scene_data(ra.simulate(preset="how-often", trials=400), 40)
    on, fresh = (Scene(data, size=(480, 270)) for _ in range(2))
    for i in range(40):
        on.draw(i)
    (cloud, _, _), = on.growing

    def stopped(renderer):
        raise KeyboardInterrupt

    monkeypatch.setattr(cloud, "draw", stopped)
    with pytest.raises(KeyboardInterrupt):
        on.draw(30)  # its kept step was put back, and then the dots since it were not drawn
    monkeypatch.undo()
    for i in (39, 31, 12, 35):
        assert np.array_equal(on.draw(i), fresh.draw(i)), i


def test_a_panel_registers_one_growing_artist():
    from matplotlib.figure import Figure

    from regviz_anim.style import Style

    style, ax = Style("light", (), (), []), Figure().add_subplot()
    style.growing_items(ax.scatter([0.0], [0.0]), lambda k: k + 1, lambda lo, hi: None)
    with pytest.raises(ValueError, match="one growing artist a panel"):
        style.growing_items(ax.scatter([1.0], [1.0]), lambda k: k + 1, lambda lo, hi: None)
    assert len(style.growing) == 1

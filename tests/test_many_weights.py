"""Many weights and real data: exact minimisers against scikit-learn, the lasso's knots against
lars_path, the generator, CSV files good and bad, the presets, and every output."""
from __future__ import annotations

import json

import numpy as np
import pytest

import regviz_anim as ra
from regviz_anim.numerics.lasso import homotopy, minimiser
from regviz_anim.numerics.problem import correlations, make_dataset, sparse_truth

from helpers import SMALL

sklearn = pytest.importorskip("sklearn", reason='the peers that check our numbers: pip install ".[test]"')
from sklearn.linear_model import ElasticNet, Lasso, Ridge, lars_path  # noqa: E402


def problems(count: int, seed: int = 7):
    """Random standardised problems from 3 to 50 weights, some with more weights than points."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n, d = int(rng.integers(5, 60)), int(rng.integers(3, 51))
        X = rng.standard_normal((n, d))
        X -= X.mean(axis=0)
        X /= X.std(axis=0)
        y = X[:, :3] @ np.array([3.0, 1.5, 2.0]) + rng.standard_normal(n)
        yield X, y - y.mean()


def test_exact_minimisers_match_scikit_learn_from_3_to_50_weights():
    rng = np.random.default_rng(3)
    for X, y in problems(40):
        n, d = X.shape
        A, b = X.T @ X / n, X.T @ y / n
        lam = float(rng.uniform(0.05, 0.9)) * 2 * np.abs(b).max()
        lasso = minimiser(A, b, lam, 0.0)
        peer = Lasso(alpha=lam / 2, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(X, y).coef_
        assert np.abs(lasso - peer).max() < 1e-6, (n, d)
        # exact zeros where the optimality conditions say so: off the support |c_j| <= λ/2
        assert np.all(lasso[np.abs(peer) < 1e-9] == 0.0)
        ridge = minimiser(A, b, 0.0, lam)
        assert np.abs(ridge - Ridge(alpha=n * lam, fit_intercept=False).fit(X, y).coef_).max() < 1e-6
        l1, l2 = 0.5 * lam, 0.5 * lam
        alpha = l1 / 2 + l2
        net = minimiser(A, b, l1, l2)
        peer = ElasticNet(alpha=alpha, l1_ratio=(l1 / 2) / alpha, fit_intercept=False, tol=1e-14,
                          max_iter=1_000_000).fit(X, y).coef_
        assert np.abs(net - peer).max() < 1e-6 and np.all(net[np.abs(peer) < 1e-9] == 0.0)


def test_the_lasso_knots_are_lars_paths_first_entries():
    for X, y in problems(30, seed=11):
        n, d = X.shape
        alphas, _, coefs = lars_path(X, y, method="lasso")
        entered = homotopy(X.T @ X / n, X.T @ y / n).entered / 2  # alpha = λ/2
        last = alphas[alphas > 1e-10].min()  # where lars_path stops when the points run out
        for j in range(d):
            nonzero = np.flatnonzero(coefs[j] != 0.0)
            peer = alphas[nonzero[0] - 1] if nonzero.size else 0.0
            if peer > last or entered[j] > last:
                assert entered[j] == pytest.approx(peer, rel=1e-9, abs=1e-12), (n, d, j)


@pytest.mark.parametrize("options", [dict(features=4, w_true=1.0), dict(features=3, w_true=(1, 1, 0)),
                                     dict(features=5, corr=0.5, w_true=(1, 0, 0, 0, 1))])
def test_tied_weights_enter_together(options):
    sim = ra.simulate(reg="l1", animate="lam", **options)  # equal correlations: a tie at the top knot
    X, y = sim.data.X, sim.data.y
    for k in (10, 50, 100, 150):
        peer = Lasso(alpha=sim.lam[k] / 2, fit_intercept=False, tol=1e-14, max_iter=10**6).fit(X, y).coef_
        assert np.abs(sim.runs[0].w[k] - peer).max() < 1e-9
    zeros = np.array(sim.runs[0].zeros)
    tied = np.abs(sim.data.b) >= np.abs(sim.data.b).max() * (1 - 1e-12)
    assert tied.sum() >= 2 and np.allclose(zeros[tied], zeros.max(), rtol=1e-12)  # they leave 0 at one λ


def test_the_elastic_nets_path_and_its_zeros_with_many_weights():
    sim = ra.simulate(features=12, corr=0.4, noise=1.0, reg="elasticnet", animate="lam", lam_steps=30)
    run = sim.runs[0]
    X, y = sim.data.X, sim.data.y

    def peer(lam):
        l1, l2 = 0.5 * lam, 0.5 * lam
        alpha = l1 / 2 + l2
        return ElasticNet(alpha=alpha, l1_ratio=(l1 / 2) / alpha, fit_intercept=False, tol=1e-14,
                          max_iter=1_000_000).fit(X, y).coef_

    for k in (5, 15, 29):
        assert np.abs(run.w[k] - peer(float(sim.lam[k]))).max() < 1e-6
    for j, zero in enumerate(run.zeros):
        assert zero > 0.0
        assert peer(zero * (1 + 1e-6))[j] == 0.0 and abs(peer(zero * (1 - 1e-6))[j]) > 0.0


def test_the_generator_gives_the_correlations_exactly_and_two_weights_as_before():
    data = make_dataset(features=8, corr=0.5, w_true=sparse_truth(8), n_points=20)
    X = data.X
    assert np.allclose(X.mean(axis=0), 0.0, atol=1e-12) and np.allclose((X * X).mean(axis=0), 1.0)
    assert np.allclose(X.T @ X / 20, correlations(8, 0.5), atol=1e-12)  # ρ^|i-j|, exactly
    assert sparse_truth(8) == (3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0)
    truth = sparse_truth(50)
    assert [j for j, w in enumerate(truth) if w] == [0, 10, 20, 30, 40] and truth[:11:10] == (3.0, 1.5)
    wide = make_dataset(features=30, corr=0.3, n_points=10)  # more weights than points
    assert np.allclose(wide.X.mean(axis=0), 0.0, atol=1e-12) and np.allclose(wide.X.std(axis=0), 1.0)


def test_without_w_true_many_weights_get_the_sparse_truth_and_l1_finds_it():
    sim = ra.simulate(features=8, corr=0.5, noise=1.0, lam=2.5, l1_update="proximal", steps=400)
    assert sim.scenario.w_true == sparse_truth(8)
    l1, l2 = sim.runs
    assert [j for j in range(8) if l1.w_star[j] != 0.0] == [0, 1, 4]  # the truth's support
    assert np.abs(l1.w[-1] - l1.w_star).max() < 1e-5 and np.all(l1.w[-1][l1.w_star == 0.0] == 0.0)
    assert np.all(l2.w_star != 0.0)


def test_more_weights_than_points_keeps_at_most_n():
    sim = ra.simulate(features=40, n_points=12, lam=0.05, reg="l1")
    assert 0 < np.count_nonzero(sim.runs[0].w_star) <= 12
    with pytest.raises(ra.ConfigError, match="n_points=12: 40 weights on 12 points"):
        ra.simulate(features=40, n_points=12, reg="none")


def test_the_presets_of_many_weights_say_what_they_show():
    tib = {r.label: r for r in ra.simulate(preset="tibshirani").runs}
    assert [j + 1 for j in np.flatnonzero(tib["L1"].w_star)] == [1, 2, 5]
    assert np.count_nonzero(tib["L2"].w_star) == 8
    many = {r.label: r for r in ra.simulate(preset="many-sparse").runs}
    assert [j + 1 for j in np.flatnonzero(many["L1"].w_star)] == [1, 11, 21, 31, 41]
    assert np.count_nonzero(many["L2"].w_star) == 50
    path = ra.simulate(preset="diabetes-path")
    l1 = path.runs[0]
    names = path.data.names
    last_two = sorted(range(10), key=lambda j: l1.zeros[j])[-2:]
    assert [names[j] for j in last_two] == ["s5", "bmi"]
    assert round(l1.zeros[last_two[0]], 1) == 84.6 and round(l1.zeros[last_two[1]], 1) == 90.3
    X, y = path.data.X, path.data.y
    alphas, _, coefs = lars_path(X, y, method="lasso")
    for j in range(10):
        assert l1.zeros[j] == pytest.approx(2 * alphas[np.flatnonzero(coefs[j])[0] - 1], rel=1e-9)


def test_the_shipped_diabetes_data_is_scikit_learns():
    from sklearn.datasets import load_diabetes

    raw = load_diabetes(scaled=False)
    sim = ra.simulate(data="diabetes", steps=1)
    X = (raw.data - raw.data.mean(axis=0)) / raw.data.std(axis=0)
    assert np.allclose(sim.data.X, X, rtol=0, atol=1e-12) and np.allclose(sim.data.y, raw.target - raw.target.mean())
    assert sim.data.names == tuple(raw.feature_names) and sim.data.target == "progression"


def test_a_csv_of_my_own_with_columns_on_different_scales(tmp_path, cli):
    rng = np.random.default_rng(0)
    big, small, noise = rng.normal(0, 1000, 60), rng.normal(0, 0.001, 60), rng.normal(0, 1, 60)
    y = 0.002 * big + 3000 * small + 5.0
    rows = ["big,small,noise,price"] + [",".join(repr(float(v)) for v in row) for row in zip(big, small, noise, y)]
    (tmp_path / "mine.csv").write_text("\n".join(rows) + "\n")
    sim = ra.simulate(data=str(tmp_path / "mine.csv"), target="price", reg="l1", lam=0.1, animate="lam")
    assert sim.data.names == ("big", "small", "noise") and np.allclose(sim.data.X.std(axis=0), 1.0)
    assert abs(sim.data.y.mean()) < 1e-12
    n = len(y)
    peer = Lasso(alpha=0.05, fit_intercept=False, tol=1e-14, max_iter=10**6).fit(sim.data.X, sim.data.y).coef_
    at = ra.simulate(data=str(tmp_path / "mine.csv"), target="price", reg="l1", lam=0.1).runs[0].w_star
    assert np.abs(at - peer).max() < 1e-6 and n == 60
    out = tmp_path / "mine.json"
    assert cli("simulate", "--data", str(tmp_path / "mine.csv"), "--target", "price", "--columns", "small,big",
               "--steps", "3", "-o", str(out))[0] == 0
    document = json.loads(out.read_text())
    assert document["data"]["names"] == ["small", "big"] and len(document["runs"][0]["w"][0]) == 2
    csv = tmp_path / "mine.csv.out.csv"
    assert cli("simulate", "--data", str(tmp_path / "mine.csv"), "--target", "price", "--steps", "2",
               "-o", str(csv))[0] == 0
    assert csv.read_text().splitlines()[0] == "run,label,reg,update,step,lr,big,small,noise,loss"


@pytest.mark.parametrize("body, extra, fragment", [
    ("a,b,y\n1,2,3\n4,,6\n7,8,9\n", [], "row 3, column b: a missing value"),
    ("a,b,y\n1,2,3\n4,five,6\n7,8,9\n", [], "row 3, column b: 'five' is not a number"),
    ("a,b,y\n1,2,3\n1,5,6\n1,8,9\n", [], "column a is constant"),
    ("a,b,y\n1,2,3\n4,5,6\n", ["--target", "z"], "no column 'z' for --target; the columns are a, b, y"),
    ("a,b,y\n1,2,3\n4,5,6\n", ["--target", "y", "--columns", "a,q"], "no column 'q' for --columns"),
    ("a,b,y\n1,2,3\n4,5\n", [], "row 3: 2 values for 3 columns"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", [], "is not a text (CSV) file"),
    ("", [], "is empty"),
])
def test_bad_files_are_exit_2_naming_the_row_and_column(tmp_path, cli, body, extra, fragment):
    path = tmp_path / "bad.csv"
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    out = tmp_path / "out.gif"
    status, stdout, err = cli("render", "--data", str(path), *(extra or ["--target", "y"]), "-o", str(out), *SMALL)
    assert status == 2 and stdout == "" and err.count("\n") == 1 and fragment in err, err
    assert err.startswith(f"regviz-anim: error: --data {path}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # nothing written


def test_a_missing_file_and_options_that_do_not_apply(tmp_path, cli):
    status, _, err = cli("simulate", "--data", str(tmp_path / "none.csv"), "--target", "y")
    assert status == 2 and "no such file" in err
    status, _, err = cli("simulate", "--data", "diabetes", "--features", "3")
    assert status == 2 and "--features 3: does not apply with --data" in err
    status, _, err = cli("simulate", "--target", "y")
    assert status == 2 and "--target y: needs --data FILE" in err


@pytest.mark.slow
def test_many_weights_render_to_every_format_with_names_in_the_sidecar(tmp_path, cli):
    for out in ("t.gif", "t.mp4"):
        status, stdout, _ = cli("render", "--preset", "tibshirani", "--frames", "8", "-o", str(tmp_path / out), *SMALL)
        assert status == 0, stdout
    record = json.loads((tmp_path / "t.gif.json").read_text())
    assert record["caption"] == ("L1: 5 of 8 weights exactly 0 (x3, x4, x6, x7, x8)  ·  "
                                 "L2: none exactly 0, smallest |w| = 0.046")
    assert record["render"]["panels"] == ["coefficients", "bars", "sparsity", "gap"]
    status, _, _ = cli("render", "--preset", "diabetes-path", "--frames", "6", "-o", str(tmp_path / "d.gif"), *SMALL)
    assert status == 0
    record = json.loads((tmp_path / "d.gif.json").read_text())
    assert record["scenario"]["data"] == "diabetes"
    assert record["caption"].startswith("L1: all 10 weights exactly 0 from λ = 90.32")

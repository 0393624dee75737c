"""The optimizers used in practice: momentum, Nesterov, Adam + L2 and AdamW against optax step by
step, weight decay against L2, stochastic batches and the cumulative L1 penalty against
scikit-learn's SGDRegressor, the proximal (FOBOS) step against the textbook, and bad combinations."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

import regviz_anim as ra
from regviz_anim.numerics.rules import soft_threshold

from helpers import SMALL

SHAPES = [dict(), dict(features=2, corr=0.5, w_true=(1.2, 0.1), w0=(0.2, 1.5)), dict(features=5, corr=0.3, noise=0.5)]

# optax runs in a process of its own: JAX starts threads, and this one forks (drawing processes).
OPTAX = """
import json, sys
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import optax
job = json.load(sys.stdin)
A, b = jnp.asarray(job["A"]), jnp.asarray(job["b"])
out = {}
for name, (kind, options, l2) in job["cases"].items():
    transform = getattr(optax, kind)(**options)
    params = jnp.asarray(job["w0"])
    state = transform.init(params)
    path = [params.tolist()]
    for _ in range(job["steps"]):
        grad = 2.0 * (A @ params - b) + 2.0 * l2 * params
        updates, state = transform.update(grad, state, params)
        params = optax.apply_updates(params, updates)
        path.append(params.tolist())
    out[name] = path
print(json.dumps(out))
"""


def optax_runs(cases: dict, data, w0, steps: int) -> dict:
    """Every iterate of optax's transforms (name -> (optax function, its options, l2)) on the smooth
    gradient 2(Aw − b) + 2·l2·w, in float64."""
    if importlib.util.find_spec("optax") is None:
        pytest.skip('optax checks our optimizers: pip install ".[test]"')
    job = {"A": data.A.tolist(), "b": data.b.tolist(), "steps": steps, "cases": cases,
           "w0": np.broadcast_to(np.asarray(w0, float), (len(data.b),)).tolist()}
    proc = subprocess.run([sys.executable, "-c", OPTAX], input=json.dumps(job), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {name: np.array(path) for name, path in json.loads(proc.stdout).items()}


@pytest.mark.parametrize("shape", SHAPES, ids=["one", "two", "five"])
def test_momentum_nesterov_adam_and_adamw_follow_optax_step_by_step(shape):
    lr, lam, steps = 0.05, 0.5, 60
    sim = ra.simulate(reg="l2,decay", optimizer="momentum,nesterov,adam", lr=lr, lam=lam, steps=steps,
                      momentum=0.8, betas=(0.85, 0.99), eps=1e-7, **shape)
    runs = {r.label: r for r in sim.runs}
    w0 = sim.scenario.w0
    cases = {
        "Momentum + L2": ("sgd", {"learning_rate": lr, "momentum": 0.8}, lam),
        "Nesterov + L2": ("sgd", {"learning_rate": lr, "momentum": 0.8, "nesterov": True}, lam),
        "Adam + L2": ("adam", {"learning_rate": lr, "b1": 0.85, "b2": 0.99, "eps": 1e-7}, lam),
        "AdamW": ("adamw", {"learning_rate": lr, "b1": 0.85, "b2": 0.99, "eps": 1e-7, "weight_decay": 2 * lam},
                  0.0),  # PyTorch's and optax's weight_decay = 2λ
    }
    theirs = optax_runs(cases, sim.data, w0, steps)
    for label in cases:
        assert np.abs(runs[label].w - theirs[label]).max() < 1e-9, label
    assert np.abs(runs["Adam + L2"].w[-1] - runs["AdamW"].w[-1]).max() > 0.05  # where they part


def test_weight_decay_with_gradient_descent_is_l2_exactly():
    for shape in SHAPES:
        l2, decay = ra.simulate(reg="l2,decay", steps=80, **shape).runs
        assert np.array_equal(l2.w, decay.w) and np.array_equal(l2.w_star, decay.w_star)


def test_adam_with_the_l1_subgradient_never_lands_on_0():
    sim = ra.simulate(reg="l1", optimizer="adam", l1_update="subgradient", steps=400, lr=0.05)
    run = sim.runs[0]
    assert run.w_star[0] == 0.0 and not np.any(run.w == 0.0) and run.zero_step is None
    assert abs(run.w[-1, 0]) < 0.06  # it hovers about 0


def test_sgd_with_the_cumulative_penalty_is_scikit_learns_sgdregressor():
    from sklearn.linear_model import SGDRegressor

    for shape, lam, w0 in ((dict(), 0.2, 1.0), (dict(features=5, corr=0.3, noise=0.5, w_true=(1.0, 0.0, 0.5, 0.0, 0.0)),
                                                   0.3, 0.0)):
        n, epochs = 20, 8
        sim = ra.simulate(reg="l1", l1_update="cumulative", batch_size=1, order="cyclic", lam=lam, lr=0.05,
                          w0=w0, steps=epochs * n, **shape)
        peer = SGDRegressor(penalty="l1", alpha=lam / 2, eta0=2 * 0.05, learning_rate="constant", shuffle=False,
                            fit_intercept=False, max_iter=epochs, tol=None, average=False)
        peer.fit(sim.data.X, sim.data.y, coef_init=np.full(sim.data.features, w0))
        assert np.count_nonzero(peer.coef_) >= 1
        ours = sim.runs[0].w[-1]
        assert np.abs(ours - peer.coef_).max() < 1e-9
        assert np.array_equal(ours == 0.0, peer.coef_ == 0.0)  # the same exact zeros


def test_proximal_sgd_is_the_textbook_fobos_step_and_batches_run_in_order():
    lam, lr, size = 0.4, 0.05, 3
    sim = ra.simulate(features=2, corr=0.5, w_true=(1.2, 0.1), w0=(0.2, 1.5), reg="l1", l1_update="proximal",
                      batch_size=size, order="cyclic", lam=lam, lr=lr, steps=50)
    X, y = sim.data.X, sim.data.y
    n = len(y)
    w = np.array([0.2, 1.5])
    starts = [s for s in range(0, n, size)]  # 20 points: batches of 3, the last of 2
    for t in range(50):
        rows = np.arange(starts[t % len(starts)], min(starts[t % len(starts)] + size, n))
        grad = 2 * X[rows].T @ (X[rows] @ w - y[rows]) / len(rows)
        w = soft_threshold(w - lr * grad, lr * lam)
        assert np.array_equal(sim.runs[0].w[t + 1], w), t


def test_the_shuffled_order_is_reproducible_from_the_seed():
    def last(seed):
        return ra.simulate(reg="l1", l1_update="clipped", batch_size=4, seed=seed, noise=0.2, steps=60).runs[0].w

    assert np.array_equal(last(3), last(3)) and not np.array_equal(last(3), last(4))
    cyclic = ra.simulate(reg="l2", batch_size=4, order="cyclic", seed=3, steps=30).runs[0].w
    assert np.array_equal(cyclic, ra.simulate(reg="l2", batch_size=4, order="cyclic", seed=9, steps=30).runs[0].w)


def test_the_full_batch_default_is_what_it_was(tmp_path, cli):
    plain = ra.simulate(reg="l1,l2")
    assert [r.optimizer for r in plain.runs] == ["gd", "gd"]
    full = ra.simulate(reg="l1,l2", batch_size=20)  # every point: the full batch
    assert all(np.array_equal(a.w, b.w) for a, b in zip(plain.runs, full.runs))
    out = tmp_path / "s.json"
    assert cli("simulate", "--optimizer", "gd,adam", "--batch-size", "5", "--reg", "l2", "--steps", "3",
               "-o", str(out))[0] == 0
    document = json.loads(out.read_text())
    assert [(r["optimizer"], r["batch_size"], r["order"]) for r in document["runs"]] == [
        ("gd", 5, "shuffled"), ("adam", 5, "shuffled")]
    assert document["parameters"]["optimizer"] == ["gd", "adam"] and document["parameters"]["batch_size"] == 5
    csv = tmp_path / "s.csv"
    assert cli("simulate", "--optimizer", "momentum", "--reg", "l2", "--steps", "2", "-o", str(csv))[0] == 0
    assert csv.read_text().splitlines()[0] == "run,label,reg,update,optimizer,step,lr,w,loss"


@pytest.mark.parametrize("argv, fragment", [
    (["--optimizer", "adam", "--l1-update", "proximal"],
     "--l1-update proximal: proximal steps need --optimizer gd; with adam use subgradient or clipped"),
    (["--optimizer", "momentum", "--l1-update", "cumulative"], "cumulative steps need --optimizer gd"),
    (["--optimizer", "adam", "--animate", "lam"], "--optimizer adam: does not apply with --animate lam"),
    (["--batch-size", "21"], "--batch-size 21: must be at most the number of points, 20"),
    (["--optimizer", "rmsprop"], "--optimizer rmsprop: must be one or more of gd, momentum, nesterov, adam"),
    (["--betas", "0.9"], "--betas 0.9: must be two numbers A,B"),
    (["--momentum", "1"], "--momentum 1: must be a finite number >= 0 and < 1"),
])
def test_bad_combinations_are_exit_2(tmp_path, cli, argv, fragment):
    out = tmp_path / "x.gif"
    status, stdout, err = cli("render", *argv, "-o", str(out), *SMALL)
    assert status == 2 and stdout == "" and err.count("\n") == 1 and fragment in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_presets_of_optimizers():
    sgd = {r.label: r for r in ra.simulate(preset="sgd-l1").runs}
    assert sgd["L1 · subgradient"].zero_step is None and np.any(sgd["L1 · subgradient"].w[-100:] != 0.0)
    assert sgd["L1 · cumulative"].zero_step is not None and sgd["L1 · proximal"].zero_step is not None
    both = {r.label: r for r in ra.simulate(preset="adam-vs-adamw").runs}
    assert np.array_equal(both["GD + L2"].w, both["GD + decay"].w)
    assert both["Adam + L2"].w[-1, 0] == pytest.approx(0.2006, abs=1e-4)
    assert both["AdamW"].w[-1, 0] == pytest.approx(0.4665, abs=1e-4)
    swing = {r.label: r for r in ra.simulate(preset="momentum").runs}
    assert swing["Momentum + L2"].w.min() == pytest.approx(-0.35, abs=0.005) and swing["GD + L2"].w.min() > 0.2


def test_batch_sizes_compared_beside_the_full_batch():
    options = dict(reg="l1", l1_update="clipped", lam=1.0, features=2, corr=0.5, w_true=(1.2, 0.1), w0=(0.2, 1.5),
                   lr=0.05, steps=120)
    noisy, full = ra.simulate(batch_size="1,all", **options).runs
    assert (noisy.label, full.label) == ("L1 · batch 1", "L1 · full batch")
    assert np.array_equal(full.w, ra.simulate(**options).runs[0].w)  # the full batch is plain gradient descent
    assert not np.array_equal(noisy.w, full.w) and noisy.batch_size == 1 and full.batch_size is None
    with pytest.raises(ra.ConfigError, match="batch_size='1,1': must be whole numbers .* none twice"):
        ra.simulate(batch_size="1,1")

"""The ``steps`` kind: gradient descent on a vector of weights, one run per regularizer and L1
update rule, at one λ. The clock is the step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

import numpy as np

from ..errors import ConfigError
from .optimizers import OPTIMIZERS, configured
from .penalties import REGULARIZERS, Penalty, penalty_for, penalty_push
from .problem import Dataset
from .rules import SCHEDULES, Decoupled, rule_for
from .simulation import Run, Simulation, check_unique, data_document, dataset_for, plain, weight_names, zero_from

__all__ = ["StepsSimulation", "simulate", "run", "chatter_band"]

# A run is cut off once |w| passes this many times the larger of 1, |w0| and |w*|.
BLOWUP = 1e6


@dataclass(frozen=True, eq=False)
class StepsSimulation(Simulation):
    kind: ClassVar[str] = "steps"

    @property
    def batch_sizes(self) -> tuple[int | None, ...]:
        return batch_sizes(self.scenario)

    @property
    def plain_steps(self) -> bool:
        """Full-batch gradient descent, as before there were optimizers: the documents stay as they were."""
        return tuple(self.scenario.optimizer) == ("gd",) and self.scenario.batch_size is None

    def stepped(self, r: Run) -> dict:
        """How a run's steps were taken, for the documents (nothing for full-batch gradient descent)."""
        if self.plain_steps:
            return {}
        return {"optimizer": r.optimizer, "batch_size": r.batch_size or len(self.data.y),
                "order": self.scenario.order}

    def summary(self, r: Run) -> dict:
        return {
            "label": r.label, "reg": r.reg, "update": r.update, **self.stepped(r),
            "w_star": plain(r.w_star), "w_final": plain(r.w[-1]), "zero_step": r.zero_step,
            "diverged": r.diverged, "steps_run": r.steps,
            "band": None if r.band is None else list(r.band),
        }

    def document(self) -> dict[str, Any]:
        """DESIGN.md's schema. With one weight, ``w`` is a list of numbers and ``w_star`` a number;
        with two, ``w`` is a list of ``[w1, w2]``, ``w_star`` is ``[w1, w2]`` and ``zero_step`` a list
        with one entry per weight."""
        one = self.data.features == 1
        return {
            "data": data_document(self.data),
            "runs": [
                {
                    "label": r.label, "reg": r.reg, "update": r.update, **self.stepped(r),
                    "l1": r.penalty.l1, "l2": r.penalty.l2,
                    "w": r.w[:, 0] if one else r.w, "loss": r.objective,
                    "w_star": plain(r.w_star), "zero_step": r.zero_step, "diverged": r.diverged,
                    "band": None if r.band is None else list(r.band),
                }
                for r in self.runs
            ],
        }

    def csv_header(self) -> list[str]:
        optimizer = [] if self.plain_steps else ["optimizer"]
        return ["run", "label", "reg", "update", *optimizer, "step", "lr", *weight_names(self.data), "loss"]

    def csv_rows(self, i: int, r: Run, start: int, stop: int) -> Iterator[list]:
        lrs = [repr(v) for v in r.lr[max(0, start - 1):stop - 1].tolist()]  # the step into step t
        lrs = [""] + lrs if start == 0 else lrs
        for t, (lr, w, loss) in enumerate(zip(lrs, r.w[start:stop].tolist(), r.objective[start:stop].tolist()),
                                          start):
            optimizer = [] if self.plain_steps else [r.optimizer]
            yield [i, r.label, r.reg, r.update, *optimizer, t, lr, *map(repr, w), repr(loss)]


def chatter_band(data: Dataset, penalty: Penalty, lr: float) -> tuple[float, float] | None:
    """Where constant-step subgradient descent on one weight ends up bouncing when ``w* = 0``.

    From a small ``w > 0`` a step lands no lower than ``-lr(l1 + g0)``, from a small ``w < 0``
    no higher than ``lr(l1 - g0)``, with ``g0 = L'(0)``: a band ``2·lr·l1`` wide. This holds
    while a step does not overshoot on the smooth part alone, ``lr <= 1/(2(a + l2))``.
    """
    if data.features != 1 or penalty.w_star(data)[0] != 0.0 or lr * 2 * penalty.curvature(data) > 1.0:
        return None
    g0 = float(data.data_gradient(np.zeros(1))[0])
    return -lr * (penalty.l1 + g0), lr * (penalty.l1 - g0)


def batch_sizes(scenario) -> tuple[int | None, ...]:
    """The batch sizes compared (None: every point)."""
    value = scenario.batch_size
    return value if isinstance(value, tuple) else (value,)


def batches(n: int, size: int | None, order: str, seed: int):
    """The points of each step's batch, forever: epochs of consecutive batches of ``size`` (the last
    one smaller when ``size`` does not divide ``n``, as PyTorch's DataLoader without ``drop_last``),
    the points in order (``cyclic``) or in a fresh permutation each epoch from ``seed``."""
    rng = np.random.default_rng(seed)
    while True:
        points = rng.permutation(n) if order == "shuffled" else np.arange(n)
        for start in range(0, n, size):
            yield points[start:start + size]


def run(data: Dataset, penalty: Penalty, update: str, *, lr: float, steps: int, w0,
        schedule_name: str = "constant", label: str | None = None, optimizer: str = "gd",
        batch_size: int | None = None, order: str = "shuffled", seed: int = 0, momentum: float = 0.9,
        betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Run:
    """Run ``steps`` updates from ``w0``; stop early, marked diverged, if ``w`` blows up. With a
    ``batch_size`` below the number of points, each step's data gradient is its batch's."""
    chosen = configured(optimizer, momentum=momentum, betas=betas, eps=eps)
    decoupled = REGULARIZERS[penalty.reg].decoupled
    rule = rule_for(update, chosen, penalty.l1)
    if decoupled:  # weight decay beside the step; the gradient is the data's alone
        rule = Decoupled(rule, penalty.l2)
    rate = SCHEDULES[schedule_name].rate
    n = len(data.y)
    stochastic = batch_size is not None and batch_size < n
    feed = batches(n, batch_size, order, seed) if stochastic else None
    X, y = data.X, data.y
    w_star = penalty.w_star(data)
    w = np.array(np.broadcast_to(np.asarray(w0, dtype=float), (data.features,)))
    limit = BLOWUP * max(1.0, float(np.abs(w).max()), float(np.abs(w_star).max()))

    ws = np.empty((steps + 1, data.features))
    rates = np.empty(steps)
    ws[0] = w
    state = rule.init(w)
    diverged = False
    taken = 0
    for t in range(steps):
        eta = rate(lr, t)
        if stochastic:  # the batch's data gradient, 2·X_bᵀ(X_b·w − y_b)/|b|, and L2's part unless decoupled
            rows = next(feed)
            grad = 2.0 * X[rows].T @ (X[rows] @ w - y[rows]) / len(rows)
            if not decoupled:
                grad = grad + 2.0 * penalty.l2 * w
        else:
            grad = data.data_gradient(w) if decoupled else penalty.smooth_gradient(data, w)
        w, state = rule.step(state, w, grad, eta)
        if not np.abs(w).max() <= limit:  # beyond it, or not finite (NaN compares false)
            diverged = True
            break
        ws[t + 1] = w
        rates[t] = eta
        taken = t + 1
    w_arr, rates = ws[: taken + 1], rates[:taken]
    plain_gd = optimizer == "gd" and not stochastic  # where the stable bound and the band's formula hold
    if (plain_gd and not diverged and schedule_name == "constant" and lr >= penalty.stable_lr(data)
            and np.linalg.norm(w_arr[-1] - w_star) > np.linalg.norm(w_arr[0] - w_star)):
        diverged = True  # past the stable bound and moving away, even if not yet blown up
    band = (chatter_band(data, penalty, lr) if plain_gd and update == "subgradient" and schedule_name == "constant"
            else None)
    data_push = -data.data_gradient(w_arr)
    return Run(
        label=label or REGULARIZERS[penalty.reg].label, reg=penalty.reg, update=update, penalty=penalty,
        optimizer=optimizer, batch_size=batch_size if stochastic else None,
        w=w_arr, objective=penalty.objective(data, w_arr), w_star=w_star,
        f_star=float(penalty.objective(data, w_star)),
        zeros=tuple(zero_from(w_arr[:, j]) for j in range(data.features)), diverged=diverged, band=band,
        lr=rates, data_push=data_push, penalty_push=penalty_push(penalty, w_arr, data_push, rule.holds_at_zero),
    )


def runs_of(scenario) -> list[tuple[str, str, str, int | None, str]]:
    """(reg, update, optimizer, batch size, label) for every run the scenario asks for: each
    regularizer, with an L1 part once per L1 rule, once per optimizer and batch size. Labels name
    what is compared: "L1 · proximal"; with several optimizers "Adam + L2", weight decay with Adam
    "AdamW"; with several batch sizes "L1 · batch 1", "L1 · full batch"."""
    optimizers, sizes = scenario.optimizer, batch_sizes(scenario)
    several, compared = len(scenario.l1_update) > 1, len(optimizers) > 1
    out = []
    for size in sizes:
        for optimizer in optimizers:
            for reg in scenario.reg:
                name = REGULARIZERS[reg].label
                updates = scenario.l1_update if REGULARIZERS[reg].l1_part else ("gradient",)
                for update in updates:
                    label = f"{name} · {update}" if several and update != "gradient" else name
                    if compared:
                        label = "AdamW" if (reg, optimizer) == ("decay", "adam") else \
                            f"{OPTIMIZERS[optimizer].label} + {label}"
                    if len(sizes) > 1:
                        label += " · full batch" if size is None else f" · batch {size}"
                    out.append((reg, update, optimizer, size, label))
    return out


def divergence_message(data: Dataset, r: Run) -> str:
    bound = r.penalty.stable_lr(data)
    if data.features == 1:
        term = "a" if r.penalty.l2 == 0 else f"a+{r.penalty.l2:g}"
        where = f"lr < 1/({term}) = {bound:.4g} with a = mean(x²) = {float(data.A[0, 0]):.4g}"
    else:
        term = "A" if r.penalty.l2 == 0 else f"A+{r.penalty.l2:g}·I"
        where = f"lr < 1/λmax({term}) = {bound:.4g} with A = XᵀX/n"
    return (f"gradient descent diverges for {r.label} on this data: it is stable only for {where}; "
            "use a smaller --lr, a diminishing --schedule, or --allow-divergence to show it")


def simulate(scenario) -> StepsSimulation:
    """Gradient descent for every run of the scenario. A diverging run is a ConfigError unless
    divergence is allowed."""
    data = dataset_for(scenario)
    check_unique(scenario, data)
    runs = []
    for reg, update, optimizer, size, label in runs_of(scenario):
        r = run(data, penalty_for(reg, scenario.lam, scenario.l1_ratio), update, lr=scenario.lr,
                steps=scenario.steps, w0=scenario.w0, schedule_name=scenario.schedule, label=label,
                optimizer=optimizer, batch_size=size,
                order=scenario.order, seed=scenario.seed, momentum=scenario.momentum, betas=scenario.betas,
                eps=scenario.eps)
        if r.diverged and not scenario.allow_divergence:
            raise ConfigError("lr", scenario.lr, divergence_message(data, r))
        if not (np.isfinite(r.objective).all() and np.isfinite(r.w_star).all()):
            # The option bounds keep every number finite; this is the last line of defence.
            raise ConfigError("w0", scenario.w0, "these values overflow the arithmetic; use smaller magnitudes")
        runs.append(r)
    return StepsSimulation(scenario=scenario, data=data, runs=tuple(runs),
                           clock=np.arange(max(r.steps for r in runs) + 1))

"""One kind of thing for every kind of animation: a :class:`Simulation` of :class:`Run` s.

What moves from frame to frame is the simulation's *clock*: the gradient steps at one λ
(``steps``, :mod:`.steps`), or λ itself, through the exact minimisers (``lam``, :mod:`.path`). Both
kinds give the same shape of result, so nothing above this layer asks which kind it holds: a run
has its weights and its objective at every tick of the clock, its exact minimiser, and per weight
the tick from which it is exactly 0 for good; the simulation writes its own JSON document and CSV
rows. A new kind is one module with a ``simulate(scenario)`` and one entry in ``KINDS``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

import numpy as np

from ..errors import ConfigError
from .penalties import REGULARIZERS, penalty_for
from .problem import Dataset, is_unique, make_dataset, read_table

__all__ = ["Run", "Simulation", "plain", "dataset_for", "zero_from", "check_unique"]


def plain(w: np.ndarray):
    """Weights as JSON values: a number for one weight, a list for several."""
    return float(w[0]) if len(w) == 1 else [float(v) for v in w]


@dataclass(frozen=True, eq=False)
class Run:
    """One regularizer (and update rule) along the clock. Arrays have a row per tick (a step, or a
    λ of the grid) and a column per weight.

    ``penalty`` is the penalty at the run's λ, or for the λ path at λ = 1 (``l1 = c1``, ``l2 = c2``).
    ``zeros`` holds, per weight, the first step from which it is exactly 0 for good, or for the
    path the smallest λ from which it is (None: never)."""

    label: str
    reg: str
    update: str
    penalty: Any
    w: np.ndarray
    objective: np.ndarray
    w_star: np.ndarray
    f_star: float
    zeros: tuple
    diverged: bool = False
    band: tuple[float, float] | None = None     # constant-step subgradient: where it chatters
    lr: np.ndarray | None = None                # the step size into each step
    data_push: np.ndarray | None = None         # -∇L(w) at each step
    penalty_push: np.ndarray | None = None      # the penalty's push at each step
    optimizer: str = "gd"                       # how the steps were taken (regviz_anim.numerics.optimizers)
    batch_size: int | None = None               # the points in each step's gradient (None: all of them)

    @property
    def features(self) -> int:
        return self.w.shape[1]

    @property
    def steps(self) -> int:
        return len(self.w) - 1

    @property
    def loss(self) -> np.ndarray:
        """The objective at every step (the name the JSON gives it)."""
        return self.objective

    @property
    def zeros_plain(self):
        """``zeros`` as JSON values: a number (or None) for one weight, a list for several."""
        return self.zeros[0] if self.features == 1 else list(self.zeros)

    @property
    def zero_step(self):
        """The first step from which the weight is exactly 0 for good (None if never); with two
        weights, a list with one entry per weight."""
        return self.zeros_plain

    @property
    def zero_lam(self) -> tuple:
        """The λ path: per weight, the smallest λ from which it is exactly 0 for good."""
        return self.zeros


@dataclass(frozen=True, eq=False)
class Simulation:
    """The scenario, its data and every run, with the clock they share (see the module). Each kind
    is a subclass that says how its runs read in JSON and CSV."""

    kind: ClassVar[str]
    scenario: Any
    data: Dataset
    runs: tuple[Run, ...]
    clock: np.ndarray  # the step numbers, or the λ grid

    @property
    def ticks(self) -> int:
        """How many ticks the clock has: steps + 1, or the number of λs."""
        return len(self.clock)

    def summary(self, run: Run) -> dict:
        """A run's result as JSON-ready values (for the sidecar)."""
        raise NotImplementedError

    def summaries(self) -> list[dict]:
        return [self.summary(run) for run in self.runs]

    def document(self) -> dict:
        """The JSON document's body: ``data``, what is particular to the kind, ``runs`` (arrays left
        as arrays, for the writer to stream)."""
        raise NotImplementedError

    def csv_header(self) -> list[str]:
        raise NotImplementedError

    def csv_rows(self, i: int, run: Run, start: int, stop: int) -> Iterator[list]:
        """The CSV rows of run ``i`` for the ticks ``start`` to ``stop``."""
        raise NotImplementedError


def dataset_for(scenario) -> Dataset:
    if scenario.data is not None:
        return read_table(scenario.data, scenario.target, scenario.columns)
    return make_dataset(w_true=scenario.w_true, n_points=scenario.n_points, x_range=scenario.x_range,
                        noise=scenario.noise, seed=scenario.seed, features=scenario.features, corr=scenario.corr)


def data_document(data: Dataset) -> dict[str, Any]:
    if data.features == 1:
        return {"x": data.x, "y": data.y, "a": float(data.A[0, 0]), "b": float(data.b[0])}
    document = {"x": data.X, "y": data.y, "A": data.A.tolist(), "b": data.b.tolist()}
    if data.features >= 3 or data.names is not None:
        document["names"] = list(data.feature_names)
    return document


def weight_names(data: Dataset) -> list[str]:
    """The CSV's weight columns: w (one weight), w1, w2, ... or, for a data file, its columns' names."""
    if data.names is not None:
        return list(data.names)
    return ["w"] if data.features == 1 else [f"w{j + 1}" for j in range(data.features)]


def zero_from(w: np.ndarray) -> int | None:
    """The first index from which one weight's ``w`` is exactly 0 for good, or None."""
    if w[-1] != 0.0:
        return None
    nonzero = np.flatnonzero(w != 0.0)
    return 0 if nonzero.size == 0 else int(nonzero[-1]) + 1


def check_unique(scenario, data: Dataset, *, along_lam: bool = False) -> None:
    """A ConfigError unless every run's objective has one minimiser (features alike to the last
    digit leave a line of them without an L2 part: no star or caption could be true). Along the λ
    path an L2 part makes it unique for every λ > 0, and at λ = 0 the path's limit is the
    minimiser of least norm."""
    for reg in scenario.reg:
        unit = penalty_for(reg, 1.0, scenario.l1_ratio)
        if is_unique(data.A, unit.l2 if along_lam else unit.l2 * scenario.lam):
            continue
        label = REGULARIZERS[reg].label
        if data.features >= 3 and unit.l1 > 0.0:
            continue  # the lasso's minimiser is unique for data in general position, even with d > n
        if data.features >= 3:
            option, value = ("data", scenario.data) if scenario.data is not None else ("n_points", scenario.n_points)
            raise ConfigError(option, value, f"{data.features} weights on {len(data.y)} points that cannot tell "
                              f"them all apart leave {label}'s objective a flat valley of minimisers, not one to "
                              "show; use a penalty with an L1 or L2 part, or more points")
        if scenario.data is not None:
            raise ConfigError("data", scenario.data, "two of its features are the same to rounding, so "
                              f"{label}'s objective has a line of minimisers, not one to show; use a penalty "
                              "with an L2 part, or other columns")
        raise ConfigError("corr", scenario.corr, "the two features are the same to rounding, so "
                          f"{label}'s objective has a line of minimisers, not one to show; "
                          "use |ρ| <= 0.999999, or a penalty with an L2 part")

"""The scene data every kind of animation gives, and what the kinds share in making it."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..lang import Texts
from ..numerics import Run, Simulation
from ..numerics.problem import BUILT_IN, Dataset

__all__ = ["SceneData", "Clock", "pick_steps", "labelled", "model", "many_outcome"]

NAMES_SHOWN = 6  # a caption names at most this many weights


class Clock(Protocol):
    """What a frame's corner counter says at tick ``k`` (all labels of one length, so that its
    digits stay in their places), and what the clock is called."""

    name: str

    def label(self, k: int) -> str: ...


@dataclass(frozen=True, eq=False)
class SceneData:
    """Everything a render draws. ``runs`` are the simulation's runs, labelled in the frame's
    language; ``curves`` (one weight) is each run's objective over ``w_grid``; ``variants`` tells
    runs of one regularizer apart (0, 1, ...: their colours and line styles)."""

    kind: str
    title: str
    caption: str
    data: Dataset
    runs: tuple[Run, ...]
    variants: tuple[int, ...]
    frame_steps: np.ndarray     # the tick each frame shows
    total_steps: int            # the last tick
    clock: Clock
    shown: dict[str, Any]       # for the sidecar: what the frames show (the steps, or the λs)
    w_range: tuple[float, float] = (-1.0, 1.0)  # the values of w worth showing
    w_grid: np.ndarray | None = None      # one weight: the range of w the loss panel spans
    data_curve: np.ndarray | None = None  # one weight: L over w_grid
    curves: tuple[np.ndarray, ...] | None = None  # one weight: each run's F over w_grid
    least_squares: np.ndarray | None = None  # the minimiser with no penalty
    lams: np.ndarray | None = None        # the λ grid, for the kind "lam"
    lam_scale: str = "linear"
    texts: Texts = Texts("en")            # every text in the frame, in the chosen language
    trial_scale: np.ndarray | None = None  # trials: each problem's unpenalised minimiser's norm, which scales it
    problems: tuple | None = None          # trials: each trial's data
    caption_mode: str = "always"          # reveal: ``captions`` (one a frame); always: ``caption``; off: none
    captions: tuple[str, ...] | None = None  # what the caption says at each frame, when it reveals

    def caption_at(self, i: int) -> str:
        """What frame ``i``'s caption says ("" with the caption off)."""
        if self.caption_mode == "off":
            return ""
        return self.captions[i] if self.caption_mode == "reveal" else self.caption

    @property
    def features(self) -> int:
        return self.data.features

    @property
    def plain_title(self) -> str:
        """The title with its non-breaking spaces (wrapping hints for the frame) made plain."""
        return self.title.replace("\u00a0", " ")

    @property
    def x(self) -> np.ndarray:
        return self.data.x

    @property
    def y(self) -> np.ndarray:
        return self.data.y


def pick_steps(ws: list[np.ndarray], n_frames: int, mode: str = "even") -> np.ndarray:
    """The tick each of ``n_frames`` frames shows: from 0 to the last, never backwards.

    When there are nearly as many frames as ticks (or more), they are spaced evenly.
    ``even`` spaces them evenly; ``motion`` spends a quarter of the frames in proportion to how far
    the weights move and the rest evenly, so the fast start is not a blur and the settling still
    gets its time.
    """
    last = max(len(w) for w in ws) - 1
    if mode == "even" or 1.5 * n_frames >= last + 1:  # nearly every tick has a frame anyway
        return np.rint(np.linspace(0, last, n_frames)).astype(int)
    moved = np.zeros(last)
    for w in ws:
        for column in w.T:
            step = np.abs(np.diff(column)) / (np.ptp(column) or 1.0)
            moved[: len(step)] += step
    clock = np.concatenate([[0.0], np.cumsum(moved)])
    clock = 0.75 * np.arange(last + 1) / last + 0.25 * clock / (clock[-1] or 1.0)
    steps = np.searchsorted(clock, np.linspace(0.0, 1.0, n_frames), side="left")
    steps = np.clip(steps, 0, last)
    steps[-1] = last
    return np.maximum.accumulate(steps)


def labelled(sim: Simulation, t: Texts) -> tuple[tuple[Run, ...], tuple[int, ...]]:
    """The runs with their labels in ``t``'s language, and each one's variant among runs of its
    regularizer. A run that is not finite is a ValueError: no frame is drawn from it."""
    runs, variants, seen = [], [], {}
    for run in sim.runs:
        for name in ("w", "objective", "data_push", "penalty_push"):  # None: not part of this kind
            values = getattr(run, name)
            if values is not None and not np.isfinite(values).all():
                raise ValueError(f"{run.label}: {name} is not finite; no frame is drawn from it")
        variants.append(seen.get(run.reg, 0))
        seen[run.reg] = variants[-1] + 1
        runs.append(replace(run, label=t.label(run.label)))
    return tuple(runs), tuple(variants)


def model(sim: Simulation, t: Texts) -> str:
    """The model in the title. Non-breaking spaces: a narrow frame wraps the title around the
    formula, not inside it."""
    data = sim.data
    if sim.scenario.data is not None:
        source = sim.scenario.data if sim.scenario.data in BUILT_IN else Path(sim.scenario.data).name
        return t("model_data", target=data.target, total=data.features, source=source)
    if data.features == 1:
        return "y\u00a0=\u00a0w·x"  # held together where the title wraps
    if data.features >= 3:
        return t("model_many", total=data.features) + f" (ρ = {t.num(sim.scenario.corr, 'g')})"
    return "y\u00a0=\u00a0w1·x1\u00a0+\u00a0w2·x2" + f" (ρ = {t.num(sim.scenario.corr, 'g')})"


def many_outcome(label: str, zero: np.ndarray, w: np.ndarray, names: tuple[str, ...], t: Texts, *,
                 final: bool = True) -> str:
    """Many weights in words: how many are exactly 0 (``zero``, a mask) and which, or the smallest
    |w| when none is ("yet", unless ``final``)."""
    count, total = int(zero.sum()), len(zero)
    names = names or tuple(f"x{j + 1}" for j in range(total))
    if count == total:
        return t("many_all", label=label, total=total)
    if count == 0:  # before the end, no value that changes every frame: the caption changes as weights land
        return t("many_none", label=label, smallest=t.num(float(np.abs(w).min()), ".2g")) if final \
            else t("many_none_yet", label=label)
    shown = [names[j] for j in np.flatnonzero(zero)]
    more = t("many_more", count=len(shown) - NAMES_SHOWN).replace(" ", "\u00a0")  # one piece when wrapped
    listed = ", ".join(shown[:NAMES_SHOWN]) + (t("parts") + more if len(shown) > NAMES_SHOWN else "")
    return t("many_zero", label=label, count=count, total=total, names=listed)

"""Scene data of the ``trials`` kind: frame k shows the random problems up to one trial, each
regularizer's minimisers of them, and how often one has a weight exactly 0."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lang import Texts
from ..numerics import Simulation
from ..numerics.trials import wilson
from .base import SceneData, labelled, pick_steps


@dataclass(frozen=True)
class TrialClock:
    """``trial  17 / 300``: the trial padded to the width of the last one."""

    total: int
    texts: Texts
    name: str = "trial"

    def label(self, k: int) -> str:
        return self.texts("trial", k=f"{k + 1:>{len(str(self.total))}d}", total=self.total)


def share_text(run, upto: int, t: Texts, *, final: bool = True) -> str:
    """"L1: 71% of 300 problems have a weight exactly 0 (66–76%)", over trials 0..upto; before the
    last frame without the number of problems (the counter shows it), so that the text changes
    only when the share does and the frame can paste it."""
    hits = int((run.w[: upto + 1] == 0.0).any(axis=1).sum())
    total = upto + 1
    lo, hi = wilson(hits, total)
    label = t.label(run.label)
    if hits == 0:
        return t("trials_none" if final else "trials_none_now", label=label, total=total)
    return t("trials_share" if final else "trials_share_now", label=label, share=f"{100 * hits / total:.0f}",
             total=total, lo=f"{100 * lo:.0f}", hi=f"{100 * hi:.0f}")


def caption(sim: Simulation, t: Texts) -> str:
    return t("join").join(share_text(r, sim.ticks - 1, t) for r in sim.runs)


def captions(sim: Simulation, t: Texts, ticks: np.ndarray) -> tuple[str, ...]:
    """The count as it stands at each frame: it is the story, so it grows with the trials."""
    last = sim.ticks - 1
    return tuple(t("join").join(share_text(r, int(k), t, final=int(k) == last) for r in sim.runs) for k in ticks)


def scene_data(sim: Simulation, n_frames: int, timing: str, t: Texts) -> SceneData:
    """Everything a render of the trials draws (evenly through them, whatever ``timing``)."""
    runs, variants = labelled(sim, t)
    total = sim.ticks
    frame_steps = pick_steps([np.zeros((total, 1))], n_frames, "even")
    sc = sim.scenario
    weights = t("trials_one") if sim.data.features == 1 else t("trials_many", n=sim.data.features)
    title = t("title_trials", total=total, weights=weights, lam=t.num(sc.lam, "g"))
    scale = np.linalg.norm(sim.unpenalised, axis=1)
    return SceneData(
        kind="trials", title=title, caption=caption(sim, t), data=sim.data, runs=runs, variants=variants,
        frame_steps=frame_steps, total_steps=total - 1, clock=TrialClock(total, t),
        shown={"trials_shown": (frame_steps + 1).tolist()}, texts=t, trial_scale=np.where(scale > 0, scale, 1.0),
        problems=sim.problems,
    )

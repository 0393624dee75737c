"""What each frame shows, as plain arrays: the bridge from a simulation to the scene.

Numpy only. The scene receives a :class:`SceneData` and draws it. Everything here is a selection
and a layout of the numbers the simulation already worked out (which frames show which ticks, the
ranges worth showing, the words of the caption), for whichever kind of animation: each kind is one
module with ``scene_data(sim, n_frames, timing, texts)``, ``caption(sim, texts)`` and
``captions(sim, texts, ticks)`` (what a revealing caption says at each tick), and one entry
in ``KINDS``. Nothing above this layer asks which kind it draws.
"""
from __future__ import annotations

from dataclasses import replace

from ..lang import Texts
from ..numerics import Simulation
from . import lam, steps, trials
from .base import Clock, SceneData, pick_steps

__all__ = ["SceneData", "Clock", "scene_data", "caption", "pick_steps", "KINDS", "CAPTIONS"]

KINDS = {"steps": steps, "lam": lam, "trials": trials}


CAPTIONS = ("reveal", "always", "off")


def scene_data(sim: Simulation, n_frames: int, timing: str = "motion", lang: str = "en",
               caption: str = "reveal") -> SceneData:
    """What each of ``n_frames`` frames of ``sim`` shows, in ``lang``. ``caption``: ``reveal``
    (each run's outcome from the frame it has happened on, its current value before),
    ``always`` (the outcome on every frame) or ``off``."""
    if caption not in CAPTIONS:
        raise ValueError(f"caption must be one of {', '.join(CAPTIONS)}, not {caption!r}")
    kind, t = KINDS[sim.kind], Texts(lang)
    data = kind.scene_data(sim, n_frames, timing, t)
    captions = kind.captions(sim, t, data.frame_steps) if caption == "reveal" else None
    return replace(data, caption_mode=caption, captions=captions)


def caption(sim: Simulation, lang: str = "en") -> str:
    """The result in words, as the frame's caption says it."""
    return KINDS[sim.kind].caption(sim, Texts(lang))

"""What each frame shows, as plain arrays: the bridge from a simulation to the scene.

Numpy only. The scene receives a :class:`SceneData` and draws it. Everything here is a selection
and a layout of the numbers the simulation already worked out (which frames show which ticks, the
ranges worth showing, the words of the caption), for whichever kind of animation: each kind is one
module with ``scene_data(sim, n_frames, timing, texts)`` and ``caption(sim, texts)``, and one entry
in ``KINDS``. Nothing above this layer asks which kind it draws.
"""
from __future__ import annotations

from ..lang import Texts
from ..numerics import Simulation
from . import lam, steps
from .base import Clock, SceneData, pick_steps

__all__ = ["SceneData", "Clock", "scene_data", "caption", "pick_steps", "KINDS"]

KINDS = {"steps": steps, "lam": lam}


def scene_data(sim: Simulation, n_frames: int, timing: str = "motion", lang: str = "en") -> SceneData:
    """What each of ``n_frames`` frames of ``sim`` shows, in ``lang``."""
    return KINDS[sim.kind].scene_data(sim, n_frames, timing, Texts(lang))


def caption(sim: Simulation, lang: str = "en") -> str:
    """The result in words, as the frame's caption says it."""
    return KINDS[sim.kind].caption(sim, Texts(lang))

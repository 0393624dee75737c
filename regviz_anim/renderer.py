"""Trajectories to an animation on disk: scene -> frames -> encoders, plus the JSON sidecar."""
from __future__ import annotations

import contextlib
import json
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import __version__
from .atomic import write_text
from .config import RenderSettings, Scenario, check_render_target
from .encode import GifEncoder, PngFramesEncoder, PngPoster, encoder_for
from .export import parameters
from .frames import SceneData, scene_data
from .scene import Scene
from .descent import Simulation

Progress = Callable[[int, int], None]
CHUNK = 4  # frames a worker draws per task


@dataclass(frozen=True)
class RenderResult:
    path: Path
    sidecar: Path
    frames: int
    size: tuple[int, int]


def sidecar_path(out: Path) -> Path:
    return out.with_name(out.name + ".json")


def sidecar_record(scenario: Scenario, settings: RenderSettings, out: Path) -> dict:
    """Everything that determines the render: what batch compares to decide it is up to date."""
    return {
        "regviz_anim": __version__,
        "output": out.name,
        "format": out.suffix.lower().lstrip("."),
        "scenario": parameters(scenario),
        "render": {**parameters(settings), "size": list(settings.even_size)},
    }


# --- frames, drawn here or in worker processes ------------------------------------------------

_worker_scene: Scene | None = None


def _start_worker(data: SceneData, kwargs: dict) -> None:
    global _worker_scene
    _worker_scene = Scene(data, **kwargs)


def _draw_chunk(start: int, stop: int) -> np.ndarray:
    return np.stack([_worker_scene.frame(i) for i in range(start, stop)])


def frames(scene: Scene, workers: int = 1) -> Iterator[np.ndarray]:
    """Every frame in order. With workers > 1, other processes draw a few chunks ahead (never more).

    Drawing in other processes pays only where cores are left over once the encoder has one:
    on a 2-core machine it was slower than drawing here, so one process is the default.
    """
    n = scene.frame_count
    if workers <= 1:
        for i in range(n):
            yield scene.frame(i)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    kwargs = {"size": scene.size, "theme": scene.theme, "panels": scene.panels}
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(scene.data, kwargs))
    chunks = iter(range(0, n, CHUNK))
    pending: deque = deque()
    try:
        for start in chunks:
            pending.append(pool.submit(_draw_chunk, start, min(start + CHUNK, n)))
            if len(pending) >= workers + 1:
                break
        while pending:
            block = pending.popleft().result()
            start = next(chunks, None)
            if start is not None:
                pending.append(pool.submit(_draw_chunk, start, min(start + CHUNK, n)))
            yield from block
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def palette_samples(scene: Scene, count: int = 4) -> list[np.ndarray]:
    """A few frames spread over the animation, for the GIF's one palette."""
    return [scene.frame(int(i)) for i in np.unique(np.linspace(0, scene.frame_count - 1, count).round())]


# --- the whole render -------------------------------------------------------------------------

def render_simulation(sim: Simulation, settings: RenderSettings, out: str | Path, *,
                      progress: Progress | None = None) -> RenderResult:
    """Draw ``sim`` and write it to ``out`` (format from the suffix), the extras, and the sidecar."""
    out = Path(out)
    check_render_target(out, settings)
    encoder = encoder_for(out)
    n = settings.frame_count(max(r.steps for r in sim.runs))
    size = settings.even_size
    scene = Scene(scene_data(sim, n, settings.timing), size=size, theme=settings.theme, panels=settings.panels)
    options = {"palette_from": palette_samples(scene)} if encoder is GifEncoder else {}
    with contextlib.ExitStack() as stack:
        sinks = [stack.enter_context(encoder(out, size=size, fps=settings.fps, hold=settings.hold,
                                             loop=settings.loop, **options))]
        if settings.frames_dir is not None:
            sinks.append(stack.enter_context(PngFramesEncoder(settings.frames_dir)))
        if settings.poster is not None:
            sinks.append(stack.enter_context(PngPoster(settings.poster)))
        for i, frame in enumerate(frames(scene, settings.workers)):
            for sink in sinks:
                sink.write(frame)
            if progress is not None:
                progress(i + 1, n)
    record = sidecar_record(sim.scenario, settings, out)
    record.update(frames=n, steps_shown=scene.data.frame_steps.tolist(), caption=scene.data.caption,
                  runs=[r.summary() for r in sim.runs])
    sidecar = sidecar_path(out)
    write_text(sidecar, json.dumps(record, indent=1) + "\n")
    return RenderResult(path=out, sidecar=sidecar, frames=n, size=size)

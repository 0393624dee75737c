"""A simulation to an animation on disk: scene -> frames -> encoders, in one output transaction."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .drawing import DrawingError, draw_frames, drawing_processes, encode_frames
from .encoders import ENCODERS, EncoderError, PngFramesEncoder, PngPoster, Text, encoder_for
from .errors import OutputError
from .formatting import notes
from .numerics import Simulation, simulate
from .options import RenderSettings, Scenario, parameters, render_config
from .outputs.transaction import Transaction
from .scene import Scene
from .scenedata import SceneData, scene_data
from .sidecar import seal, sidecar_record, stage
from .targets import check_render_target, output_path, render_targets

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderResult:
    path: Path
    sidecar: Path
    frames: int
    size: tuple[int, int]
    created: tuple[Path, ...] = ()     # folders made for the outputs
    cleaned: tuple[Path, ...] = ()     # leftovers of an earlier killed render, removed


def playback(n: int, settings: RenderSettings) -> tuple[list[int], list[float]]:
    """The order the ``n`` drawn frames play in, and how long each is held beyond 1/fps: the first
    ``hold_start``; the last ``hold``, or with ``bounce`` the turning frame before the way back."""
    order = list(range(n)) + (list(range(n - 2, -1, -1)) if settings.bounce else [])
    holds = [0.0] * len(order)
    holds[n - 1] += settings.hold
    holds[0] += settings.hold_start
    return order, holds


def slide_text(data: SceneData, scenario: Scenario, settings: RenderSettings) -> Text:
    """The words that go with the pixels: the frame's title and caption, and every parameter
    (speaker notes)."""
    return Text(title=data.plain_title, caption=data.caption,
                notes=notes({**parameters(scenario), "fps": settings.fps,
                             "size": "x".join(map(str, settings.even_size))}))


def what_is_kept(existed: list[Path], error: BaseException) -> str:
    """What a failed render left, in words: the truth, whether the commit could be undone or not."""
    replaced = getattr(error, "replaced", ())
    if replaced:
        new = ", ".join(map(str, replaced))
        rest = [str(p) for p in existed if p not in replaced]
        return (f"{new} {'holds' if len(replaced) == 1 else 'hold'} the new render and could not be put back"
                + (f"; the earlier {', '.join(rest)} {'is' if len(rest) == 1 else 'are'} kept" if rest else ""))
    if existed:
        return f"the earlier {', '.join(map(str, existed))} {'is' if len(existed) == 1 else 'are'} kept"
    return "nothing was written"


# --- the whole render -------------------------------------------------------------------------

def render_simulation(sim: Simulation, settings: RenderSettings, out: str | Path, *,
                      progress: Progress | None = None) -> RenderResult:
    """Draw ``sim`` and write it to ``out`` (format from the suffix), the extras, and the sidecar.

    One transaction: everything is staged beside its target and renamed into place only once all
    of it is complete, the sidecar last. On failure every earlier output is kept (OutputError).
    """
    out = output_path("out", out, ENCODERS)
    check_render_target(out, settings)
    encoder = encoder_for(out)
    existed = [path for _, path in render_targets(out, settings) if path.exists()]
    with Transaction() as tx:
        staged = stage(tx, out, settings)  # the locks first: a second writer of a target stops here
        n = settings.frame_count(sim.ticks - 1)
        size = settings.even_size
        scene = Scene(scene_data(sim, n, settings.timing, settings.lang), size=size, theme=settings.theme,
                      panels=settings.panels, counter_cells=False)  # the counter's cells come below
        order, holds = playback(n, settings)
        processes = drawing_processes(settings.workers, len(order))
        # The encoder's set-up (a GIF's palette, on a thread) goes on while the counter's cells are
        # drawn. Drawing processes may encode too, unless a frames folder wants every frame here.
        plan = encoder.plan(scene, fps=settings.fps, holds=holds, text=slide_text(scene.data, sim.scenario, settings),
                            workers=processes > 0 and settings.frames_dir is None)
        scene.use_counter_cells()
        plan.finish()
        options = dict(plan.options, **({"scratch": tx.scratch(out)} if plan.scratch else {}))
        try:
            with contextlib.ExitStack() as stack:
                # drawn in other processes where that pays: forked first, before any encoder's thread
                if plan.in_workers:
                    drawn = stack.enter_context(encode_frames(scene, order, processes, plan.follow, plan.encode))
                else:
                    drawn = stack.enter_context(draw_frames(scene, order, settings.workers))
                animation = stack.enter_context(encoder(staged["out"], size=size, fps=settings.fps,
                                                        loop=settings.loop, **options))
                # the frames folder takes each drawn frame once, forward; the poster the last of them
                folder = stack.enter_context(PngFramesEncoder(staged["frames_dir"])) if "frames_dir" in staged else None
                poster = stack.enter_context(PngPoster(staged["poster"])) if "poster" in staged else None
                for i, frame in enumerate(drawn):
                    if plan.in_workers:  # encoded bytes: the poster is drawn here
                        animation.write_block(frame)
                    else:
                        animation.write(frame, hold=holds[i])
                    if folder is not None and i < n:
                        folder.write(frame)
                    if poster is not None and i == n - 1:
                        poster.write(scene.draw(order[i]) if plan.in_workers else frame)
                    if progress is not None:
                        progress(i + 1, len(order))
            record = sidecar_record(sim.scenario, settings, out)
            record.update(frames=n, played=len(order), **scene.data.shown, title=scene.data.plain_title,
                          caption=scene.data.caption, runs=sim.summaries())
            sidecar = seal(tx, staged, record, out, settings)
        except (OSError, EncoderError, OutputError, DrawingError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise OutputError(f"rendering {out} failed: {reason}; {what_is_kept(existed, error)}",
                              kept=getattr(error, "kept", True), replaced=getattr(error, "replaced", ())) from None
        return RenderResult(path=out, sidecar=sidecar, frames=n, size=size, created=tuple(tx.created),
                            cleaned=tuple(tx.cleaned))

def render(options: dict[str, Any], out: str | Path, *, progress: Progress | None = None) -> RenderResult:
    """Validate ``options`` (the command line's, by name), simulate and render to ``out``."""
    scenario, settings = render_config(options)
    return render_simulation(simulate(scenario), settings, out, progress=progress)

"""A simulation to an animation on disk: scene -> frames -> encoders, in one output transaction."""
from __future__ import annotations

import contextlib
import re
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .drawing import DrawingError, draw_frames, drawing_processes, encode_frames
from .encoders import ENCODERS, EncoderError, PngFramesEncoder, PngPoster, Text, TooLarge, encoder_for
from .errors import ConfigError, OutputError
from .formatting import argv, for_notes
from .lang import Texts
from .numerics import Simulation, simulate
from .numerics.problem import sparse_truth
from .panels import default_panels
from .options import OPTIONS, RenderSettings, Scenario, applies, parameters, render_config
from .outputs.transaction import Transaction
from .scene import Scene
from .scenedata import scene_data
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


NOT_IN_COMMAND = {"poster", "frames_dir", "workers"}  # other outputs, or how fast: not what the slide shows


def slide_title(title: str, lang: str) -> str:
    """The title for a slide's text box, which wraps it at its own width: the spaces inside each
    expression ("λ = 0.6", "λ from 0 to 3.8") made non-breaking, so it wraps between them."""
    breaks = Texts(lang)("title_breaks").split("|")
    pieces = re.split("(" + "|".join(map(re.escape, breaks)) + ")", title)
    head = re.sub(r" ([=+−]) ", "\u00a0\\1\u00a0", pieces[0])  # the model, in the first piece
    return head + "".join(piece if i % 2 else piece.replace(" ", "\u00a0") for i, piece in enumerate(pieces[1:], 1))


def slide_notes(record: dict) -> str:
    """Speaker notes: the command line that renders the slide's video again, then every parameter
    that applies to it (``lam_steps`` only along the λ path, ``l1_update`` only with an L1 term ...)."""
    values = {**record["scenario"], **record["render"], "format": record["format"]}
    defaults = {**parameters(Scenario()), **parameters(RenderSettings()),
                "panels": list(default_panels(values["animate"], values["features"]))}
    if values["features"] >= 3 and values.get("data") is None:  # the truth many weights get unless told
        defaults["w_true"] = list(sparse_truth(values["features"]))
    shown = [name for name in OPTIONS if name in values and name not in NOT_IN_COMMAND and applies(name, values)]
    command = ["regviz-anim", "render", "-o", record["output"]]
    for name in shown:
        if values[name] != defaults.get(name):
            command += argv(name, values[name])
    lines = [f"{name} = {'x'.join(map(str, values[name])) if name == 'size' else for_notes(values[name])}"
             for name in shown if values[name] is not None]
    return "\n".join([shlex.join(command), ""] + lines)


def slide_text(record: dict) -> Text:
    """The words a slide carries beside its video, from the video's sidecar record: the title, the
    caption unless it reveals in the video (or is off), and the speaker notes."""
    render = record["render"]
    caption = record["caption"] if render.get("caption") == "always" else ""
    return Text(title=slide_title(record["title"], render.get("lang", "en")), caption=caption,
                notes=slide_notes(record))


def page_text(record: dict, data) -> Text:
    """The words a page carries: a slide's, and what each frame shows, each frame's caption (the
    frames draw none) and the player's words, in the frame's language."""
    texts = data.texts

    def plain(text: str) -> str:  # as a page shows it: the frame's padding and wide gaps made one space
        return " ".join(text.split())

    frames = range(len(data.frame_steps))
    captions = () if data.caption_mode == "off" else tuple(plain(data.caption_at(i)) for i in frames)
    return replace(slide_text(record), labels=tuple(plain(data.clock.label(int(k))) for k in data.frame_steps),
                   captions=captions, lang=texts.lang, ui=getattr(texts.module, "PLAYER", {}))


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


def drawn_for(out: Path, settings: RenderSettings) -> RenderSettings:
    """The settings frames are drawn with for ``out``: a slide or a page carries the title as
    text, so the frames need not."""
    return replace(settings, for_slide=True) if encoder_for(out).carries_text else settings


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
    settings = drawn_for(out, settings)
    existed = [path for _, path in render_targets(out, settings) if path.exists()]
    with Transaction() as tx:
        staged = stage(tx, out, settings)  # the locks first: a second writer of a target stops here
        n = settings.frame_count(sim.ticks - 1)
        size = settings.even_size
        data = scene_data(sim, n, settings.timing, settings.lang, settings.caption)
        record = sidecar_record(sim.scenario, settings, out)
        record.update(frames=n, played=0, **data.shown, title=data.plain_title, caption=data.caption,
                      runs=sim.summaries())
        text = page_text(record, data) if encoder.carries_captions else slide_text(record)
        if not settings.text_in_video:  # the slide's text: only a caption that reveals stays in the video;
            # a page shows every frame's caption as text
            off = data.caption_mode == "always" or encoder.carries_captions
            data = replace(data, caption_mode="off" if off else data.caption_mode)
        scene = Scene(data, size=size, theme=settings.theme, panels=settings.panels, title=settings.text_in_video,
                      counter_cells=False)  # the counter's cells come below
        order, holds = playback(n, settings)
        record["played"] = len(order)
        processes = drawing_processes(settings.workers, len(order))
        # The encoder's set-up (a GIF's palette, on a thread) goes on while the counter's cells are
        # drawn. Drawing processes may encode too, unless a frames folder wants every frame here.
        plan = encoder.plan(scene, fps=settings.fps, holds=holds, text=text,
                            workers=processes > 0 and settings.frames_dir is None, order=order)
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
            sidecar = seal(tx, staged, record, out, settings)
        except TooLarge as error:  # what was asked is more than the format takes: the input's fault
            raise ConfigError("out", str(out), f"{error}; {what_is_kept(existed, error)}") from None
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

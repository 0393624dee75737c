"""Trajectories to an animation on disk: scene -> frames -> encoders, plus the JSON sidecar."""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__
from .config import ConfigError, RenderSettings, Scenario, check_render_target, output_path, render_targets
from .descent import Simulation
from .deck import SlideText, notes_text
from .drawing import DrawingError, draw_frames, drawing_processes, encode_frames
from .encode import (EncoderError, GifEncoder, GifFrames, PaletteJob, PngFramesEncoder, PngPoster, PptxEncoder,
                     encoder_for, gif_delay, words)
from .export import parameters, strict_json
from .frames import SceneData, path_scene_data, scene_data
from .scene import Scene
from .transaction import OutputError, TargetBusy, Transaction

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderResult:
    path: Path
    sidecar: Path
    frames: int
    size: tuple[int, int]
    created: tuple[Path, ...] = ()     # folders made for the outputs
    cleaned: tuple[Path, ...] = ()     # leftovers of an earlier killed render, removed


def sidecar_path(out: Path) -> Path:
    return out.with_name(out.name + ".json")


def output_files(out: Path, settings: RenderSettings) -> dict[str, Path]:
    """The outputs a sidecar fingerprints, by the option that names them."""
    files = {"out": out, "poster": settings.poster, "frames_dir": settings.frames_dir}
    return {key: path for key, path in files.items() if path is not None}


def stage(tx: Transaction, out: Path, settings: RenderSettings) -> dict[str, Path]:
    """Make the folders, take every target's lock, clear this tool's leftovers, and give each
    output its temporary path. A target another render is writing is a ConfigError."""
    targets = render_targets(out, settings)
    try:
        tx.prepare(path for _, path in targets)
    except TargetBusy as busy:
        option = next(option for option, path in targets if path == busy.target)
        shown = out if option == "out" else busy.target  # the sidecar is named by -o
        who = f" (pid {busy.pid})" if busy.pid else ""
        raise ConfigError(option, str(shown), f"{busy.target} is being written by another render{who}; "
                          "wait for it to finish, or give another name") from None
    staged = {"out": tx.file(out)}
    if settings.poster is not None:
        staged["poster"] = tx.file(settings.poster)
    if settings.frames_dir is not None:
        staged["frames_dir"] = tx.folder(settings.frames_dir)
    return staged


def seal(tx: Transaction, staged: dict[str, Path], record: dict, out: Path, settings: RenderSettings) -> Path:
    """Once every staged output is complete: fingerprint them into the sidecar, stage it last, and
    rename everything into place. Returns the sidecar's path."""
    record["outputs"] = {key: {"path": str(target), **fingerprint(staged[key])}
                         for key, target in output_files(out, settings).items()}
    sidecar = sidecar_path(out)
    tx.file(sidecar).write_text(strict_json(record), encoding="utf-8")
    tx.commit()
    return sidecar


def fingerprint(path: Path) -> dict:
    """Size and SHA-256 of a file, or of a folder's files (name and content, in name order)."""
    if path.is_dir():
        digest, total, count = hashlib.sha256(), 0, 0
        for entry in sorted(path.iterdir()):
            data = entry.read_bytes()
            digest.update(entry.name.encode() + b"\0" + hashlib.sha256(data).digest())
            total, count = total + len(data), count + 1
        return {"files": count, "bytes": total, "sha256": digest.hexdigest()}
    with open(path, "rb") as f:
        return {"bytes": path.stat().st_size, "sha256": hashlib.file_digest(f, "sha256").hexdigest()}


def sidecar_record(scenario: Scenario, settings: RenderSettings, out: Path) -> dict:
    """Everything that determines the render: what batch compares to decide it is up to date."""
    return {
        "regviz_anim": __version__,
        "output": out.name,
        "format": out.suffix.lower().lstrip("."),
        "scenario": parameters(scenario),
        # everything but ``workers``, which changes how fast, not what, is drawn
        "render": {**{k: v for k, v in parameters(settings).items() if k != "workers"},
                   "size": list(settings.even_size)},
    }


def playback(n: int, settings: RenderSettings) -> tuple[list[int], list[float]]:
    """The order the ``n`` drawn frames play in, and how long each is held beyond 1/fps: the first
    ``hold_start``; the last ``hold``, or with ``bounce`` the turning frame before the way back."""
    order = list(range(n)) + (list(range(n - 2, -1, -1)) if settings.bounce else [])
    holds = [0.0] * len(order)
    holds[n - 1] += settings.hold
    holds[0] += settings.hold_start
    return order, holds


def slide_text(data: SceneData, scenario: Scenario, settings: RenderSettings) -> SlideText:
    """A deck slide's title and caption (the frame's own) and speaker notes (every parameter)."""
    notes = notes_text({**parameters(scenario), "fps": settings.fps, "size": "x".join(map(str, settings.even_size))})
    return SlideText(title=data.plain_title, caption=data.caption, notes=notes)


def describe_steps(sim) -> int:
    """How many steps there are to show: gradient steps, or λ values less one."""
    return len(sim.lam) - 1 if sim.scenario.animate == "lam" else max(r.steps for r in sim.runs)


def describe(sim, n_frames: int, timing: str, lang: str = "en") -> SceneData:
    """What each of ``n_frames`` frames shows, for either kind of animation, in ``lang``."""
    if sim.scenario.animate == "lam":
        return path_scene_data(sim, n_frames, lang)
    return scene_data(sim, n_frames, timing, lang)


def palette_samples(scene: Scene, count: int = 4) -> list[np.ndarray]:
    """Pixels whose colours, counted, are those of ``count`` frames spread over the animation, at
    1/count of the pixels: the background once, and every count-th pixel where a frame differs
    from it. The GIF's one palette is worked out from these: a median cut weighs colours by how
    many pixels have them, so this gives it nearly what all the frames' pixels would, in a
    quarter of the time."""
    background = scene.background
    moving = []
    for i in np.unique(np.linspace(0, scene.frame_count - 1, count).round()):
        frame = scene.draw(int(i))
        moving.append(frame[words(frame) != words(background)])
    return [background, np.concatenate(moving)[::count]]


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
    from .encode import ENCODERS

    out = output_path("out", out, ENCODERS)
    check_render_target(out, settings)
    encoder = encoder_for(out)
    existed = [path for _, path in render_targets(out, settings) if path.exists()]
    with Transaction() as tx:
        staged = stage(tx, out, settings)  # the locks first: a second writer of a target stops here
        n = settings.frame_count(describe_steps(sim))
        size = settings.even_size
        scene = Scene(describe(sim, n, settings.timing, settings.lang), size=size, theme=settings.theme,
                      panels=settings.panels, counter_cells=False)  # the counter's cells come below
        order, holds = playback(n, settings)
        # A GIF is encoded by the processes that draw it where there are any and no frames folder
        # wants every frame here; its palette is then needed before they are forked.
        processes = drawing_processes(settings.workers, len(order))
        gif_by_workers = encoder is GifEncoder and settings.frames_dir is None and processes > 0
        samples = palette_samples(scene) if encoder is GifEncoder else None
        job = PaletteJob(samples) if gif_by_workers else None  # on a thread while the counter's cells are drawn
        scene.use_counter_cells()
        options = {}
        if encoder is GifEncoder:
            options = {"palette": job.result()} if gif_by_workers else {"palette_from": samples}
            options["changes_within"] = scene.changing
        if encoder is PptxEncoder:
            options = {"slide_text": slide_text(scene.data, sim.scenario, settings), "scratch": tx.scratch(out)}
        try:
            with contextlib.ExitStack() as stack:
                # drawn in other processes where that pays: forked first, before any encoder's thread
                if gif_by_workers:
                    gif = GifFrames(size, scene.changing, options["palette"])
                    delays = [gif_delay(settings.fps, hold) for hold in holds]
                    drawn = stack.enter_context(encode_frames(scene, order, processes, gif.follow,
                                                              lambda frame, k: gif.encode(frame, delays[k])))
                else:
                    drawn = stack.enter_context(draw_frames(scene, order, settings.workers))
                animation = stack.enter_context(encoder(staged["out"], size=size, fps=settings.fps,
                                                        loop=settings.loop, **options))
                # the frames folder takes each drawn frame once, forward; the poster the last of them
                folder = stack.enter_context(PngFramesEncoder(staged["frames_dir"])) if "frames_dir" in staged else None
                poster = stack.enter_context(PngPoster(staged["poster"])) if "poster" in staged else None
                for i, frame in enumerate(drawn):
                    if gif_by_workers:
                        animation.write_block(frame)
                    else:
                        animation.write(frame, hold=holds[i])
                    if folder is not None and i < n:
                        folder.write(frame)
                    if poster is not None and i == n - 1:
                        poster.write(scene.draw(order[i]) if gif_by_workers else frame)
                    if progress is not None:
                        progress(i + 1, len(order))
            record = sidecar_record(sim.scenario, settings, out)
            shown = scene.data.frame_steps
            where = ({"lams_shown": scene.data.lams[shown].tolist()} if scene.data.mode == "lam"
                     else {"steps_shown": shown.tolist()})
            record.update(frames=n, played=len(order), **where, title=scene.data.plain_title,
                          caption=scene.data.caption, runs=[r.summary() for r in sim.runs])
            sidecar = seal(tx, staged, record, out, settings)
        except (OSError, EncoderError, OutputError, DrawingError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            raise OutputError(f"rendering {out} failed: {reason}; {what_is_kept(existed, error)}",
                              kept=getattr(error, "kept", True), replaced=getattr(error, "replaced", ())) from None
        return RenderResult(path=out, sidecar=sidecar, frames=n, size=size, created=tuple(tx.created),
                            cleaned=tuple(tx.cleaned))

"""HTML: one self-contained page for students, opened from ``file://`` with no network.

The frames become an H.264 MP4 as ``.mp4`` writes it (:class:`~.mp4.Mp4Encoder`, with x264's
slower ``medium`` preset, which makes it a third smaller), embedded in
the page as base64 and played by the browser's own video element; the player (``player/``: a
template, its style and its script, all inlined) adds stepping, a scrubber, speed, looping and the
keyboard, and shows the title, each frame's caption, the parameters and the command as text.

Why a video and not the frames: the MP4 is the smallest exact-enough encoding of these animations
(a few hundred KB for 200 frames at 1280x720), so the page is its size times 4/3 (base64) plus
about 20 KB, less than the .mp4 of the same render (docs/commands.md gives the figures);
frames as PNGs would be ten times that.
Stepping is exact because every drawn frame has its own time in the video: seeking to the middle
of that frame's 1/fps shows it, as decoded. This module knows pixels, timing and words, nothing
of regularization.
"""
from __future__ import annotations

import base64
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from .base import Encoder, EncoderError, Frames, Plan, Text, TooLarge, repeats
from .mp4 import Mp4Encoder

MAX_VIDEO_BYTES = 64 << 20  # the largest video a page embeds (86 MB as base64): browsers load it at once

UI = {  # the player's words, where the renderer gives none
    "animation": "the animation", "player": "player", "play": "play", "pause": "pause",
    "back": "one frame back", "forward": "one frame forward", "frame": "frame", "speed": "speed",
    "loop": "loop", "space": "space", "made": "parameters and the command that made it",
    "command": "the command", "copy": "copy", "copied": "copied",
    "keys": "keys: space plays and pauses, ← and → step one frame, Home and End go to the first and last frame",
}


def _size(count: int) -> str:
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 2**10:.1f} KB"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("player", name).read_text(encoding="utf-8")


def page(video: bytes, *, size: tuple[int, int], fps: float, shown: Sequence[int], text: Text, loop: bool,
         dark: bool) -> str:
    """The page's HTML: ``video`` (an MP4 whose j-th frame shows drawn frame ``shown[j]``) and the
    player, everything inline."""
    frames = max(shown) + 1
    index = {caption: i for i, caption in enumerate(dict.fromkeys(text.captions))}  # each distinct text once
    captions = list(index)
    ui = {**UI, **text.ui}  # the language's words where it has them
    notes = text.notes.split("\n\n", 1) if text.notes else ["", ""]
    data = {"frames": frames, "fps": fps, "shown": list(map(int, shown)), "poster": frames - 1,
            "labels": list(text.labels) or [str(k) for k in range(frames)],
            "captions": captions, "caption_of": [index[c] for c in text.captions],
            "ui": {"play": ui["play"], "pause": ui["pause"], "copied": ui["copied"]}}
    if len(data["labels"]) != frames or (text.captions and len(text.captions) != frames):
        raise ValueError(f"a page of {frames} frames needs a label and a caption for each")
    fields = {
        "lang": text.lang, "theme": "dark" if dark else "light",
        "title": html.escape(text.title), "plain_title": html.escape(text.title.replace("\u00a0", " ")),
        "width": str(size[0]), "height": str(size[1]), "last": str(frames - 1),
        "caption": html.escape(text.captions[-1] if text.captions else text.caption),
        "loop_checked": " checked" if loop else "", "command": html.escape(notes[0]),
        "parameters": html.escape(notes[1] if len(notes) > 1 else ""),
        "css": _asset("player.css"), "js": _asset("player.js"),
        # JSON inside a <script>: every "<" escaped, so that no text ends the element or opens a comment
        "data": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
        "video": base64.b64encode(video).decode("ascii"),
        **{f"ui_{key}": html.escape(value) for key, value in ui.items()},
    }
    # one pass: what a field holds is never read as a field
    return re.sub(r"\{\{(\w+)\}\}", lambda found: fields[found.group(1)], _asset("page.html"))


PAGE_DATA = re.compile(rb'<script type="application/json" id="regviz-data">(.*?)</script>', re.S)
PAGE_VIDEO = re.compile(rb'<script type="text/plain" id="regviz-video">([A-Za-z0-9+/=\s]*)</script>')


def read_page(path: str | Path) -> tuple[dict, bytes]:
    """A page's player data (``frames``, ``shown``, ``labels`` ...) and its video's bytes;
    ValueError if it is not a page this module wrote."""
    page = Path(path).read_bytes()
    data, video = PAGE_DATA.search(page), PAGE_VIDEO.search(page)
    if data is None or video is None:
        raise ValueError("it holds no regviz-anim video")
    return json.loads(data.group(1)), base64.b64decode(video.group(1))


class HtmlEncoder(Encoder):
    """A page of one animation: the frames become an MP4 in ``scratch`` (a folder the caller gives
    and removes), which the page embeds. The page carries the title and every frame's caption as
    text, so the frames draw neither (unless ``--video-text``)."""

    suffix = ".html"
    carries_text = True
    carries_captions = True

    @classmethod
    def plan(cls, frames: Frames, *, fps: int, holds: Sequence[float], text: Text, workers: bool,
             order: Sequence[int] = ()) -> Plan:
        background = frames.background[0, 0, :3].astype(float)
        dark = float(background @ [0.2126, 0.7152, 0.0722]) < 128.0
        return Plan(options={"page_text": text, "order": tuple(order) or tuple(range(len(holds))), "dark": dark},
                    scratch=True)

    def __init__(self, path, *, size, fps, loop=0, page_text: Text = Text(), order: Sequence[int] = (),
                 dark: bool = False, scratch: str | Path):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self.text, self.order, self.dark = page_text, tuple(order), dark
        self._folder = Path(scratch)
        self._shown: list[int] = []  # the drawn frame of each of the video's frames
        self._written = 0

    def _open(self, path: Path) -> None:
        # x264's medium preset with its macroblock tree: a third smaller than the .mp4's veryfast (whose
        # speed matters more there), as close to the frames (docs/formats.md)
        self._video = Mp4Encoder(self._folder / "animation.mp4", size=self.size, fps=self.fps, preset="medium",
                                 x264="mbtree=1")
        self._video.__enter__()

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._video.write(frame, hold)
        drawn = self.order[self._written] if self.order else self._written
        self._shown += [drawn] * repeats(hold, self.fps)  # as the MP4 repeats a held frame
        self._written += 1

    def _close(self, ok: bool) -> None:
        try:
            self._video._close(ok)
            if not ok:
                return
            if not self._shown:
                raise EncoderError("no frames were written")
            size = self._video.path.stat().st_size
            if size > MAX_VIDEO_BYTES:
                raise TooLarge(f"its video is {_size(size)}; a page embeds at most {_size(MAX_VIDEO_BYTES)} "
                                   "(fewer frames, a smaller --size, or an .mp4)")
            text = page(self._video.path.read_bytes(), size=self.size, fps=self.fps, shown=self._shown,
                        text=self.text, loop=self.loop == 0, dark=self.dark)
            self.path.write_text(text, encoding="utf-8")
        finally:
            (self._folder / "animation.mp4").unlink(missing_ok=True)

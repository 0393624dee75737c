"""What every encoder is: RGB(A) frames in, a file out. Encoders know pixels and timing, nothing
of regularization.

An encoder is a context manager with one method, ``write(frame, hold=0.0)``: the frame, an RGBA
(height, width, 4) uint8 array (alpha is ignored), shows for ``1/fps`` seconds plus ``hold``. The
frame may be a view of a buffer that changes after the call: an encoder copies what it keeps. It
writes to the path it is given (the caller's output transaction decides where that is and renames
it into place) and, when the ``with`` block ends cleanly, finishes the file and checks that it is
complete: the encoder process's exit status and the file's structure. A failure raises
:class:`EncoderError`.

Each encoder owns its own set-up (:meth:`Encoder.plan`): what it needs from the frames before the
first is written (a GIF's palette, a deck's text), and whether processes that draw frames can
encode them too. A new format is one module and one line in ``ENCODERS``.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np


@dataclass(frozen=True)
class Text:
    """Words that go with the pixels, for the formats that carry them (a slide, a page)."""

    title: str = ""
    caption: str = ""
    notes: str = ""                  # the command line that makes it again, then its parameters
    labels: tuple[str, ...] = ()     # what each drawn frame shows ("step 24 / 200"), by frame
    captions: tuple[str, ...] = ()   # what the caption says at each drawn frame (none: no caption)
    lang: str = "en"
    ui: dict[str, str] = field(default_factory=dict, hash=False)  # a player's words, in that language


class Frames(Protocol):
    """What an encoder may ask of the frames before writing them (``regviz_anim.scene.Scene``)."""

    size: tuple[int, int]
    frame_count: int
    background: np.ndarray                            # RGBA, what every frame shows but the moving parts
    changing: Sequence[tuple[slice, slice]] | None    # where frames can differ from it (None: anywhere)

    def draw(self, i: int) -> np.ndarray: ...


@dataclass
class Plan:
    """An encoder's set-up for one render: the keyword options it is opened with, and, where it can
    encode frames in the processes that draw them, ``follow`` and ``encode`` for them
    (``regviz_anim.drawing.encode_frames``); then its :meth:`Encoder.write_block` takes their bytes."""

    options: dict[str, Any] = field(default_factory=dict)
    follow: Callable[[np.ndarray | None], None] | None = None
    encode: Callable[[np.ndarray, int], bytes] | None = None
    scratch: bool = False   # it wants a working folder (``scratch=``) that the caller removes
    finish: Callable[[], None] = lambda: None  # the rest of the set-up: call it before forking

    @property
    def in_workers(self) -> bool:
        return self.encode is not None


class EncoderError(Exception):
    """The encoder could not finish a complete file (its process failed, the disk is full...)."""


class TooLarge(EncoderError):
    """What was asked is more than the format takes (a page's video past its limit): the input's
    fault, not the disk's, so the caller says it as a bad value."""


def repeats(hold: float, fps: float) -> int:
    """How many times a frame held ``hold`` seconds beyond its 1/fps is written at a constant rate."""
    return 1 + round(hold * fps)


class Encoder(contextlib.AbstractContextManager):
    """Base: subclasses implement ``_open``, ``write`` and ``_close(ok)``, which must raise
    EncoderError unless the file it leaves is complete."""

    suffix = ""
    carries_text = False  # it shows the title and caption as text of its own (a slide), not only the frames'
    carries_captions = False  # it shows each frame's caption as text (a page): the frames draw none

    @classmethod
    def problem(cls, *, fps: int) -> tuple[str, str] | None:
        """What this format cannot take, before anything is drawn: ``(option, what is allowed)``."""
        return None

    @classmethod
    def plan(cls, frames: Frames, *, fps: int, holds: Sequence[float], text: Text,
             workers: bool, order: Sequence[int] = ()) -> Plan:
        """The set-up for writing ``frames`` (played in ``order``, each held ``holds``); ``workers``:
        there are drawing processes that could encode too. Called before any process is forked."""
        return Plan()

    def write_block(self, block: bytes) -> None:
        """Bytes encoded by a drawing process (see :class:`Plan`), in order."""
        raise EncoderError(f"{type(self).__name__} does not take encoded blocks")

    def __init__(self, path: str | Path, *, size: tuple[int, int], fps: float, loop: int = 0):
        self.path, self.size, self.fps, self.loop = Path(path), size, fps, loop

    def __enter__(self):
        self._open(self.path)
        return self

    def __exit__(self, *exc):
        self._close(ok=exc[0] is None)
        return False

    def _check(self, frame: np.ndarray) -> None:
        if frame.shape != (self.size[1], self.size[0], 4) or frame.dtype != np.uint8:
            raise ValueError(f"frame is {frame.shape} {frame.dtype}, expected {(self.size[1], self.size[0], 4)} uint8")


def words(rgba: np.ndarray) -> np.ndarray:
    """An RGBA frame as one 32-bit word a pixel (no copy): compared and looked up four times faster."""
    return np.ascontiguousarray(rgba).view(np.uint32)[..., 0]

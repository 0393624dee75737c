"""PNG: every frame into a folder, or the last frame as a poster."""
from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
from PIL import Image

from .base import EncoderError


class PngFramesEncoder(contextlib.AbstractContextManager):
    """Every frame as ``frame_00000.png`` ... in the (new, empty) folder it is given."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.frames_written = 0

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        Image.fromarray(frame[..., :3]).save(self.folder / f"frame_{self.frames_written:05d}.png", format="PNG",
                                             compress_level=1)
        self.frames_written += 1

    def __exit__(self, *exc):
        return False


class PngPoster(contextlib.AbstractContextManager):
    """Keeps the latest frame; on a clean exit writes it as a PNG to the path it is given."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._last: np.ndarray | None = None

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._last = frame[..., :3].copy()  # the frame may be a view of a buffer that changes

    def __exit__(self, *exc):
        if exc[0] is None:
            if self._last is None:
                raise EncoderError("no frames were written")
            Image.fromarray(self._last).save(self.path, format="PNG")
        return False



"""Encoders: RGB frames in, a file out. They know pixels and timing, nothing else.

Every encoder is a context manager with one method, ``write(frame)``. It writes to a temporary
file beside its target and renames it into place only when the ``with`` block ends cleanly, so
a failed or interrupted render leaves no partial file and an older file at the path intact.
Choose one by suffix with :func:`encoder_for`.
"""
from __future__ import annotations

import contextlib
import struct
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import GifImagePlugin, Image

from .atomic import atomic_dir, atomic_path

TRANSPARENT = 255  # GIF palette slot kept free to mark "unchanged since the last frame"


class Encoder(contextlib.AbstractContextManager):
    """Base: owns the temporary path; subclasses implement ``_open``, ``write`` and ``_close``."""

    suffix = ""

    def __init__(self, path: str | Path, *, size: tuple[int, int], fps: float, hold: float = 0.0, loop: int = 0):
        self.path, self.size, self.fps, self.hold, self.loop = Path(path), size, fps, hold, loop

    def __enter__(self):
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        try:
            self._open(tmp)
        except BaseException:  # e.g. ffmpeg would not start: remove the temporary file too
            self._atomic.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        try:
            self._close(ok=exc[0] is None)
        except BaseException:  # finishing failed: the temporary file goes, nothing is renamed
            self._atomic.__exit__(*sys.exc_info())
            raise
        return self._atomic.__exit__(*exc)  # renames on success, removes on an exception

    def _check(self, frame: np.ndarray) -> None:
        if frame.shape != (self.size[1], self.size[0], 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame is {frame.shape} {frame.dtype}, expected {(self.size[1], self.size[0], 3)} uint8")


# --- GIF ---------------------------------------------------------------------------------------

def build_palette(samples: Sequence[np.ndarray], colors: int = 255) -> np.ndarray:
    """One palette for the whole animation, by median cut over a few sample frames."""
    stacked = Image.fromarray(np.concatenate([np.ascontiguousarray(s) for s in samples], axis=0))
    quantized = stacked.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = np.array(quantized.getpalette()[: 3 * colors], dtype=np.uint8).reshape(-1, 3)
    out = np.zeros((256, 3), np.uint8)
    out[: len(palette)] = palette
    return out


class NearestColour:
    """Maps RGB pixels to the index of the nearest palette colour, exactly.

    A plot has a few thousand distinct colours, so each colour's nearest entry is worked out
    once, the first time it is seen, and kept in a table over all 2**24 colours.
    """

    def __init__(self, palette: np.ndarray):
        self.palette = palette[:TRANSPARENT].astype(np.float64)
        self._norms = (self.palette * self.palette).sum(axis=1)
        self._table = np.full(1 << 24, -1, np.int16)

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
        index = self._table[packed]
        unknown = index < 0
        if unknown.any():
            new = np.unique(packed[unknown])
            colours = np.stack([new >> 16, (new >> 8) & 255, new & 255], axis=1).astype(np.float64)
            # |c - p|² = |c|² - 2c·p + |p|², and |c|² does not change which p is nearest
            self._table[new] = (self._norms[None, :] - 2.0 * colours @ self.palette.T).argmin(axis=1)
            index = self._table[packed]
        return index.astype(np.uint8)


class GifEncoder(Encoder):
    """A streaming GIF: one global palette, each frame stored as the rectangle that changed.

    Memory does not grow with the number of frames: only the previous frame is kept. Delays
    are whole hundredths of a second; the last frame is held ``hold`` seconds longer. ``loop``
    is how many times it plays: 0 forever.
    """

    suffix = ".gif"

    def __init__(self, path, *, size, fps, hold=0.0, loop=0, palette_from: Sequence[np.ndarray] = ()):
        super().__init__(path, size=size, fps=fps, hold=hold, loop=loop)
        self._samples = list(palette_from)
        self._delay_cs = max(1, round(100 / fps))
        self._prev: np.ndarray | None = None
        self._pending: tuple[Image.Image, tuple[int, int], bool] | None = None

    def _open(self, tmp: Path) -> None:
        self._file = open(tmp, "wb")

    def _header(self, first: np.ndarray) -> None:
        self.palette = build_palette(self._samples or [first])
        self._index = NearestColour(self.palette)
        width, height = self.size
        head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + self.palette.tobytes()
        if self.loop != 1:  # NETSCAPE2.0: repeat count after the first play; 0 = forever
            head += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(self.loop - 1, 0)) + b"\x00"
        self._file.write(head)

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        if self._prev is None:
            self._header(frame)
            region, offset, transparent = self._index(frame), (0, 0), False
            self._prev = frame.copy()
        else:
            differs = frame != self._prev
            rows = np.flatnonzero(differs.reshape(differs.shape[0], -1).any(axis=1))
            if rows.size == 0:  # identical frame: keep it as one unchanged pixel so the count holds
                region, offset = np.full((1, 1), TRANSPARENT, np.uint8), (0, 0)
            else:
                cols = np.flatnonzero(differs[rows[0]:rows[-1] + 1].any(axis=0).any(axis=1))
                y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                region = self._index(frame[y0:y1, x0:x1])
                region[~differs[y0:y1, x0:x1].any(axis=2)] = TRANSPARENT
                offset = (int(x0), int(y0))
                self._prev[y0:y1, x0:x1] = frame[y0:y1, x0:x1]
            transparent = True
        # A frame's delay is known only once the next one comes (the last is held longer),
        # so the previous frame is written now and this one is kept.
        if self._pending is not None:
            self._emit(*self._pending, delay_cs=self._delay_cs)
        self._pending = (Image.fromarray(region, "L"), offset, transparent)

    def _emit(self, image, offset, transparent, *, delay_cs: int) -> None:
        params = {"duration": 10 * delay_cs, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        for chunk in GifImagePlugin.getdata(image, offset, **params):
            self._file.write(chunk)

    def _close(self, ok: bool) -> None:
        try:
            if ok:
                if self._pending is None:
                    raise ValueError("no frames were written")
                self._emit(*self._pending, delay_cs=min(65535, self._delay_cs + round(100 * self.hold)))
                self._file.write(b";")
        finally:
            self._file.close()


# --- MP4 ---------------------------------------------------------------------------------------

class Mp4Encoder(Encoder):
    """H.264 in yuv420p through the ffmpeg that the imageio-ffmpeg wheel carries.

    ``crf`` 14 with ``-tune animation`` keeps 1-2 px coloured lines and small text clean in 4:2:0;
    colours are converted with the BT.709 matrix and tagged so, as browsers assume for HD.
    """

    suffix = ".mp4"

    def __init__(self, path, *, size, fps, hold=0.0, loop=0, crf: int = 14, preset: str = "medium"):
        super().__init__(path, size=size, fps=fps, hold=hold, loop=loop)
        if size[0] % 2 or size[1] % 2:
            raise ValueError(f"H.264 in yuv420p needs even sizes, got {size[0]}x{size[1]}")
        self.crf, self.preset = crf, preset
        self._last: np.ndarray | None = None

    def _open(self, tmp: Path) -> None:
        import imageio_ffmpeg

        self._writer = imageio_ffmpeg.write_frames(
            str(tmp), self.size, fps=self.fps, codec="libx264", pix_fmt_out="yuv420p", quality=None,
            macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-crf", str(self.crf), "-preset", self.preset, "-tune", "animation",
                           "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int",
                           "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
                           "-movflags", "+faststart", "-f", "mp4"],
        )
        self._writer.send(None)

    def write(self, frame: np.ndarray) -> None:
        self._check(frame)
        self._writer.send(np.ascontiguousarray(frame))
        self._last = frame

    def _close(self, ok: bool) -> None:
        try:
            if ok:
                if self._last is None:
                    raise ValueError("no frames were written")
                for _ in range(round(self.hold * self.fps)):
                    self._writer.send(np.ascontiguousarray(self._last))
        finally:
            self._writer.close()


# --- PNG ---------------------------------------------------------------------------------------

def write_png(path: str | Path, frame: np.ndarray) -> None:
    """One frame as a PNG, atomically."""
    with atomic_path(path) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")


class PngFramesEncoder(contextlib.AbstractContextManager):
    """Every frame as ``frame_00000.png`` ... in a folder that appears only when complete."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.frames_written = 0

    def __enter__(self):
        self._atomic = atomic_dir(self.folder)
        self._tmp = self._atomic.__enter__()
        return self

    def write(self, frame: np.ndarray) -> None:
        Image.fromarray(frame).save(self._tmp / f"frame_{self.frames_written:05d}.png", format="PNG",
                                    compress_level=1)
        self.frames_written += 1

    def __exit__(self, *exc):
        return self._atomic.__exit__(*exc)


ENCODERS = {cls.suffix: cls for cls in (GifEncoder, Mp4Encoder)}


def encoder_for(path: str | Path) -> type[Encoder]:
    suffix = Path(path).suffix.lower()
    if suffix not in ENCODERS:
        raise ValueError(f"no encoder for {suffix or 'a name without suffix'}; use one of {', '.join(ENCODERS)}")
    return ENCODERS[suffix]


class PngPoster(contextlib.AbstractContextManager):
    """Keeps the latest frame; on a clean exit writes it as a PNG, atomically."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._last: np.ndarray | None = None

    def write(self, frame: np.ndarray) -> None:
        self._last = frame

    def __exit__(self, *exc):
        if exc[0] is None and self._last is not None:
            write_png(self.path, self._last)
        return False

"""GIF: one palette for the whole animation, each frame stored against the one before it.

A plot has few colours, so one palette (a median cut over samples of the frames) serves every
frame; a pixel whose palette entry did not change is left transparent, so a frame's image block
depends only on it, the frame before and the palette, and the processes that draw frames can
encode them too (:meth:`GifEncoder.plan`). GIF stores delays in hundredths of a second, so it plays
only some frame rates exactly.
"""
from __future__ import annotations

import os
import struct
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import GifImagePlugin, Image

from .base import Encoder, EncoderError, Frames, Plan, Text, words

TRANSPARENT = 255  # palette slot kept free to mark "unchanged since the last frame"
FPS = (1, 2, 4, 5, 10, 20, 25, 50)  # the frame rates whose delays a GIF stores exactly


def palette_samples(frames: Frames, count: int = 4) -> list[np.ndarray]:
    """Pixels whose colours, counted, are those of ``count`` frames spread over the animation, at
    1/count of the pixels: the background once, and every count-th pixel where a frame differs
    from it. The one palette is worked out from these: a median cut weighs colours by how many
    pixels have them, so this gives it nearly what all the frames' pixels would, in a quarter of
    the time."""
    background = frames.background
    moving = []
    for i in np.unique(np.linspace(0, frames.frame_count - 1, count).round()):
        frame = frames.draw(int(i))
        moving.append(frame[words(frame) != words(background)])
    return [background, np.concatenate(moving)[::count]]


def build_palette(samples: Sequence[np.ndarray], colors: int = 255) -> np.ndarray:
    """One palette for the whole animation, by median cut over the pixels of ``samples``: frames or
    any arrays of RGB or RGBA pixels (see :func:`palette_samples`)."""
    pixels = np.concatenate([s[..., :3].reshape(-1, 3) for s in samples])
    stacked = Image.fromarray(pixels[:, None, :])  # a column of pixels: only their colours count
    quantized = stacked.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = np.array(quantized.getpalette()[: 3 * colors], dtype=np.uint8).reshape(-1, 3)
    out = np.zeros((256, 3), np.uint8)
    out[: len(palette)] = palette
    return out


class PaletteJob:
    """:func:`build_palette` on a thread (Pillow's median cut releases the GIL, so drawing goes on),
    and then the nearest palette entry of each of the samples' colours: a frame's colours are
    then mostly looked up already."""

    def __init__(self, samples: Sequence[np.ndarray]):
        self._nearest: NearestColour | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(samples,), name="gif-palette", daemon=True)
        self._thread.start()

    def _work(self, samples) -> None:
        try:
            nearest = NearestColour(build_palette(samples))
            for sample in samples:
                nearest(words(sample))
            self._nearest = nearest
        except BaseException as error:  # raised where the palette is needed
            self._error = error

    def ready(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> NearestColour:
        """The palette, as a :class:`NearestColour` (its ``palette`` the 256 entries)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._nearest


class NearestColour:
    """Maps pixels, as RGBA words, to the index of the nearest palette colour, exactly.

    A plot has a few thousand distinct colours, so each colour's nearest entry is worked out
    once, the first time it is seen, and kept in a table over all 2**24 colours.
    """

    def __init__(self, palette: np.ndarray):
        self.palette = palette  # (256, 3) uint8, as the GIF stores it
        self._entries = palette[:TRANSPARENT].astype(np.float64)
        self._norms = (self._entries * self._entries).sum(axis=1)
        # One byte a colour, the index plus one: 0 is "not seen yet". Zeros cost nothing until a
        # colour is seen (the system maps zero pages as they are touched), 16 MB filled would.
        self._table = np.zeros(1 << 24, np.uint8)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """``pixels``: RGBA words (R in the low byte, as numpy reads an RGBA buffer here)."""
        packed = pixels & np.uint32(0xFFFFFF)
        index = self._table[packed]
        unknown = index == 0
        if unknown.any():
            new = np.unique(packed[unknown])
            colours = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=1).astype(np.float64)
            # |c - p|² = |c|² - 2c·p + |p|², and |c|² does not change which p is nearest
            self._table[new] = 1 + (self._norms[None, :] - 2.0 * colours @ self._entries.T).argmin(axis=1)
            index = self._table[packed]
        index -= 1
        return index


def gif_delay(fps: float, hold: float = 0.0) -> int:
    """A frame's delay in the whole hundredths of a second a GIF stores: 1/fps, plus ``hold`` seconds."""
    return min(65535, max(1, round(100 / fps)) + round(100 * hold))


class GifFrames:
    """Frames to a GIF's image blocks, each stored against the frame before it.

    A pixel is stored where its palette entry differs from the one the frame before shows there;
    the rest of the block is transparent, which keeps what is shown. Every pixel therefore always
    shows its own frame's nearest palette colour, so a block depends only on its frame, the frame
    before and the palette: blocks can be made wherever two frames are at hand (the processes that
    draw them, ``regviz_anim.drawing``) and joined in order.

    ``within``: rectangles (rows, columns) outside which no frame differs from the first; only
    these are compared.
    """

    def __init__(self, size: tuple[int, int], within: Sequence[tuple[slice, slice]] | None = None,
                 palette: NearestColour | None = None):
        self._within = list(within) if within else [(slice(0, size[1]), slice(0, size[0]))]
        self._prev: np.ndarray | None = None
        self._index = palette

    def set_palette(self, palette: NearestColour) -> None:
        self._index = palette

    def follow(self, frame: np.ndarray | None) -> None:
        """The next frame comes after ``frame`` (None: it is the first, stored whole)."""
        self._prev = None if frame is None else words(frame).copy()

    def encode(self, frame: np.ndarray, delay_cs: int) -> bytes:
        """The image block of ``frame``, which becomes the frame before the next."""
        return self.block(self.change(frame), delay_cs)

    def change(self, frame: np.ndarray) -> tuple:
        """What ``frame`` changes from the frame before, which it then becomes (no palette needed):
        the old and new colours of the pixels that differ, their rows and columns in the smallest
        rectangle holding them all, that rectangle's (height, width) and its top-left corner (x, y).
        Rows None: the whole frame."""
        pixels = words(frame)
        if self._prev is None:
            self._prev = pixels.copy()
            return None, self._prev.copy(), None, None, self._prev.shape, (0, 0)
        ys, xs = [], []
        for rows, cols in self._within:
            differs = pixels[rows, cols] != self._prev[rows, cols]
            inside = np.flatnonzero(differs.any(axis=1))  # the rows, then the columns, that differ
            if inside.size:
                top, bottom = inside[0], inside[-1] + 1
                inside = np.flatnonzero(differs[top:bottom].any(axis=0))
                y, x = np.nonzero(differs[top:bottom, inside[0]:inside[-1] + 1])
                ys.append(y + (rows.start + top))
                xs.append(x + (cols.start + inside[0]))
        if not ys:  # identical frame: kept as one unchanged pixel so the count holds
            nothing = np.empty(0, np.intp)
            return np.empty(0, np.uint32), np.empty(0, np.uint32), nothing, nothing, (1, 1), (0, 0)
        ys, xs = np.concatenate(ys), np.concatenate(xs)
        old, new = self._prev[ys, xs], pixels[ys, xs]  # a few percent of the rectangle
        self._prev[ys, xs] = new
        y0, x0 = ys.min(), xs.min()
        shape = (int(ys.max() - y0 + 1), int(xs.max() - x0 + 1))
        return old, new, (ys - y0).astype(np.uint16), (xs - x0).astype(np.uint16), shape, (int(x0), int(y0))

    def block(self, change: tuple, delay_cs: int) -> bytes:
        """The image block (graphic control extension, image descriptor, LZW data) of a change."""
        old, new, ys, xs, shape, offset = change
        params = {"duration": 10 * delay_cs, "disposal": 1}
        if ys is None:  # a whole frame
            image = Image.fromarray(self._index(new), "L")
        else:
            index = self._index(new)  # only the changed pixels are looked up
            index[index == self._index(old)] = TRANSPARENT  # its palette entry is shown already
            region = np.full(shape, TRANSPARENT, np.uint8)
            region[ys, xs] = index
            image = Image.fromarray(region, "L")
            params["transparency"] = TRANSPARENT
        return b"".join(GifImagePlugin.getdata(image, offset, **params))


class GifEncoder(Encoder):
    """A streaming GIF with one global palette, each frame stored against the one before
    (:class:`GifFrames`).

    The palette is given (``palette``, a :class:`NearestColour`), or worked out from
    ``palette_from`` (pixels, see :func:`palette_samples`; else the first frame) on a thread:
    Pillow's median cut releases the GIL, so the frames go on being drawn meanwhile, and until it
    is ready each frame's changes wait in a queue of at most ``PENDING_BYTES``. Memory does not
    grow with the number of frames: only the previous frame and that queue are kept. Blocks made
    elsewhere with the same palette are written with :meth:`write_block`. Delays are whole
    hundredths of a second. ``loop`` is how many times it plays: 0 forever.
    """

    suffix = ".gif"
    PENDING_BYTES = 64 << 20

    @classmethod
    def problem(cls, *, fps: int) -> tuple[str, str] | None:
        if fps not in FPS:
            return "fps", f"a GIF plays exactly only at {', '.join(map(str, FPS))} fps"
        return None

    @classmethod
    def plan(cls, frames: Frames, *, fps: int, holds: Sequence[float], text: Text, workers: bool,
             order: Sequence[int] = ()) -> Plan:
        """The palette from samples of ``frames``: worked out here on a thread while the frames are
        drawn, or, when drawing processes encode (``workers``), on a thread while the caller
        finishes its set-up, and joined by :meth:`Plan.finish` before they are forked."""
        samples = palette_samples(frames)
        if not workers:
            return Plan(options={"palette_from": samples, "changes_within": frames.changing})
        job = PaletteJob(samples)
        coder = GifFrames(frames.size, frames.changing)
        delays = [gif_delay(fps, hold) for hold in holds]
        plan = Plan(options={"changes_within": frames.changing}, follow=coder.follow,
                    encode=lambda frame, k: coder.encode(frame, delays[k]))

        def finish() -> None:
            palette = job.result()
            coder.set_palette(palette)
            plan.options["palette"] = palette
        plan.finish = finish
        return plan

    def __init__(self, path, *, size, fps, loop=0, palette_from: Sequence[np.ndarray] = (),
                 palette: NearestColour | None = None, changes_within: Sequence[tuple[slice, slice]] | None = None):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self._samples = list(palette_from)
        self._nearest = palette
        self._frames = GifFrames(size, changes_within)
        self._count = 0
        self._pending: list = []  # (change, delay), waiting for the palette
        self._pending_bytes = 0
        self._palette_job: PaletteJob | None = None
        self._ready = False

    def _open(self, tmp: Path) -> None:
        self._file = open(tmp, "wb")
        if self._nearest is not None:
            self._header()
        elif self._samples:
            self._palette_job = PaletteJob(self._samples)

    def _header(self) -> None:
        if self._nearest is None:
            self._nearest = self._palette_job.result()
        self._frames.set_palette(self._nearest)
        width, height = self.size
        head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + self._nearest.palette.tobytes()
        if self.loop != 1:  # NETSCAPE2.0: repeat count after the first play; 0 = forever
            head += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(self.loop - 1, 0)) + b"\x00"
        self._file.write(head)
        self._ready = True

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._check(frame)
        delay = gif_delay(self.fps, hold)
        if self._count == 0 and self._nearest is None and self._palette_job is None:
            self._palette_job = PaletteJob([frame.copy()])
        change = self._frames.change(frame)
        self._count += 1
        if self._ready or self._palette_job.ready():
            self._flush()
            self._file.write(self._frames.block(change, delay))
            return
        self._pending.append((change, delay))  # waits for the palette
        self._pending_bytes += sum(part.nbytes for part in change[:4] if part is not None)
        if self._pending_bytes > self.PENDING_BYTES:
            self._flush()

    def write_block(self, block: bytes) -> None:
        """An image block made by a :class:`GifFrames` with this encoder's palette, in order."""
        if not self._ready:
            raise EncoderError("a GIF block needs the palette first: give the encoder ``palette``")
        self._file.write(block)
        self._count += 1

    def _flush(self) -> None:
        """Encode the frames that wait, waiting for the palette first if it is not ready."""
        if not self._ready:
            self._header()
        for change, delay in self._pending:
            self._file.write(self._frames.block(change, delay))
        self._pending, self._pending_bytes = [], 0

    def _close(self, ok: bool) -> None:
        try:
            if ok:
                if self._count == 0:
                    raise EncoderError("no frames were written")
                self._flush()
                self._file.write(b";")
                self._file.flush()
                written = self._file.tell()
        finally:
            try:
                self._file.close()
            except OSError:  # the disk is full: flushing what was left failed too
                if ok:
                    raise
        if ok and os.path.getsize(self.path) != written:
            raise EncoderError(f"the GIF on disk is {os.path.getsize(self.path)} bytes, {written} were written")



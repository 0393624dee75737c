"""Encoders: RGB frames in, a file out. They know pixels and timing, nothing else.

Every encoder is a context manager with one method, ``write(frame, hold=0.0)``: the frame, an
RGBA (height, width, 4) uint8 array (alpha is ignored), shows for ``1/fps`` seconds plus ``hold``.
The frame may be a view of a buffer that changes after the call: an encoder copies what it keeps. It writes to the path it
is given (the caller's output transaction decides where that is and renames it into place) and,
when the ``with`` block ends cleanly, finishes the file and checks that it is complete: the
encoder process's exit status and the file's structure. A failure raises :class:`EncoderError`.
Choose one by suffix with :func:`encoder_for`.
"""
from __future__ import annotations

import contextlib
import os
import signal
import struct
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import GifImagePlugin, Image

from .deck import Slide, SlideText, pptx_module, write_deck

TRANSPARENT = 255  # GIF palette slot kept free to mark "unchanged since the last frame"


class EncoderError(Exception):
    """The encoder could not finish a complete file (its process failed, the disk is full...)."""


class Encoder(contextlib.AbstractContextManager):
    """Base: subclasses implement ``_open``, ``write`` and ``_close(ok)``, which must raise
    EncoderError unless the file it leaves is complete."""

    suffix = ""

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


# --- GIF ---------------------------------------------------------------------------------------

def build_palette(samples: Sequence[np.ndarray], colors: int = 255) -> np.ndarray:
    """One palette for the whole animation, by median cut over the pixels of ``samples``: frames or
    any arrays of RGB or RGBA pixels (see ``renderer.palette_samples``)."""
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
    ``palette_from`` (pixels, see ``renderer.palette_samples``; else the first frame) on a thread:
    Pillow's median cut releases the GIL, so the frames go on being drawn meanwhile, and until it
    is ready each frame's changes wait in a queue of at most ``PENDING_BYTES``. Memory does not grow with the number of frames:
    only the previous frame and that queue are kept. Blocks made elsewhere with the same palette
    are written with :meth:`write_block`. Delays are whole hundredths of a second. ``loop`` is how
    many times it plays: 0 forever.
    """

    suffix = ".gif"
    PENDING_BYTES = 64 << 20

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


# --- MP4 ---------------------------------------------------------------------------------------

def mp4_is_complete(path: str | Path) -> bool:
    """The file is a sequence of MP4 boxes that exactly fills it and holds ftyp, moov and mdat."""
    seen, size = set(), os.path.getsize(path)
    with open(path, "rb") as f:
        pos = 0
        while pos < size:
            f.seek(pos)
            head = f.read(16)
            if len(head) < 8:
                return False
            length, kind = struct.unpack(">I4s", head[:8])
            if length == 1 and len(head) == 16:
                length = struct.unpack(">Q", head[8:16])[0]
            elif length == 0:
                length = size - pos
            if length < 8:
                return False
            seen.add(kind)
            pos += length
    return pos == size and {b"ftyp", b"moov", b"mdat"} <= seen


class Mp4Encoder(Encoder):
    """H.264 in yuv420p through the ffmpeg that the imageio-ffmpeg wheel carries.

    ``crf`` 14 with ``-tune animation`` keeps 1-2 px coloured lines and small text clean in 4:2:0;
    colours are converted with the BT.709 matrix and tagged so (matrix, primaries and transfer),
    as browsers assume for HD. ffmpeg's exit status and the finished file are both checked.

    The x264 settings were chosen by measuring (``scripts/bench.py`` and the README's speed
    section): the ``veryfast`` preset without the macroblock tree and with trellis quantisation
    decodes as close to the drawn frames as ``medium`` did (PSNR), for 40% less encoding time and
    a file about 1.5 times as large.
    """

    suffix = ".mp4"

    def __init__(self, path, *, size, fps, loop=0, crf: int = 14, preset: str = "veryfast",
                 x264: str = "mbtree=0:trellis=1"):
        super().__init__(path, size=size, fps=fps, loop=loop)
        if size[0] % 2 or size[1] % 2:
            raise ValueError(f"H.264 in yuv420p needs even sizes, got {size[0]}x{size[1]}")
        self.crf, self.preset, self.x264 = crf, preset, x264
        self._last: np.ndarray | None = None

    def command(self) -> list[str]:
        import imageio_ffmpeg

        width, height = self.size
        return [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(self.fps), "-i", "-",
            "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", str(self.crf), "-preset", self.preset,
            "-tune", "animation", "-x264-params", self.x264,
            "-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int,"
                   "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709",
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-movflags", "+faststart", "-f", "mp4", str(self.path),
        ]

    def _open(self, path: Path) -> None:
        self._log = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=self._log)
        except BaseException:
            self._log.close()
            raise

    def _feed(self, frame: np.ndarray) -> None:
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).data)
        except (BrokenPipeError, OSError):
            self._process.wait()
            raise EncoderError(self._failure()) from None

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        """The frame, repeated to stay ``hold`` seconds longer (the video's frame rate is constant)."""
        self._check(frame)
        for _ in range(1 + round(hold * self.fps)):
            self._feed(frame)
        self._last = frame

    def _failure(self) -> str:
        code = self._process.returncode
        if code is not None and code < 0:
            return f"ffmpeg was stopped by signal {-code} ({signal.strsignal(-code)})"
        self._log.seek(0)
        lines = [line.strip() for line in self._log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        said = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "")
        said = said.split("] ", 1)[-1]  # drop ffmpeg's "[out#0/mp4 @ 0x...]" prefix
        return f"ffmpeg exited with status {self._process.returncode}" + (f" ({said})" if said else "")

    def _close(self, ok: bool) -> None:
        try:
            if not ok:
                self._process.kill()
                return
            if self._last is None:
                self._process.kill()
                raise EncoderError("no frames were written")
            try:
                self._process.stdin.close()
            except OSError:
                pass
            if self._process.wait() != 0:
                raise EncoderError(self._failure())
            if not mp4_is_complete(self.path):
                raise EncoderError("ffmpeg exited cleanly but the MP4 is incomplete")
        finally:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            if self._process.stdin and not self._process.stdin.closed:
                try:
                    self._process.stdin.close()
                except OSError:
                    pass
            self._log.close()


# --- PNG ---------------------------------------------------------------------------------------

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


# --- PowerPoint --------------------------------------------------------------------------------

class PptxEncoder(Encoder):
    """A deck of one slide: the frames become an MP4, the last frame its poster, both in
    ``scratch``: a folder the caller gives and removes (beside the deck, so that a killed render's
    is found with its other leftovers)."""

    suffix = ".pptx"

    def __init__(self, path, *, size, fps, loop=0, slide_text: SlideText = SlideText(), scratch: str | Path):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self.text = slide_text
        self._folder = Path(scratch)
        self._seconds = 0.0
        self._last: np.ndarray | None = None

    def _open(self, path: Path) -> None:
        pptx_module()
        self._video = Mp4Encoder(self._folder / "animation.mp4", size=self.size, fps=self.fps)
        self._video.__enter__()

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._video.write(frame, hold)
        self._seconds += (1 + round(hold * self.fps)) / self.fps
        self._last = frame[..., :3].copy()

    def _close(self, ok: bool) -> None:
        try:
            self._video._close(ok)
            if ok:
                if self._last is None:
                    raise EncoderError("no frames were written")
                poster = self._folder / "poster.png"
                Image.fromarray(self._last).save(poster)
                write_deck(self.path, [Slide(self.text, self._video.path, poster, self.size, self._seconds)])
        finally:
            for name in ("animation.mp4", "poster.png"):
                (self._folder / name).unlink(missing_ok=True)


ENCODERS = {cls.suffix: cls for cls in (GifEncoder, Mp4Encoder, PptxEncoder)}


def encoder_for(path: str | Path) -> type[Encoder]:
    suffix = Path(path).suffix.lower()
    if suffix not in ENCODERS:
        raise ValueError(f"no encoder for {suffix or 'a name without suffix'}; use one of {', '.join(ENCODERS)}")
    return ENCODERS[suffix]

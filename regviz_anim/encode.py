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
import shutil
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


class NearestColour:
    """Maps pixels, as RGBA words, to the index of the nearest palette colour, exactly.

    A plot has a few thousand distinct colours, so each colour's nearest entry is worked out
    once, the first time it is seen, and kept in a table over all 2**24 colours.
    """

    def __init__(self, palette: np.ndarray):
        self.palette = palette[:TRANSPARENT].astype(np.float64)
        self._norms = (self.palette * self.palette).sum(axis=1)
        # One byte a colour (16 MB): TRANSPARENT is never a palette index, so it marks "not seen yet".
        self._table = np.full(1 << 24, TRANSPARENT, np.uint8)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """``pixels``: RGBA words (R in the low byte, as numpy reads an RGBA buffer here)."""
        packed = pixels & np.uint32(0xFFFFFF)
        index = self._table[packed]
        unknown = index == TRANSPARENT
        if unknown.any():
            new = np.unique(packed[unknown])
            colours = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=1).astype(np.float64)
            # |c - p|² = |c|² - 2c·p + |p|², and |c|² does not change which p is nearest
            self._table[new] = (self._norms[None, :] - 2.0 * colours @ self.palette.T).argmin(axis=1)
            index = self._table[packed]
        return index


class GifEncoder(Encoder):
    """A streaming GIF: one global palette, each frame stored as the pixels whose palette entry
    changed (the rest transparent, which keeps what is shown).

    The palette is worked out on a thread (Pillow's median cut releases the GIL, so the frames go
    on being drawn meanwhile); until it is ready, each frame's changed pixels wait in a queue of at
    most ``PENDING_BYTES``. Memory does not grow with the number of frames: only the previous
    frame, the palette entries it shows, and that queue are kept. Delays are whole hundredths of a second. ``loop`` is how many
    times it plays: 0 forever.
    """

    suffix = ".gif"
    PENDING_BYTES = 64 << 20

    def __init__(self, path, *, size, fps, loop=0, palette_from: Sequence[np.ndarray] = (),
                 changes_within: Sequence[tuple[slice, slice]] | None = None):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self._samples = list(palette_from)
        # rectangles (rows, columns) outside which no frame differs from the first: only these are compared
        self._within = list(changes_within) if changes_within else [(slice(0, size[1]), slice(0, size[0]))]
        self._delay_cs = max(1, round(100 / fps))
        self._prev: np.ndarray | None = None
        self._pending: list = []  # (changed pixels, their packed mask, offset, delay), waiting for the palette
        self._pending_bytes = 0
        self._palette_job: threading.Thread | None = None
        self._index: NearestColour | None = None
        self._shown: np.ndarray | None = None  # the palette index each pixel shows after the last frame

    def _open(self, tmp: Path) -> None:
        self._file = open(tmp, "wb")
        if self._samples:
            self._start_palette(self._samples)

    def _start_palette(self, samples: list[np.ndarray]) -> None:
        def work():
            try:
                self.palette = build_palette(samples)
            except BaseException as error:  # said where the palette is needed
                self._palette_error = error

        self._palette_error = None
        self._palette_job = threading.Thread(target=work, name="gif-palette", daemon=True)
        self._palette_job.start()

    def _header(self) -> None:
        self._palette_job.join()
        if self._palette_error is not None:
            raise self._palette_error
        self._index = NearestColour(self.palette)
        width, height = self.size
        head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + self.palette.tobytes()
        if self.loop != 1:  # NETSCAPE2.0: repeat count after the first play; 0 = forever
            head += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(self.loop - 1, 0)) + b"\x00"
        self._file.write(head)

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._check(frame)
        pixels = words(frame)
        delay = min(65535, self._delay_cs + round(100 * hold))
        if self._prev is None:
            self._prev = pixels.copy()
            if self._palette_job is None:
                self._start_palette([frame.copy()])
            change = (self._prev.copy(), None, (0, 0))  # the whole first frame
        else:
            change = self._changes(pixels)
        if self._index is not None or not self._palette_job.is_alive():
            self._flush()
            self._encode(*change, delay)
            return
        new, changed, offset = change  # waits for the palette, the changed pixels' mask packed 8 to a byte
        mask = None if changed is None else (changed.shape, np.packbits(changed, axis=None))
        self._pending.append((new, mask, offset, delay))
        self._pending_bytes += new.nbytes + (0 if mask is None else mask[1].nbytes)
        if self._pending_bytes > self.PENDING_BYTES:
            self._flush()

    def _changes(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """The pixels that differ from the previous frame (which is updated), their mask over the
        smallest rectangle holding them all, and its top-left corner (x, y)."""
        parts = []
        for ys, xs in self._within:
            differs = pixels[ys, xs] != self._prev[ys, xs]
            rows = np.flatnonzero(differs.any(axis=1))
            if rows.size:
                cols = np.flatnonzero(differs[rows[0]:rows[-1] + 1].any(axis=0))
                parts.append((ys.start + rows[0], xs.start + cols[0],
                              differs[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]))
        if not parts:  # identical frame: kept as one unchanged pixel so the count holds
            return np.empty(0, np.uint32), np.zeros((1, 1), bool), (0, 0)
        y0, x0 = min(p[0] for p in parts), min(p[1] for p in parts)
        y1, x1 = max(p[0] + p[2].shape[0] for p in parts), max(p[1] + p[2].shape[1] for p in parts)
        if len(parts) == 1:
            changed = parts[0][2]
        else:
            changed = np.zeros((y1 - y0, x1 - x0), bool)
            for top, left, mask in parts:
                changed[top - y0:top - y0 + mask.shape[0], left - x0:left - x0 + mask.shape[1]] |= mask
        new = pixels[y0:y1, x0:x1][changed]  # a few percent of the rectangle
        self._prev[y0:y1, x0:x1][changed] = new
        return new, changed, (int(x0), int(y0))

    def _flush(self) -> None:
        """Encode the frames that wait, waiting for the palette first if it is not ready."""
        if self._index is None:
            self._header()
        for new, mask, offset, delay in self._pending:
            changed = None if mask is None else np.unpackbits(mask[1], count=mask[0][0] * mask[0][1]).reshape(
                mask[0]).view(bool)
            self._encode(new, changed, offset, delay)
        self._pending, self._pending_bytes = [], 0

    def _encode(self, new: np.ndarray, changed: np.ndarray | None, offset: tuple[int, int], delay: int) -> None:
        if changed is None:  # a whole frame
            self._shown = self._index(new)
            self._emit(Image.fromarray(self._shown, "L"), offset, False, delay_cs=delay)
        else:
            x, y = offset
            shown = self._shown[y:y + changed.shape[0], x:x + changed.shape[1]]
            index = self._index(new)  # only the changed pixels are looked up
            # a pixel whose colour changed but whose palette entry did not is left as it is shown
            same = index == shown[changed]
            shown[changed] = index
            index[same] = TRANSPARENT
            region = np.full(changed.shape, TRANSPARENT, np.uint8)
            region[changed] = index
            self._emit(Image.fromarray(region, "L"), offset, True, delay_cs=delay)

    def _emit(self, image, offset, transparent, *, delay_cs: int) -> None:
        params = {"duration": 10 * delay_cs, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        for chunk in GifImagePlugin.getdata(image, offset, **params):
            self._file.write(chunk)

    def _close(self, ok: bool) -> None:
        try:
            if ok:
                if self._prev is None:
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
    """A deck of one slide: the frames become an MP4 (in a temporary folder), the last frame its poster."""

    suffix = ".pptx"

    def __init__(self, path, *, size, fps, loop=0, slide_text: SlideText = SlideText()):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self.text = slide_text
        self._seconds = 0.0
        self._last: np.ndarray | None = None

    def _open(self, path: Path) -> None:
        pptx_module()
        self._folder = Path(tempfile.mkdtemp(prefix="regviz-anim-deck-"))
        self._video = Mp4Encoder(self._folder / "animation.mp4", size=self.size, fps=self.fps)
        try:
            self._video.__enter__()
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise

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
            shutil.rmtree(self._folder, ignore_errors=True)


ENCODERS = {cls.suffix: cls for cls in (GifEncoder, Mp4Encoder, PptxEncoder)}


def encoder_for(path: str | Path) -> type[Encoder]:
    suffix = Path(path).suffix.lower()
    if suffix not in ENCODERS:
        raise ValueError(f"no encoder for {suffix or 'a name without suffix'}; use one of {', '.join(ENCODERS)}")
    return ENCODERS[suffix]

"""Encoders by file suffix: ``.gif``, ``.mp4``, ``.pptx``, ``.html``; and the PNG frames and poster beside them.
See :mod:`.base` for what an encoder is. A new format is one module and one line here."""
from __future__ import annotations

from pathlib import Path

from .base import Encoder, EncoderError, Plan, Text, TooLarge
from .gif import GifEncoder
from .html import HtmlEncoder
from .mp4 import Mp4Encoder
from .png import PngFramesEncoder, PngPoster
from .pptx import PptxEncoder

ENCODERS: dict[str, type[Encoder]] = {cls.suffix: cls for cls in (GifEncoder, Mp4Encoder, PptxEncoder, HtmlEncoder)}

__all__ = ["ENCODERS", "Encoder", "EncoderError", "Plan", "Text", "TooLarge", "encoder_for", "PngFramesEncoder",
           "PngPoster"]


def encoder_for(path: str | Path) -> type[Encoder]:
    suffix = Path(path).suffix.lower()
    if suffix not in ENCODERS:
        raise ValueError(f"no encoder for {suffix or 'a name without suffix'}; use one of {', '.join(ENCODERS)}")
    return ENCODERS[suffix]

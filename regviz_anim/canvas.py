"""An Agg canvas whose renderer keeps what drawing text makes again and again.

A scene draws the same texts over and over: its tick labels, titles and legends at every change
of a parameter in ``explore()``, its captions at every frame. Matplotlib's Agg renderer lays out
each string (``FT2Font._layout``) and renders each of its glyphs (``FT2Font._render_glyph``) every
time, and measuring a text reads the font's tables twice. About half of a scene's full draw went
there (a λ change at 960×540: 59 of 137 ms). This renderer keeps

- a string's layout, by its fonts (the first and those it falls back on), size, resolution,
  flags, features and language;
- a glyph's bitmap, by font, size, resolution, glyph, rotation, flags, and where its origin falls
  inside a pixel (in FreeType's 1/64 pixels): a glyph drawn a whole number of pixels away is the
  same bitmap moved, since FreeType moves the outline after hinting it;
- a text's glyphs composed into one bitmap, by the text and the point it is drawn at, from its
  second drawing there on: Agg draws a text glyph by glyph, and each drawing is a call that
  reads the graphics context again (about 4 µs), most of what a kept text's drawing cost. Where
  two glyphs' inks share a pixel the order of their blends counts, and they are drawn one by one;
- a font's height metrics, which ``Text`` asks a renderer for where it can (the hook matplotlib's
  PDF and PostScript renderers use), computed as ``Text`` computes them otherwise;
- a text's layout (``Text._get_layout``: its box and lines about its anchor), by what it is worked
  out from. Matplotlib works it out afresh each time a text is measured or drawn, and a λ change
  measures each tick label three or four times (its axis's drawing twice, the layout, the frame's
  box) and draws it once: about a tenth of the change. Matplotlib has no hook for it on the
  renderer, so ``Text._get_layout`` is wrapped once, when this module is imported, and the wrapper
  keeps layouts only for texts drawn by this renderer; any other text is laid out by matplotlib's
  own method, as before.

A layout holds the fonts it was made with, and an ``FT2Font`` is for one thread and one process:
it reads its file lazily through a descriptor that a forked process shares (and so shares its
offset with), and it is not thread-safe. So layouts are kept per thread, as matplotlib's
``get_font`` keeps fonts, and a forked process starts without them or mathtext's parses, as
``get_font``'s cache does (seen as ``FT_Load_Glyph`` failing in one of two batch jobs drawing at
once). Bitmaps and metrics are plain numbers and are kept across both.

So what it draws is what Agg draws, pixel for pixel (``tests/test_canvas.py``), only sooner. Where
matplotlib lacks the internals this relies on (those of matplotlib 3.11), the canvas is Agg's own.
"""
from __future__ import annotations

import functools
import math
import os
import threading

import numpy as np
from matplotlib import font_manager, ft2font, mathtext
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.text import Text

KEPT = 20_000  # entries a cache holds before it starts again: far more than a scene draws

_LAYOUTS: dict = {}
_GLYPHS: dict = {}
_HEIGHTS: dict = {}
_TEXT_LAYOUTS: dict = {}
_TEXTS: dict = {}
_SEEN = object()  # a text drawn once at its place: composed if drawn there again


def _forget_fonts() -> None:
    """In a forked process: drop what holds the parent's fonts (see the module). Mathtext's parses
    hold theirs too, kept by matplotlib per renderer, which a scene keeps across the fork."""
    _LAYOUTS.clear()
    _TEXTS.clear()  # its keys hold the fonts
    parsed = getattr(mathtext.MathTextParser, "_parse_cached", None)
    if hasattr(parsed, "cache_clear"):
        parsed.cache_clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_fonts)

_OWN = (all(hasattr(RendererAgg, name) for name in ("_draw_text_glyphs_and_boxes", "_prepare_font"))
        and all(hasattr(ft2font.FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform"))
        and hasattr(ft2font, "RenderMode"))


def _keep(cache: dict, key, value):
    if len(cache) >= KEPT:
        cache.clear()
    cache[key] = value
    return value


def _kept(cache: dict, key, make):
    value = cache.get(key)
    return _keep(cache, key, make()) if value is None else value


class Renderer(RendererAgg):
    """Agg's renderer, with the layouts, glyphs and font metrics it makes kept (see the module)."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        files = tuple(font_manager.fontManager._find_fonts_by_props(prop))  # the font and those it falls back on
        key = (threading.get_ident(), files, size, self.dpi, s, flags, _hashable(features), _hashable(language))
        # A text drawn where it was drawn before (the same point, angle and canvas) is the same
        # coverage; composed the second time, as composing costs more than drawing once (an
        # axis's tick labels at new limits are drawn once; titles, legends, captions again and again).
        place = (key, x, y, angle, self.height, gc.get_antialiased())
        kept = _TEXTS.get(place)
        if isinstance(kept, tuple):
            return self._renderer.draw_text_image(*kept, 0, gc)
        items = _kept(_LAYOUTS, key, lambda: [(item.ft_object, item.glyph_index, item.x, item.y)
                                              for item in self._prepare_font(prop)._layout(
                                                  s, flags=flags, features=features, language=language)])
        glyphs = [(ft, size, index, 0, 1, dx, dy) for ft, index, dx, dy in items]
        if kept is None:
            _keep(_TEXTS, place, _SEEN)
            return self._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, [])
        placed = self._placed(gc, x, y, angle, glyphs)
        if kept is _SEEN:
            kept = _TEXTS[place] = _composed(placed)
        for image, left, bottom in placed if kept is False else [kept]:  # one by one where two inks meet
            self._renderer.draw_text_image(image, left, bottom, 0, gc)

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        # As Agg's own (matplotlib 3.11), with each glyph's bitmap kept by where it falls in a pixel.
        if boxes:
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        for buffer, left, bottom in self._placed(gc, x, y, angle, glyphs):
            self._renderer.draw_text_image(buffer, left, bottom, 0, gc)

    def _placed(self, gc, x, y, angle, glyphs) -> list:
        """Each glyph's bitmap, and the column of its left side and row below its bottom (rows
        downwards) where Agg draws it, its bitmap as FreeType renders it where its origin falls
        inside a pixel; bitmaps kept by all they are rendered from."""
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        antialiased = gc.get_antialiased()
        matrices = {}  # FreeType's 16.16 transform, by slant and extent: the same for most glyphs of a text
        height = int(self.height)
        out = []
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards
            matrix = matrices.get((slant, extend))
            if matrix is None:
                matrix = matrices[slant, extend] = tuple(
                    (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
                    .round().astype(int).ravel().tolist())
            at_x = round(0x40 * (x + dx * cos - dy * sin))
            at_y = round(0x40 * (self.height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            key = (font.fname, font.style_name, size, self.dpi, glyph_index, matrix, at_x & 63, at_y & 63,
                   load_flags, antialiased)
            kept = _GLYPHS.get(key)
            if kept is None:
                font.set_size(size, self.dpi)
                font._set_transform(np.array(matrix).reshape(2, 2), [at_x & 63, at_y & 63])
                bitmap = font._render_glyph(glyph_index, load_flags,
                                            ft2font.RenderMode.NORMAL if antialiased else ft2font.RenderMode.MONO)
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xff
                kept = _keep(_GLYPHS, key, (buffer, bitmap.left, bitmap.top))
            buffer, left, top = kept
            # draw_text_image's y is downwards & the bitmap's bottom side
            out.append((buffer, left + (at_x >> 6), height - (top + (at_y >> 6)) + buffer.shape[0]))
        return out

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) in pixels, as ``Text._get_layout`` reads them from the font's
        tables when a renderer does not give them; None where those tables are missing."""
        def heights():
            font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))
            for name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                               ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * self.dpi / 72
                return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
            return None, None, None

        return _kept(_HEIGHTS, (prop.copy(), self.dpi), heights)


def _kept_text_layout(lay_out):
    """``Text._get_layout``, keeping what it returns for a text drawn by :class:`Renderer`, by all it
    reads: the text, its font (a font's properties are changed in place, so by their values, as
    ``FontProperties.__hash__`` reads them), alignments, rotation, line spacing, the figure's
    resolution and the hinting its measures take. Not a wrapped or TeX text (their layout follows
    the figure's size or TeX's). What is kept is shared between the texts that ask: nothing that
    reads it changes it (matplotlib moves a copy of the box)."""
    @functools.wraps(lay_out)
    def get_layout(text, renderer):
        if type(renderer) is not Renderer or text._wrap or text.get_usetex():
            return lay_out(text, renderer)
        key = (text._text, tuple(text._fontproperties.__dict__.values()), text._horizontalalignment,
               text._verticalalignment, text._multialignment, text._rotation_mode, text.get_rotation(),
               text._linespacing, text._parse_math, text.get_figure(root=True).dpi, get_hinting_flag())
        kept = _TEXT_LAYOUTS.get(key)
        return _keep(_TEXT_LAYOUTS, key, lay_out(text, renderer)) if kept is None else kept

    get_layout.kept_by_regviz = True
    return get_layout


if _OWN and hasattr(Text, "_get_layout") and not getattr(Text._get_layout, "kept_by_regviz", False):
    Text._get_layout = _kept_text_layout(Text._get_layout)


def _composed(placed) -> tuple | bool:
    """Glyphs placed as :meth:`Renderer._placed` gives them, in one bitmap: (bitmap, left column,
    row below its bottom); False where two glyphs' inks share a pixel. Drawing it is drawing them
    one by one: Agg blends each pixel by its coverage, and leaves a pixel no glyph covers
    (coverage 0) as it is; only where two inks meet would the order of the blends count."""
    placed = [(buffer, left, bottom - buffer.shape[0]) for buffer, left, bottom in placed if buffer.size]
    if not placed:
        return np.zeros((0, 0), np.uint8), 0, 0
    left = min(col for _, col, _ in placed)
    top = min(row for _, _, row in placed)
    right = max(col + buffer.shape[1] for buffer, col, _ in placed)
    bottom = max(row + buffer.shape[0] for buffer, _, row in placed)
    image = np.zeros((bottom - top, right - left), np.uint8)
    for buffer, col, row in placed:
        part = image[row - top:row - top + buffer.shape[0], col - left:col - left + buffer.shape[1]]
        if part[buffer != 0].any():
            return False
        np.maximum(part, buffer, out=part)
    return image, left, bottom


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


class Canvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`Renderer`."""

    def get_renderer(self):
        if not _OWN:
            return super().get_renderer()
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer

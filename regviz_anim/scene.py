"""The figure, built once per render: a static background, and frame k drawn by blitting.

The scene composes panels (``regviz_anim.panels``) on one figure and owns the theme, the
layout, the title, caption and step counter, and blitting. It draws a
:class:`~regviz_anim.scenedata.SceneData` and knows no penalty, update rule or kind of animation.
No pyplot: the figure has its own Agg canvas.
"""
from __future__ import annotations

import contextlib
import functools
import math
import re

import matplotlib
import numpy as np
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.offsetbox import DrawingArea, OffsetBox, TextArea
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from .canvas import Canvas
from .counter import counter_cells as make_counter_cells
from .layout import Room, place
from .panels import PANELS, default_panels, is_big
from .scenedata import SceneData
from .style import THEMES, Style

LEGEND_PLACES = (1, 2, 3, 4, 7, 6, 8, 9)  # upper right, upper left, lower left, lower right, sides, ends
BASE_SHORT_SIDE_PX = 720  # the design size: with a 720 px short side, 1 pt = 100/72 px


def _registered(family: str, path) -> str:
    """Make a font file known to matplotlib (once); return its family name."""
    from matplotlib import font_manager

    if family not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return family


def _layout(panels: tuple[str, ...], aspect: float) -> tuple[list[list[str]], dict]:
    """The mosaic of panels, and its width and height ratios, for a frame ``aspect`` times as wide
    as high. A BIG panel (the plane) takes the left column, beside one other panel from a square
    frame on (under it, the square plane would have the height the other leaves, and a third of
    the width), and in a narrow frame a panel past the third gets the bottom row."""
    n = len(panels)
    wide = aspect >= 1.2
    if is_big(PANELS[panels[0]]) and n > 1:
        big, rest = panels[0], list(panels[1:])
        if wide or n == 2 and aspect >= 0.95:
            return [[big, other] for other in rest], {"width_ratios": [1.2, 1.0]}
        if n == 2:
            return [[big], rest], {"height_ratios": [1.5, 1.0]}
        column = [[big, other] for other in rest[:2]]
        bottom = [[other] * 2 for other in rest[2:]]
        return column + bottom, {"width_ratios": [1.35, 1.0], "height_ratios": [1.0, 1.0] + [0.8] * len(bottom)}
    if n == 1:
        return [list(panels)], {}
    if n == 2:
        return ([list(panels)] if wide else [[p] for p in panels]), {}
    if n == 3:
        return [[panels[0], panels[1]], [panels[2], panels[2]]], {}
    return [[panels[0], panels[1]], [panels[2], panels[3]]], {}


_WIDTHS: dict = {}  # (font, dpi, a line with its digits read as 0) -> its width in pixels
_DIGITS = re.compile("[0-9]")


def _width(text, line: str, renderer) -> float:
    """The width of ``line`` in ``text``'s font, in pixels, measured once for every line that differs
    from it in its digits alone: DejaVu Sans's digits are all as wide (its own and its monospaced
    cut's), so the captions of a slider's every value are measured together."""
    key = (text.get_fontproperties().copy(), text.get_rotation(), text.get_figure(root=True).dpi,
           _DIGITS.sub("0", line))
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) > 50_000:
            _WIDTHS.clear()
        shown = text.get_text()
        text.set_text(line)
        width = _WIDTHS[key] = text.get_window_extent(renderer).width
        text.set_text(shown)
    return width


def _wrap(text, full: str, breaks: tuple[str, ...], room: float, renderer, *, rest_room: float | None = None,
          trim: str = ":,") -> None:
    """Set ``text`` to ``full``, broken into lines where it would not fit: the first line in ``room``
    pixels, later ones in ``rest_room``. It breaks at the first of ``breaks`` if that gives two
    lines that fit, else greedily at every break (and inside a piece too long alone, at spaces;
    a non-breaking space holds a formula together). The first line loses a trailing ``trim``."""
    rest_room = room if rest_room is None else rest_room

    def fits(line: str, first: bool) -> bool:
        return _width(text, line, renderer) <= (room if first else rest_room)

    if fits(full, True):
        text.set_text(full)
        return
    head, sep, tail = full.partition(breaks[0])
    if sep and fits(head, True) and fits(tail, False):
        text.set_text(f"{head}\n{tail}")
        return
    pieces, rest = [], full
    while rest:
        cut = min((i for i in (rest.find(b, 1) for b in breaks) if i > 0), default=len(rest))
        pieces.append(rest[:cut])
        rest = rest[cut:]
    words = []  # a piece too long for a line of its own is broken at its spaces
    for piece in pieces:
        words += [piece] if fits(piece.strip(), True) else [  # at spaces, and after a Chinese comma
            w for w in piece.replace(" ", "\0 ").replace("，", "，\0").split("\0") if w]
    lines = [words[0]]
    for piece in words[1:]:
        if fits(lines[-1] + piece, len(lines) == 1):
            lines[-1] += piece
        else:
            # a separator's punctuation does not start a line (the full-width ones of Chinese neither)
            marks = " ·,:?，：？"
            lines.append(piece.lstrip(marks).lstrip() if piece[:1] in marks else piece)
    lines[0] = lines[0].rstrip(trim)
    text.set_text("\n".join(line.rstrip(" ·,") for line in lines))


def _size(text, renderer) -> Bbox:
    """The box of ``text`` (shown, not empty) about its anchor: its extent's size, without the
    transform of where it is, which measuring the room asks nothing of."""
    return text._get_layout(renderer)[0]


def _room(ax, renderer, lengths: tuple[float, float]) -> Room:
    """How far ``ax``'s labels reach past its box, from their sizes and where their ticks fall
    along the axes (``lengths``: the axes' expected lengths, in pixels), not from where the axes
    are: the tick labels and axis labels on each side, a tick label's half past an end, the title
    above a secondary axis's ticks and label, and a text a panel puts past its last point."""
    points = ax.figure.dpi / 72.0
    side = {"left": 0.0, "right": 0.0, "bottom": 0.0, "top": 0.0}
    to_axes = ax.transScale + ax.transLimits  # data -> axes fraction, wherever the axes are
    for axis, length, (first, second), (low, high) in (
            (ax.xaxis, lengths[0], ("bottom", "top"), ("left", "right")),
            (ax.yaxis, lengths[1], ("left", "right"), ("bottom", "top"))):
        across = axis.axis_name == "x"  # its labels' height reaches away from the axes; for y, their width
        ticks = [t for t in axis._update_ticks() if t.get_visible()]
        for which, edge in (("label1", first), ("label2", second)):
            shown = [(t.get_loc(), getattr(t, which)) for t in ticks
                     if getattr(t, which).get_visible() and getattr(t, which).get_text()]
            if not shown:
                continue
            boxes = [(loc, _size(label, renderer)) for loc, label in shown]
            tick = ticks[0]
            reach = (tick.get_tick_padding() + tick.get_pad()) * points
            reach += max(b.height if across else b.width for _, b in boxes)
            if axis.label.get_visible() and axis.label.get_text() and axis.label_position == edge:
                label = _size(axis.label, renderer)
                reach += axis.labelpad * points + (label.height if across else label.width)
            side[edge] = max(side[edge], reach)
            for loc, b in boxes:  # half a label along the axis: past an end if its tick is near it
                at = float(to_axes.transform((loc, loc))[0 if across else 1]) * length
                half = (b.width if across else b.height) / 2
                side[low] = max(side[low], half - at)
                side[high] = max(side[high], half - (length - at))
        offset = axis.offsetText
        if offset.get_visible() and offset.get_text():
            box = _size(offset, renderer)
            side["right" if across else "top"] = max(side["right" if across else "top"],
                                                     box.width if across else box.height)
    above = max([side["top"]] + [_room(child, renderer, lengths).top for child in ax.child_axes])
    if ax.title.get_visible() and ax.title.get_text():  # the title goes above what is on top
        above += _size(ax.title, renderer).height + matplotlib.rcParams["axes.titlepad"] * points
    side["top"] = max(side["top"], above)
    box = ax.bbox
    for text in ax.texts:
        if text.get_visible() and text.get_text() and not text.get_clip_on():
            reach = text.get_window_extent(renderer)
            side["left"] = max(side["left"], box.x0 - reach.x0)
            side["right"] = max(side["right"], reach.x1 - box.x1)
            side["bottom"] = max(side["bottom"], box.y0 - reach.y0)
            side["top"] = max(side["top"], reach.y1 - box.y1)
    return Room(**side)


def legend_size(legend, renderer) -> Bbox:
    """``legend``'s size, as a Bbox at 0, 0: its box's, measured without placing it (which, at
    "best", is matplotlib's search for its place)."""
    box = legend._legend_box.get_bbox(renderer)
    return Bbox.from_bounds(0, 0, box.width, box.height)


def legend_box(legend, loc, size, renderer) -> Bbox:
    """Where ``legend``, of ``size`` (:func:`legend_size`), would be with ``loc``, placed as
    ``Legend._findoffset`` places it: at a corner or side, or where matplotlib's search puts it
    ("best", with the axes' artists as they are now), in a fifth of the time of laying the legend
    out there; elsewhere (a point) laid out there."""
    if loc == 0:
        x, y = legend._find_best_position(size.width, size.height, renderer)
    elif isinstance(loc, int):
        x, y = legend._get_anchored_bbox(loc, size, legend.get_bbox_to_anchor(), renderer)
    else:
        legend.set_loc(loc)
        return legend.get_window_extent(renderer)
    return Bbox.from_bounds(x, y, size.width, size.height)


def _searched(legend, renderer) -> int | None:
    """The corner or side (a location code) where matplotlib's search for ``legend``'s place ("best")
    puts it, with the axes' artists as they are now; None if it is none of them."""
    size, parent = legend_size(legend, renderer), legend.get_bbox_to_anchor()
    found = tuple(map(float, legend._find_best_position(size.width, size.height, renderer)))
    for code in range(1, len(legend.codes)):  # the search's candidates, in its order
        if tuple(map(float, legend._get_anchored_bbox(code, size, parent, renderer))) == found:
            return code
    return None


def _xy(line) -> np.ndarray:
    """``line.get_xydata()``, from the data as set, without recaching the line: placing the legends
    reads the moving lines at a few frames, and a line recached then is recached again for the
    frame it is drawn at. A line with masked or unit-bearing data is read through matplotlib."""
    x, y = line.get_data(orig=True)
    if np.ma.isMaskedArray(x) or np.ma.isMaskedArray(y) or line.axes is None \
            or line.axes.xaxis.have_units() or line.axes.yaxis.have_units():
        return np.asarray(line.get_xydata(), float)
    x, y = np.broadcast_arrays(np.asarray(x, float).ravel(), np.asarray(y, float).ravel())
    return np.column_stack([x, y])


def _bar_extents(bars) -> np.ndarray:
    """The extents (x0, y0, x1, y1 in pixels) of ``bars`` (rectangles of one axes, unrotated), one
    row each: their corners through the axes' data transform at once, as matplotlib's
    ``get_window_extent`` finds them from each bar's path, to rounding (in a tenth of the time)."""
    if not bars:
        return np.empty((0, 4))
    corners = np.array([(bar.get_x(), bar.get_y(), bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height())
                        for bar in bars], float)
    xy = bars[0].axes.transData.transform(corners.reshape(-1, 2)).reshape(-1, 4)
    return np.column_stack([np.minimum(xy[:, 0], xy[:, 2]), np.minimum(xy[:, 1], xy[:, 3]),
                            np.maximum(xy[:, 0], xy[:, 2]), np.maximum(xy[:, 1], xy[:, 3])])  # a bar may point left


def _reuse_ticks(axis, spare: list) -> None:
    """Let ``axis``, just cleared, take the major ticks it needs after its first from ``spare`` (its
    ticks before) instead of making them: a tick is five artists, and a sixth of a parameter change's
    time went into making them again. Matplotlib makes each tick after the first from the axis's
    tick settings and then copies the first's properties onto it (``Axis._copy_tick_props``), so a
    spare one, copied onto the same way, is the new one: what the copy leaves (a label's wrap,
    box or rotation mode) no panel sets. The first is new, as ``cla`` made it, and so are minor
    ticks. ``tests/test_notebook.py`` checks the frames after changes in a row against new scenes."""
    make = type(axis)._get_tick

    def get_tick(major):
        if major and spare and axis.__dict__.get("majorTicks"):  # not the first, which is the model
            return spare.pop()
        return make(axis, major)

    axis._get_tick = get_tick


_NO_MARKER = MarkerStyle.__new__(MarkerStyle)  # a marker style with nothing in it, copied in no time


def _copy_ticks_cheaply(axis) -> None:
    """Let ``axis`` copy its first tick's properties onto each tick it adds as matplotlib does
    (``Axis._copy_tick_props``), but with the tick's lines given the first's marker styles
    themselves: ``Line2D.update_from`` deep-copies a line's marker style, three a tick, and that
    was most of what adding a tick cost. A marker style is not changed in place (a line given
    another marker gets a new one), so sharing one is copying it."""
    copy = type(axis)._copy_tick_props

    def copy_props(src, dest):
        if src is None or dest is None:
            return copy(axis, src, dest)
        lines = [(getattr(src, name), getattr(dest, name)) for name in ("tick1line", "tick2line", "gridline")]
        markers = [line._marker for line, _ in lines]
        for line, _ in lines:
            line._marker = _NO_MARKER
        try:
            copy(axis, src, dest)
        except (AttributeError, TypeError):  # a matplotlib whose copy reads the marker style: its own way
            for (line, _), marker in zip(lines, markers):
                line._marker = marker
            return copy(axis, src, dest)
        for (line, other), marker in zip(lines, markers):
            line._marker = other._marker = marker

    axis._copy_tick_props = copy_props


def _place_spines(ax) -> None:
    """Give ``ax``'s spines, just cleared, the default position ('outward', 0) now, as the first tick
    made after a clear would, but without what matplotlib's ``Spine.set_position`` does then: reset
    the axis's ticks, whose next tick asks for another spine's transform, which resets them again.
    That cascade made two ticks in three of a parameter change (42 a change, about a millisecond
    each); the ticks in the end are the same, made after the positions were set."""
    for spine in ax.spines.values():
        if spine._position is None:
            spine._position = ("outward", 0.0)
            spine.set_transform(spine.get_spine_transform())


@contextlib.contextmanager
def _ticks_kept(axes):
    """Within it, each axis of ``axes`` works its ticks out again only when what they follow from
    has changed (its limits, scale, locators, formatters, their number's setting and the room it
    has for them): matplotlib works them out for every question (an axis's drawing asks three
    times, and the layout, the frames' keys and boxes ask more), while nothing they follow from
    changes. Not a secondary axis's: it takes its limits from its parent's as it is drawn."""
    def keep(axis):
        work, kept = axis._update_ticks, [None, None]

        def ticks():
            locator = axis.get_major_locator()
            now = (tuple(axis.get_view_interval()), axis.get_scale(), locator, getattr(locator, "_nbins", None),
                   axis.get_major_formatter(), axis.get_minor_locator(), axis.get_minor_formatter(),
                   axis.get_tick_space())
            if kept[0] is None or any(a is not b and a != b for a, b in zip(now, kept[0])):
                kept[:] = now, work()
            return kept[1]
        axis._update_ticks = ticks

    axes = [axis for ax in axes for axis in (ax.xaxis, ax.yaxis)]
    for axis in axes:
        keep(axis)
    try:
        yield
    finally:
        for axis in axes:
            del axis._update_ticks


@contextlib.contextmanager
def _packing_kept(legends):
    """Within it, each box of ``legends`` (the boxes that pack a legend's entries, and the texts
    and handles they pack) works out its size, and where its children go, once a resolution:
    matplotlib works them out at every question, and a box's drawing asks for each box below it
    again at each level (drawing a legend packed its rows a dozen times; placing it asks more).
    What the legends hold must not change within it; where they go may."""
    kept = []  # (box, name of the method kept)
    for legend in legends:
        boxes = [legend._legend_box]
        while boxes:
            box = boxes.pop()
            boxes += [child for child in box.get_children() if isinstance(child, OffsetBox)]
            name = "get_bbox" if isinstance(box, (TextArea, DrawingArea)) else "_get_bbox_and_child_offsets"
            kept.append((box, name))
    for box, name in kept:
        work, found = getattr(box, name), {}

        def once(renderer, work=work, found=found):
            if renderer.dpi not in found:
                found[renderer.dpi] = work(renderer)
            return found[renderer.dpi]
        setattr(box, name, once)
    try:
        yield
    finally:
        for box, name in kept:
            delattr(box, name)


_TICK_LINES = ("gridline", "tick1line", "tick2line")
_AXIS_INTERNALS = all(hasattr(Axis, name) for name in ("_update_ticks", "_get_ticklabel_bboxes",
                                                       "_update_label_position", "_update_offset_text_position"))


def _draw_axis(axis, renderer) -> None:
    """``Axis.draw`` (matplotlib 3.11), with each kind of tick line (grid lines, tick marks on
    either side), of the major ticks and of the minor, drawn as one line broken by gaps: one
    drawing instead of one a tick (a fifth of drawing a panel's frame). Such lines share their
    style (each tick copies the first of its kind's, and no panel styles one tick), lie apart
    from each other and from the labels, and a gap starts the line again for Agg, so the pixels
    are those of drawing them tick by tick (``tests/test_room.py`` compares them with
    matplotlib's own drawing)."""
    if not axis.get_visible():
        return
    ticks = axis._update_ticks()
    first, second = axis._get_ticklabel_bboxes(ticks, renderer)
    shown = [tick for tick in ticks if tick.get_visible()]
    major = {id(tick) for tick in axis.majorTicks}
    for name in _TICK_LINES:
        for which in (True, False):  # the minor ticks copy the first minor tick's style, not the major's
            lines = [getattr(tick, name) for tick in shown if (id(tick) in major) == which]
            _draw_lines_at_once([line for line in lines if line.get_visible()], renderer)
    for tick in shown:
        tick.label1.draw(renderer)
        tick.label2.draw(renderer)
        tick.stale = False
    axis._update_label_position(renderer)  # beyond the tick labels
    axis.label.draw(renderer)
    axis._update_offset_text_position(first, second)
    axis.offsetText.set_text(axis.major.formatter.get_offset())
    axis.offsetText.draw(renderer)
    axis.stale = False


def _draw_lines_at_once(lines, renderer) -> None:
    """Draw ``lines`` (of one style) as the first of them drawn through all their points, a gap
    after each line's."""
    if len(lines) == 1:
        lines[0].draw(renderer)
    elif lines:
        model, data = lines[0], lines[0].get_data(orig=True)
        xy = [np.broadcast_arrays(np.asarray(line.get_xdata(orig=True), float),
                                  np.asarray(line.get_ydata(orig=True), float)) for line in lines]
        gap = [np.array([np.nan])]
        model.set_data(np.concatenate([part for x, _ in xy for part in (x, *gap)]),
                       np.concatenate([part for _, y in xy for part in (y, *gap)]))
        try:
            model.draw(renderer)
        finally:
            model.set_data(*data)


def _frame_parts(ax) -> list:
    """What of ``ax`` is its frame: its face, its axes (ticks, grid, labels), its titles, and its
    child axes (a secondary axis)."""
    return [ax.patch, ax.xaxis, ax.yaxis, ax.title, ax._left_title, ax._right_title, *ax.child_axes]


def _on_frame(ax) -> list:
    """What ``Axes.draw`` would draw of ``ax`` that is not its frame nor animated, in its order."""
    frame = _frame_parts(ax)
    artists = [a for a in ax.get_children() if not any(a is f for f in frame) and not a.get_animated()]
    if not (ax.axison and ax._frameon):
        artists = [a for a in artists if not any(a is spine for spine in ax.spines.values())]
    return sorted(artists, key=lambda a: a.get_zorder())


def _frame_texts(ax) -> list:
    """The texts of ``ax``'s frame that show."""
    texts = []
    for axes in (ax, *ax.child_axes):
        for axis in (axes.xaxis, axes.yaxis):
            if axis.get_visible():
                ticks = axis._update_ticks()
                texts += [t.label1 for t in ticks] + [t.label2 for t in ticks] + [axis.label, axis.offsetText]
        texts += [axes.title, axes._left_title, axes._right_title]
    return [t for t in texts if t.get_visible() and t.get_text()]


def _text_key(text) -> tuple:
    return (text.get_text(), repr(text.get_color()), text.get_fontweight(), text.get_fontsize(), text.get_rotation(),
            text.get_alpha(), text.get_visible())


def _settings() -> tuple:
    """Matplotlib's settings as they stand (the values it holds, read without checking each)."""
    return tuple(dict.values(matplotlib.rcParams))


def _frame_key(ax) -> tuple:
    """What ``ax``'s frame's pixels follow from: where the axes are and what :func:`_labels_key`
    holds; matplotlib's settings are compared apart. Not in it, as no panel sets them: a title's
    pad, an axis label's place along its axis, a tick label's font family, one tick's own line
    style. A panel that does must add them to :func:`_labels_key`."""
    return tuple(tuple(each.bbox.bounds) for each in (ax, *ax.child_axes)), _labels_key(ax)


def _labels_key(ax) -> tuple:
    """What ``ax``'s frame holds wherever it is: its face, spines' places and titles, each axis's
    limits, scale, tick settings and ticks, each tick label (the axes' box, the limits and tick
    settings place it), and its axis labels (drawing puts those beyond the tick labels)."""
    key = []
    for each in (ax, *ax.child_axes):
        if each is not ax:
            each.apply_aspect()  # a secondary axis takes its limits from its parent's, as it is drawn
        key.append((each.axison, each.patch.get_visible(), tuple(each.patch.get_facecolor()),
                    *(_text_key(t) for t in (each.title, each._left_title, each._right_title)),
                    tuple(repr(spine.get_position()) for spine in each.spines.values())))  # the ticks go with them
        for axis in (each.xaxis, each.yaxis):
            if not axis.get_visible():
                key.append(None)
                continue
            ticks = tuple((t.get_loc(), t.get_visible(), t.gridline.get_visible(), t.tick1line.get_visible(),
                           t.tick2line.get_visible(),
                           *(_text_key(label) for label in (t.label1, t.label2) if label.get_visible()
                             and label.get_text()))
                          for t in axis._update_ticks())
            key.append((tuple(axis.get_view_interval()), axis.get_scale(), repr(axis._major_tick_kw),
                        repr(axis._minor_tick_kw), ticks, _text_key(axis.label), axis.labelpad, axis.label_position,
                        axis.major.formatter.get_offset()))
    return tuple(key)


def _frame_box(ax, renderer, size: tuple[int, int]) -> tuple[slice, slice]:
    """The rows and columns of the frame that hold ``ax``'s frame, as drawn: its box and texts,
    and its ticks (which reach out of the box by their length), with a margin for antialiasing."""
    reach = max(ax.xaxis.get_tick_params().get("length", 0.0), ax.yaxis.get_tick_params().get("length", 0.0),
                matplotlib.rcParams["xtick.major.size"], matplotlib.rcParams["ytick.major.size"])
    reach = reach * ax.figure.dpi / 72.0 + 3  # points to pixels, and a margin
    box = Bbox.union([ax.bbox.padded(reach), *(t.get_window_extent(renderer).padded(3) for t in _frame_texts(ax))])
    return _pixels(box.extents, size)


def _pixels(extents, size: tuple[int, int], pad: int = 0) -> tuple[slice, slice]:
    """The rows and columns of the frame (rows from the top) that hold ``extents`` (x0, y0, x1, y1
    in pixels from the bottom left), ``pad`` pixels more on each side, within the frame."""
    (width, height), (x0, y0, x1, y1) = size, extents
    return (slice(max(0, height - int(np.ceil(y1)) - pad), min(height, height - int(np.floor(y0)) + pad)),
            slice(max(0, int(np.floor(x0)) - pad), min(width, int(np.ceil(x1)) + pad)))


def _close(a: list[float], b: list[float]) -> bool:
    """``np.allclose(a, b)`` for a few numbers, without its twenty microseconds: a box against another."""
    return all(x == y or abs(x - y) <= 1e-8 + 1e-5 * abs(y) < math.inf for x, y in zip(a, b, strict=True))


def _meet(a: tuple[slice, slice], b: tuple[slice, slice]) -> bool:
    return a[0].start < b[0].stop and b[0].start < a[0].stop and a[1].start < b[1].stop and b[1].start < a[1].stop


class Scene:
    """Composes panels on one figure; :meth:`frame` returns frame k as an RGB array by blitting."""

    def __init__(self, data: SceneData, *, size: tuple[int, int] = (1280, 720), theme: str = "light",
                 panels: tuple[str, ...] | None = None, title: bool = True, counter_cells: bool = True):
        width, height = size
        if width % 2 or height % 2:
            raise ValueError(f"frame size {width}x{height} must be even")
        self._asked_panels = tuple(panels) if panels else None
        panels = tuple(panels or default_panels(data.kind, data.features))
        self.data, self.size, self.theme, self.panels = data, size, theme, panels
        self._with_title = title  # False: the title is a slide's text, not the frame's
        self.colors = THEMES[theme]
        dpi = 100.0 * min(width, height) / BASE_SHORT_SIDE_PX
        self.wide = width >= 1.5 * height
        scale = 1.0 if self.wide or len(panels) < 2 else 0.88  # two columns in a narrow frame
        font = data.texts.font()  # a language's own font, after DejaVu Sans glyph by glyph
        self.families = ["DejaVu Sans"] if font is None else ["DejaVu Sans", _registered(*font)]
        self._lang = data.texts.lang
        self._frames: dict = {}  # by panel: the key, rectangle and pixels of its frame as last drawn (_draw_background)
        self._frames_settings: tuple = ()  # the matplotlib settings they were drawn with
        self._made: dict = {}  # by panel: matplotlib's settings as it drew, and what it registered (Style.made_since)
        self._titles: dict = {}  # by panel: its title as it put it, before the layout broke it into lines
        self._layouts: list = []  # what _arrange read, and where it placed the axes (and broke their titles)
        self._placed: dict = {}  # by panel: the position _arrange gave its axes last (its second pass's, if any)
        rc = {"font.size": 15 * scale, "axes.titlesize": 16 * scale, "axes.labelsize": 15 * scale,
              "xtick.labelsize": 13 * scale, "ytick.labelsize": 13 * scale, "legend.fontsize": 12.5 * scale,
              "axes.linewidth": 1.2, "font.family": self.families[0] if font is None else self.families}
        self._rc = rc
        with matplotlib.rc_context(rc):
            # no layout engine: regviz_anim.layout places the axes, from the room their labels need
            self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=self.colors["bg"])
            self.canvas = Canvas(self.figure)
            self._mosaic, self._ratios = _layout(panels, width / height)
            self.axes = self.figure.subplot_mosaic(self._mosaic, **self._ratios)
            # what new axes make their ticks with, which clearing them keeps (a panel's tick_params)
            self._tick_kw = {axis: (dict(axis._major_tick_kw), dict(axis._minor_tick_kw))
                             for ax in self.axes.values() for axis in (ax.xaxis, ax.yaxis)}
            for ax in self.axes.values():
                for axis in (ax.xaxis, ax.yaxis):
                    _copy_ticks_cheaply(axis)
                    if _AXIS_INTERNALS:
                        axis.draw = functools.partial(_draw_axis, axis)
            self._stage(data)
        if self.canvas.get_width_height() != (width, height):
            raise RuntimeError(f"canvas is {self.canvas.get_width_height()}, expected {size}")
        if counter_cells:
            self.use_counter_cells()

    def use_counter_cells(self) -> None:
        """From now on paste the step counter from cells drawn once (``regviz_anim.counter``), where
        they are exact. They pay from a few dozen frames on: for renders, not for a frame at a time."""
        with matplotlib.rc_context(self._rc):
            self._counter = make_counter_cells(self.canvas, self.step_text, self._background, self._labels)

    # --- building -----------------------------------------------------------------------------

    def restage(self, data: SceneData, *, theme: str | None = None, panels: tuple[str, ...] | None = None) -> bool:
        """Show ``data`` on this figure, which keeps its canvas and axes, instead of building a new
        scene: what a parameter change in ``explore()`` does. The frames are then exactly those of
        ``Scene(data, ...)`` with the same size, theme and panels: both run :meth:`_stage`, a panel
        kept on its artists shows the new data as it showed its first (``style.in_place``), one
        drawn afresh starts from cleared axes, and what the layout changed of the panels is undone
        first (``tests/test_notebook.py``, ``tests/test_panels.py``). False (and nothing changed)
        where a new scene is needed: another theme, other panels (one weight to two, another kind
        of animation), another language."""
        asked = tuple(panels) if panels else None
        shown = tuple(asked or default_panels(data.kind, data.features))
        if (theme or self.theme, asked, shown, data.texts.lang) != (self.theme, self._asked_panels, self.panels,
                                                                    self._lang):
            return False  # <- the line: from here on, another figure
        with matplotlib.rc_context(self._rc):
            for text in self.figure.texts[:]:  # the title, the caption and the counter are made again
                text.remove()
            self.figure._suptitle = self.figure._supxlabel = None
            for undo in reversed(self._undo):  # what the layout changed of the panels' artists, as they made it
                undo()
            self._stage(data, restaging=True)
        return True

    def _clear(self, ax) -> None:
        """Clear ``ax`` for a panel to draw on afresh, as new axes are."""
        spare = {axis: axis.__dict__.get("majorTicks", [])[1:] for axis in (ax.xaxis, ax.yaxis)}
        for axis in (ax.xaxis, ax.yaxis):  # cla() keeps the tick settings a panel gave (a label size)
            for kept, made in zip((axis._major_tick_kw, axis._minor_tick_kw), self._tick_kw[axis]):
                kept.clear()
                kept.update(made)
        ax.cla()
        _place_spines(ax)
        ax.dataLim.set_points(Bbox.null().get_points())  # as new axes have: no earlier data to scale to
        for axis, ticks in spare.items():
            _reuse_ticks(axis, ticks)

    def _panel(self, name: str, data: SceneData, restaging: bool):
        """Panel ``name``'s update for ``data``. Restaging, a panel whose update can take the new data
        on the artists it made (``update.restage``, see ``regviz_anim.panels``) does so: its axes
        are not cleared, and what it registered with the style then is registered again, in its
        place in the order. Otherwise its axes are cleared and it draws afresh."""
        ax = self.axes[name]
        settings = _settings()  # what a new artist takes from matplotlib's settings
        if restaging:
            kept = getattr(self._updates[self.panels.index(name)], "restage", None)
            same = self._made[name][0] == settings
            update = kept(data, self.style) if kept is not None and same else None
            if update is not None:
                self.style.register(self._made[name][1])
                ax.title.set_text(self._titles[name])  # whole: the layout breaks it again where it must
                return update
            self._clear(ax)
        self._style(ax)
        mark = self.style.mark()
        update = PANELS[name].draw(ax, data, self.style)
        self._made[name] = settings, self.style.made_since(mark)
        self._titles[name] = ax.get_title()  # as the panel put it
        return update

    def _stage(self, data: SceneData, restaging: bool = False) -> None:
        """Draw ``data``'s panels, title, caption and counter on the axes, lay them out and draw the
        background. Called with the figure's rc settings in force."""
        self.data = data
        self.moving: list = []
        self.style = Style(self.theme, data.runs, data.variants, self.moving)
        self.style.bold = "bold" if len(self.families) == 1 else "normal"  # the language's font may have one weight
        self.markers = self.style.markers
        self._undo: list = []  # what the layout changes of the panels' artists, undone by a restage
        self._updates = [self._panel(name, data, restaging) for name in self.panels]
        self.growing = self.style.growing
        self._header()
        self._wrap_header()
        with _ticks_kept(self.axes.values()):
            self._arrange()
            renderer = self.canvas.get_renderer()
            changed = self._thin_ticks()  # fewer ticks, or names on end: the labels may need other room
            if any([fit(renderer) for fit in self.style.fitters]) or changed:
                self._arrange()
                for fit in self.style.fitters:  # again, for the panels' sizes in that layout
                    fit(renderer)
            self._fit_legends()
            with _packing_kept(self._legends()):
                self._place_legends()
                self._draw_background()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._labels = [self._step_label(int(k)) for k in data.frame_steps]
        self._counter = None
        self.background = np.asarray(self.canvas.buffer_rgba()).copy()  # RGBA, without the moving artists
        self.changing = self._changing()
        # What the growing artists have drawn on the background, as of step _grown_at, in their panels' boxes
        self._grown_at, self._running = None, self.background.copy() if self.growing else None
        self._growing_boxes = [_pixels(artist.axes.bbox.extents, self.size, 3) for artist, _, _ in self.growing]
        self._growth: dict[int, list] = {}  # some steps' _running boxes, to draw an earlier frame from
        last = int(data.frame_steps[-1]) if len(data.frame_steps) else 0
        self._growth_every = max(256, sum(count(last) for _, count, _ in self.growing) // 8)  # items apart

    def _style(self, ax) -> None:
        c = self.colors
        ax.set_facecolor(c["panel"])
        ax.grid(True, color=c["grid"], linewidth=1.0)
        ax.set_axisbelow(True)
        for spine in ax.spines.values():
            spine.set_color(c["muted"])
        ax.tick_params(colors=c["fg"], labelcolor=c["fg"])
        ax.xaxis.label.set_color(c["fg"])
        ax.yaxis.label.set_color(c["fg"])
        ax.title.set_color(c["fg"])

    def _header(self) -> None:
        c, d = self.colors, self.data
        self.title = None
        if self._with_title:
            self.title = self.figure.suptitle(d.title, x=0.01, ha="left", fontsize=19, fontweight=self.style.bold,
                                              color=c["fg"])
        self.caption = None if d.caption_mode == "off" else self.figure.supxlabel(d.caption, fontsize=16,
                                                                                  color=c["fg"])
        mono = "DejaVu Sans Mono" if len(self.families) == 1 else ["DejaVu Sans Mono", *self.families[1:]]
        # Anchored by its left edge where the last label's right edge is at 99% of the width, so
        # that it stays put whatever its digits (see regviz_anim.counter).
        x, y = self.figure.transFigure.transform((0.99, 0.985))
        self.step_text = self.style.animated(self.figure.text(x, y, self._step_label(d.total_steps), ha="right",
                                                              va="top", fontsize=18, color=c["fg"], family=mono,
                                                              transform=IdentityTransform()))
        self.step_text.set(x=self.step_text.get_window_extent(self.canvas.get_renderer()).x0, ha="left")

    def _wrap_header(self) -> None:
        """Break the title and the caption into lines where they would not fit in one."""
        renderer = self.canvas.get_renderer()
        width = self.figure.bbox.width
        counter = self.step_text.get_window_extent(renderer).width
        t = self.data.texts
        if self.title is not None:
            _wrap(self.title, self.data.title, tuple(t("title_breaks").split("|")), width - counter - 0.04 * width,
                  renderer)  # every line clear of the counter, which may reach below the first
        self._captions = None
        self._caption_strip, self._caption_cells = None, {}  # rows of the frame with the caption alone, and its cells
        if self.caption is None:
            return
        if self.data.caption_mode == "reveal":  # it changes: drawn each frame, with room for its tallest text
            wrapped = {}
            for text in dict.fromkeys(self.data.captions):
                _wrap(self.caption, text, (t("join"),), 0.97 * width, renderer)
                wrapped[text] = self.caption.get_text()
            self._captions = [wrapped[text] for text in self.data.captions]
            self._tallest = max(wrapped.values(), key=lambda text: text.count("\n"))
            self.caption.set_text(self._tallest)
            self.style.animated(self.caption)
        else:
            _wrap(self.caption, self.data.caption, (t("join"),), 0.97 * width, renderer)

    def _arrange(self, wrap: bool = True) -> None:
        """Place the axes (``regviz_anim.layout``): below the title's band (or the counter's, with no
        title), above the caption's, each inset by the room its labels need. The ticks are as
        many as the axes' lengths in the layout without that room allow, so that the labels (and
        with them the layout) follow from the texts alone, not from where the axes were."""
        renderer = self.canvas.get_renderer()
        width, height = self.size
        dpi = self.figure.dpi
        pad_x, pad_y = 0.08 * dpi, 0.06 * dpi
        tops = [self.step_text.get_window_extent(renderer).y0] + (
            [] if self.title is None else [self.title.get_window_extent(renderer).y0])
        bottom = self.caption.get_window_extent(renderer).y1 if self.caption is not None else 0.0
        box = (0.0, bottom, float(width), min(tops))
        ratios = dict(pad=(pad_x, pad_y), gap=(pad_x, 0.0),
                      width_ratios=self._ratios.get("width_ratios"), height_ratios=self._ratios.get("height_ratios"))
        bare = place(self._mosaic, {}, box, **ratios)
        lengths = {}
        for name, ax in self.axes.items():
            x0, y0, x1, y1 = bare[name]
            lengths[name] = (0.85 * (x1 - x0), 0.8 * (y1 - y0))  # about what the labels leave
            for axis, length in zip((ax.xaxis, ax.yaxis), lengths[name]):
                size = axis._get_tick_label_size(axis.axis_name) * (3 if axis is ax.xaxis else 2)
                axis.get_tick_space = lambda space=int(length * 72 / dpi / size): space
        # The layout follows from the texts: the same texts (a restage that kept the ticks) are placed
        # as they were, without measuring them again
        key = (box, wrap, _settings(), tuple((_labels_key(ax), tuple((_text_key(t), tuple(t.get_position()),
                                                                       t.get_ha(), t.get_va())
                                                                      for t in ax.texts if not t.get_clip_on()))
                                             for ax in self.axes.values()))
        known = next((placed for read, placed in self._layouts if read == key), None)  # (settings hold lists)
        if known is None:
            rooms = {name: _room(ax, renderer, lengths[name]) for name, ax in self.axes.items()}
            for name, cell in place(self._mosaic, rooms, box, **ratios).items():
                # to a millionth of a pixel: a text's extent varies in its last bits with where it was
                # when measured, and a kept panel's texts were elsewhere than new ones (restage)
                x0, y0, x1, y1 = (round(float(edge), 6) for edge in cell)
                self._placed[name] = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
                self.axes[name].set_position(self._placed[name])
                self.axes[name].apply_aspect()  # an equal-aspect panel takes its square in the box, as drawing would
            if wrap and self._wrap_titles():
                self._arrange(wrap=False)  # again, with the room the titles' lines take
            self._layouts = [*self._layouts[-7:], (key, {name: (self._placed[name], ax.title.get_text())
                                                           for name, ax in self.axes.items()})]
            return
        for name, (position, title) in known.items():
            self._placed[name] = position
            self.axes[name].set_position(position)
            self.axes[name].apply_aspect()
            self.axes[name].title.set_text(title)

    def _wrap_titles(self) -> bool:
        """Break a panel's title into lines where, whole, it would reach past a side of the frame or
        into a neighbouring panel's texts (its title, axis labels, tick labels): it is centred on its
        axes and may be wider than they are, but not than twice its centre's way to the nearest of
        those. It breaks at a comma first, never inside an expression ("y = w·x"). True if a title
        changed."""
        renderer = self.canvas.get_renderer()
        width = self.size[0]
        changed = False
        for name, ax in self.axes.items():
            full = self._titles[name]
            if not full:
                continue
            before = ax.title.get_text()
            ax.title.set_text(full)
            box = ax.title.get_window_extent(renderer)
            if box.x0 < ax.bbox.x0 or box.x1 > ax.bbox.x1:  # wider than its axes: what is beside it
                centre = (ax.bbox.x0 + ax.bbox.x1) / 2
                clashes = [other for other in self._texts_beside(ax, renderer)
                           if other.x0 < box.x1 and box.x0 < other.x1 and other.y0 < box.y1 and box.y0 < other.y1]
                if clashes or box.x0 < 0 or box.x1 > width:
                    pad = 0.01 * width
                    left = max([0.0] + [o.x1 + pad for o in clashes if o.x1 <= centre])
                    right = min([float(width)] + [o.x0 - pad for o in clashes if o.x1 > centre])
                    kept = re.sub(" ([=+−]) ", "\u00a0\\1\u00a0", full)  # an expression's spaces do not break
                    _wrap(ax.title, kept, (", ", " ", "，", "、"), 2 * min(centre - left, right - centre), renderer,
                          trim="")
                    ax.title.set_text(ax.title.get_text().replace("\u00a0", " "))
            changed |= ax.title.get_text() != before
        return changed

    def _texts_beside(self, ax, renderer) -> list:
        """The extents of the other panels' frames' texts: titles, axis and tick labels."""
        return [text.get_window_extent(renderer) for other in self.axes.values() if other is not ax
                for text in _frame_texts(other)]

    def _thin_ticks(self) -> bool:
        """Fewer ticks on an x axis whose labels would touch (a narrow panel): True if one changed."""
        renderer = self.canvas.get_renderer()
        changed = False
        for ax in self.axes.values():
            locator = ax.xaxis.get_major_locator()
            if not isinstance(locator, MaxNLocator):  # ticks a panel chose (names, knots, a log scale): its own
                continue
            made = functools.partial(locator.set_params, nbins=locator._nbins)  # as the panel left it
            for bins in (5, 4, 3):
                labels = [t.label1 for t in ax.xaxis._update_ticks() if t.label1.get_visible() and t.label1.get_text()]
                boxes = sorted((label.get_window_extent(renderer) for label in labels), key=lambda box: box.x0)
                if all(a.x1 + 2 <= b.x0 for a, b in zip(boxes, boxes[1:])):
                    break
                if made is not None:
                    self._undo.append(made)
                    made = None
                locator.set_params(nbins=bins)
                changed = True
        return changed

    def _fit_legends(self) -> None:
        """Smaller type for a legend wider than its panel (it would cover the axis), down to 8 pt,
        once the layout has set the panels' sizes."""
        renderer = self.canvas.get_renderer()
        for ax in self.axes.values():
            legend = ax.get_legend()
            if legend is None or not legend.get_texts():
                continue
            room = 0.96 * ax.bbox.width
            points = legend.get_texts()[0].get_fontsize()
            made = [functools.partial(text.set_fontsize, text.get_fontsize()) for text in legend.get_texts()]
            while legend_size(legend, renderer).width > room and points > 8.0:
                self._undo += made  # the sizes the panel made them at
                made = []
                points = max(8.0, 0.9 * points)
                for text in legend.get_texts():
                    text.set_fontsize(points)

    def _place_legends(self) -> None:
        """Move a legend to the corner or side of its panel where the fewest points of what moves
        there pass under it over the whole animation (its paths, drawn whole; its markers go along
        them), keeping the panel's own choice when nothing passes under that."""
        renderer = self.canvas.get_renderer()
        bars = {}  # bars, by their axes: their extents at a few frames (they grow and shrink)
        marks = {}  # big markers, by their axes: where they are at those frames (a path may leave the view)
        n = self.frame_count
        shown_bars = {}  # the moving bars, by their axes

        def sample_bars():
            for ax, them in shown_bars.items():
                bars.setdefault(ax, []).append(_bar_extents([bar for bar in them if bar.get_height() != 0.0]))

        for a in self.moving:
            if a.axes is not None and hasattr(a, "get_height"):
                shown_bars.setdefault(a.axes, []).append(a)
        searched = {}  # a legend left at "best": the corner matplotlib's search finds as the background is drawn
        for i in sorted({0, n // 4, n // 3, n // 2, 3 * n // 4}):
            self.update(i)
            if i == 0:  # the frame the background is drawn at
                searched = {legend: _searched(legend, renderer) for legend in self._legends() if legend._loc == 0}
            sample_bars()
            for a in self.moving:
                if a.axes is not None and hasattr(a, "get_xydata") and a.get_marker() not in (None, "None", "") \
                        and a.get_markersize() >= 8 and len(xy := _xy(a)):
                    marks.setdefault(a.axes, []).append(a.axes.transData.transform(xy))
        self.update(self.frame_count - 1)  # the paths drawn to their ends
        sample_bars()
        for ax in self.axes.values():
            legend = ax.get_legend()
            lines = [a for a in self.moving if a.axes is ax and hasattr(a, "get_xydata")]
            boxes = np.concatenate(bars.get(ax, [np.empty((0, 4))]))
            dots = [a for a, _, _ in self.growing if a.axes is ax]
            if legend is None or not (lines or len(boxes) or dots):
                continue
            reach = max([line.get_markersize() for line in lines] + [0.0]) * self.figure.dpi / 144 + 2  # a radius
            # Outside the panel a path is followed along this edge, which no padded legend reaches:
            # a path that overshoots by a billion pixels is not sampled out there
            edge = ax.bbox.padded(reach + 2)
            points = []
            for line in lines:
                xy = ax.transData.transform(_xy(line))
                xy = np.clip(xy[np.isfinite(xy).all(axis=1)], (edge.x0, edge.y0), (edge.x1, edge.y1))
                if len(xy) > 1:  # a point every 2 pixels along the path: each part counts by its length
                    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
                    at = np.arange(0.0, along[-1] + 2.0, 2.0)
                    xy = np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])
                points.append(xy)
            for x0, y0, x1, y1 in boxes:  # a bar, by a column of points
                points.append(np.column_stack([np.full(24, (x0 + x1) / 2), np.linspace(y0, y1, 24)]))
            for text in ax.texts:  # a panel's own labels are to be left uncovered too
                if text.get_visible() and text.get_text():
                    box = text.get_window_extent(renderer)
                    points.append(np.array([[box.x0, box.y0], [box.x1, box.y1], [box.x0, box.y1], [box.x1, box.y0],
                                            [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]]).repeat(20, axis=0))
            for xy in marks.get(ax, []):
                points.append(xy.repeat(40, axis=0))  # a marker where it stands counts as much as a stretch of path
            for grown in dots:
                points.append(ax.transData.transform(np.asarray(grown.get_offsets(), float)))  # a dot is a point
            points = np.concatenate(points) if points else np.empty((0, 2))

            size = legend_size(legend, renderer)

            def under(loc, legend=legend, points=points, reach=reach, size=size) -> int:
                box = legend_box(legend, loc, size, renderer).padded(reach)
                return int(((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                            & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)).sum())

            own = legend._loc
            self._undo.append(functools.partial(setattr, legend, "_loc", own))
            drawn = searched.get(legend) or own  # where it would be drawn, its place kept unless another is freer
            best = min([drawn] + [loc for loc in LEGEND_PLACES if loc not in (own, drawn)], key=under)
            legend.set_loc(best)
        self.update(0)
        if self._captions is not None:  # the layout keeps room for the tallest caption
            self.caption.set_text(self._tallest)
        # A legend still at "best" (nothing that moves in its panel) gets the corner the search found
        # with the background's artists where they are drawn: the same place, without the search
        # again each time the legend is measured or drawn (a fifth of its drawing)
        for legend, code in searched.items():
            if legend._loc == 0 and code is not None:
                self._undo.append(functools.partial(setattr, legend, "_loc", 0))
                legend._loc = code

    def _legends(self) -> list:
        return [ax.get_legend() for ax in self.axes.values() if ax.get_legend() is not None]

    def _draw_background(self) -> None:
        """Draw the background in two passes: first every panel's frame (its face, grid, ticks, tick
        and axis labels, title), then what the panels draw on their frames, then the figure's texts.
        A frame is a function of what :func:`_frame_key` reads, so a panel whose key is the one
        drawn last time (a parameter change that kept its limits and texts) gets its frame's pixels
        back instead of drawing them: its two axes are most of what a background costs. It does
        so only where its frame's rectangle meets no other panel's, so the pixels are the same
        as drawing it. A fresh scene and a restaged one draw this way, so their frames agree."""
        renderer = self.canvas.get_renderer()
        settings = _settings()  # grid, tick and text styles a frame takes from them
        if settings != self._frames_settings:
            self._frames, self._frames_settings = {}, settings
        keys = {name: _frame_key(ax) for name, ax in self.axes.items()}
        kept = {name for name in self.axes if name in self._frames and self._frames[name][0] == keys[name]}
        on_frames = [a for ax in self.axes.values() for a in _on_frame(ax)]
        on_frames += [text for text in self.figure.texts if not text.get_animated()]
        self._draw_frames(on_frames + [self.axes[name] for name in kept])
        boxes = {name: self._frames[name][1] if name in kept else _frame_box(ax, renderer, self.size)
                 for name, ax in self.axes.items()}
        alone = {name for name, box in boxes.items()
                 if not any(_meet(box, other) for them, other in boxes.items() if them != name)}
        if kept - alone:  # a kept frame would now meet another: all are drawn after all
            kept = set()
            self._draw_frames(on_frames)
        self.frames_kept = len(kept)  # panels whose frame was pasted back, not drawn (the tests read it)
        buffer = np.asarray(self.canvas.buffer_rgba())
        for name in alone:
            if name in kept:
                buffer[boxes[name]] = self._frames[name][2]
            else:
                self._frames[name] = (keys[name], boxes[name], buffer[boxes[name]].copy())
        for name in set(self._frames) - alone:
            del self._frames[name]
        for ax in sorted(self.figure.axes, key=lambda ax: ax.get_zorder()):
            if ax.get_visible():
                for artist in _on_frame(ax):
                    artist.draw(renderer)
        for text in sorted(self.figure.texts, key=lambda text: text.get_zorder()):
            if not text.get_animated():
                text.draw(renderer)

    def _draw_frames(self, hidden: list) -> None:
        """Draw the figure without ``hidden``: the panels' frames, but of the kept ones."""
        for artist in hidden:
            artist.set_animated(True)  # what matplotlib's drawing leaves out
        try:
            self.canvas.draw()
        finally:
            for artist in hidden:
                artist.set_animated(False)

    def _step_label(self, k: int) -> str:
        return self.data.clock.label(k)

    def _changing(self) -> list[tuple[slice, slice]] | None:
        """Rectangles of the frame (rows, columns) outside which no frame differs from the background:
        each panel that has moving artists, all clipped to it, and the step counter's corner. None
        (the whole frame) if a moving artist could draw outside its panel."""
        height, width = self.size[1], self.size[0]
        boxes = []
        for ax in self.axes.values():
            mine = [a for a in self.moving if a is not self.step_text and a.axes is ax]
            if not mine:
                continue
            extents = ax.bbox.extents.tolist()
            for artist in mine:
                clip = artist.get_clip_box()
                if not artist.get_clip_on() or clip is None or not _close(clip.extents.tolist(), extents):
                    return None
            boxes.append(ax.bbox.extents)
        if any(a not in (self.step_text, self.caption) and a.axes is None for a in self.moving):
            return None
        renderer = self.canvas.get_renderer()
        counter = self.step_text.get_window_extent(renderer)
        boxes.append((counter.x0, counter.y0, width, height))  # to the corner: its labels differ in width
        if self._captions is not None:  # the strip its tallest text takes, the whole width
            boxes.append((0, 0, width, self.caption.get_window_extent(renderer).y1))
            top = self.caption.get_window_extent(renderer).y1
            if all(ax.bbox.y0 > top + 3 for ax in self.axes.values()):  # below every panel: the caption alone
                self._caption_strip = (slice(max(0, height - int(np.ceil(top)) - 3), height), slice(0, width))
        pad = 3  # antialiasing at a clipped edge stays within a pixel of it
        return [_pixels(box, self.size, pad) for box in boxes]

    # --- drawing ------------------------------------------------------------------------------

    @property
    def frame_count(self) -> int:
        return len(self.data.frame_steps)

    def update(self, i: int) -> list:
        """Move every moving artist to frame ``i``; returns them."""
        k = int(self.data.frame_steps[i])
        for update in self._updates:
            update(k)
        for _, count, show in self.growing:
            show(0, count(k))
        self.step_text.set_text(self._step_label(k))
        if self._captions is not None:
            self.caption.set_text(self._captions[i])
        return self.moving

    def draw(self, i: int) -> np.ndarray:
        """Draw frame ``i`` and return the canvas's own (height, width, 4) RGBA buffer: no copy, and
        valid only until the next draw. The encoders take it as it is."""
        self.update(i)
        k = int(self.data.frame_steps[i])
        buffer = np.asarray(self.canvas.buffer_rgba())
        since = self._grown_since(k)
        source = self.background if since is None else self._running  # with what the growing drew by then
        for where in [(slice(None), slice(None))] if self.changing is None else self.changing:
            buffer[where] = source[where]  # nothing is drawn outside these, so only these need it back
        renderer = self.canvas.get_renderer()  # what Figure.draw_artist asks for, once a frame
        if self.growing:
            self._grow(k, since, buffer, renderer)
        if self._counter is not None:
            self._counter.paste(buffer, self._labels[i])
        # A revealing caption's strip, once drawn for a text, is pasted for it again: it holds nothing else
        strip = self._caption_strip
        cached = None if strip is None else self._caption_cells.get(self._captions[i])
        if cached is not None:
            buffer[strip] = cached
        for artist in self.moving:
            if artist is self.step_text and self._counter is not None or artist is self.caption and cached is not None \
                    or any(artist is grown for grown, _, _ in self.growing):
                continue
            artist.draw(renderer)
        if strip is not None and cached is None:
            self._caption_cells[self._captions[i]] = buffer[strip].copy()
        return buffer

    def _grown_since(self, k: int) -> int | None:
        """The step whose growing items ``_running`` holds, at or before step ``k``: the nearer of
        the frame drawn last and the latest kept step (then put back into ``_running``); None: none."""
        last = self._grown_at if self._grown_at is not None and self._grown_at <= k else None
        kept = max((step for step in self._growth if step <= k), default=None)
        if kept is None or last is not None and last >= kept:
            return last
        self._grown_at = None  # until _running holds the kept step whole
        for where, pixels in zip(self._growing_boxes, self._growth[kept]):
            self._running[where] = pixels
        self._grown_at = kept
        return kept

    def _grow(self, k: int, since: int | None, buffer: np.ndarray, renderer) -> None:
        """Draw the growing artists at step ``k``, under every other moving artist: their items
        after step ``since`` onto what they drew by then, or all of them. Keep what they drew, and
        some steps' of it (``_growth_every`` items apart or more), for a frame drawn after an earlier."""
        for artist, count, show in self.growing:
            if since is not None:
                show(count(since), count(k))
            artist.draw(renderer)
        self._grown_at = None  # until _running holds step k whole
        for where in self._growing_boxes:
            self._running[where] = buffer[where]
        self._grown_at = k

        def items(step: int) -> int:
            return sum(count(step) for _, count, _ in self.growing)

        if all(abs(items(step) - items(k)) >= self._growth_every for step in self._growth) \
                and items(k) >= self._growth_every:
            self._growth[k] = [buffer[where].copy() for where in self._growing_boxes]

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as a new (height, width, 3) RGB array."""
        rgba = self.draw(i)
        # Pillow drops the alpha channel in C, twice as fast as a strided numpy copy.
        return np.asarray(Image.frombuffer("RGBA", self.size, rgba, "raw", "RGBA", 0, 1).convert("RGB"))

"""Where each panel's axes go: a grid of cells, every panel inset by the room its labels need.

Pure geometry, in pixels with y upwards (no matplotlib). The scene measures how far each panel's
labels reach past its axes (:class:`Room`, from the texts alone, wherever the axes are) and this
module places the axes; so a layout is a function of the panels, the frame's size and the texts
the panels show, and nothing else. That is what lets ``explore()`` keep a figure across a
parameter change and still draw exactly the frame a fresh render draws: when the texts need the
same room, the axes stay where they are (``regviz_anim.scene.Scene.restage``).

Like matplotlib's constrained layout, the panels of a column share their left and right margins
and the panels of a row their top and bottom ones, so that their axes line up; a panel spanning
cells takes the margins of its outer cells.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Room:
    """How far a panel's labels reach past its axes on each side, in pixels."""

    left: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    top: float = 0.0


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def spans(mosaic: list[list[str]]) -> dict[str, tuple[int, int, int, int]]:
    """Each panel's first and last row and column in the mosaic (rows counted from the top)."""
    out: dict[str, tuple[int, int, int, int]] = {}
    for r, row in enumerate(mosaic):
        for c, name in enumerate(row):
            r0, r1, c0, c1 = out.get(name, (r, r, c, c))
            out[name] = (min(r0, r), max(r1, r), min(c0, c), max(c1, c))
    return out


def _track(start: float, stop: float, ratios: list[float], before: list[float], after: list[float],
           gap: float) -> list[tuple[float, float]]:
    """Split [start, stop] into cells: each the margin before it, its share of what is left (by
    ``ratios``), the margin after it; ``gap`` between cells. Returns each cell's inner span."""
    room = stop - start - sum(before) - sum(after) - gap * (len(ratios) - 1)
    room = max(room, 1.0)
    total = float(sum(ratios))
    out, at = [], start
    for ratio, lead, trail in zip(ratios, before, after):
        inner = room * ratio / total
        out.append((at + lead, at + lead + inner))
        at += lead + inner + trail + gap
    return out


def place(mosaic: list[list[str]], rooms: dict[str, Room], box: Box, *, pad: tuple[float, float],
          gap: tuple[float, float], width_ratios: list[float] | None = None,
          height_ratios: list[float] | None = None) -> dict[str, Box]:
    """The axes box of every panel of ``mosaic`` inside ``box``: ``pad`` (across, up) around each
    panel's labels, ``gap`` (across, up) more between cells."""
    where = spans(mosaic)
    rows, cols = len(mosaic), len(mosaic[0])
    left, right = [0.0] * cols, [0.0] * cols
    top, bottom = [0.0] * rows, [0.0] * rows
    for name, (r0, r1, c0, c1) in where.items():
        room = rooms.get(name, Room())
        left[c0] = max(left[c0], room.left + pad[0])
        right[c1] = max(right[c1], room.right + pad[0])
        top[r0] = max(top[r0], room.top + pad[1])
        bottom[r1] = max(bottom[r1], room.bottom + pad[1])
    for margins, least in ((left, pad[0]), (right, pad[0]), (top, pad[1]), (bottom, pad[1])):
        margins[:] = [m or least for m in margins]  # a cell no panel starts or ends in still has its pad
    x0, y0, x1, y1 = box
    columns = _track(x0, x1, width_ratios or [1.0] * cols, left, right, gap[0])
    # rows run downwards from the top of the box: flip to y upwards
    down = _track(0.0, y1 - y0, height_ratios or [1.0] * rows, top, bottom, gap[1])
    rows_up = [(y1 - b, y1 - a) for a, b in down]
    return {name: (columns[c0][0], rows_up[r1][0], columns[c1][1], rows_up[r0][1])
            for name, (r0, r1, c0, c1) in where.items()}

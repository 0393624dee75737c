"""The step counter from cells drawn once: a few pixel copies a frame instead of laying out text.

Laying out and rasterising the counter's text was 44% of drawing a frame. Its labels differ only
in a few character positions ("step  17 / 200", "step  18 / 200"...), so matplotlib draws, once,
each character that ever appears at each of those positions, over the background; a frame then
copies one small rectangle per position. The cells are used only where that is exact: every cell
is checked to change no pixel that another position's characters change, so a frame made of
cells is byte for byte the frame matplotlib would draw (``tests/test_drawing.py`` compares them).
Where it is not exact (labels of different lengths, a font whose glyphs overlap their
neighbours, text whose position depends on its characters), :func:`counter_cells` says None and
the scene draws the text.
"""
from __future__ import annotations

import numpy as np

PAD = 3  # pixels around the text's extent searched for ink


class CounterCells:
    """The text's box with only its constant characters, and for each varying position of the
    labels, a rectangle inside it and its pixels for each character that appears there."""

    def __init__(self, box: tuple[slice, slice], base: np.ndarray,
                 cells: dict[int, tuple[tuple[slice, slice], dict[str, np.ndarray]]]):
        self.box, self.base, self.cells = box, base, cells

    def paste(self, buffer: np.ndarray, label: str) -> None:
        """Draw ``label`` into ``buffer`` (the canvas's RGBA array, over the background)."""
        buffer[self.box] = self.base
        for j, (where, pixels) in self.cells.items():
            buffer[where] = pixels[label[j]]


def counter_cells(canvas, text, background, labels: list[str]) -> CounterCells | None:
    """Draw the cells of ``text`` (an animated Text on ``canvas``) for ``labels``, or None where a
    frame made of them would not be exact, or would cost more drawing than it saves."""
    labels = list(dict.fromkeys(labels))
    if len({len(label) for label in labels}) != 1:
        return None
    first = labels[0]
    varying = [j for j in range(len(first)) if any(label[j] != first[j] for label in labels)]
    chars = {j: sorted({label[j] for label in labels} - {" "}) for j in varying}
    draws = 1 + sum(len(c) for c in chars.values())
    if not varying or 2 * draws > len(labels):
        return None
    blank = "".join(" " if j in chars else c for j, c in enumerate(first))
    shown = {(j, c): blank[:j] + c + blank[j + 1:] for j in varying for c in chars[j]}
    figure, renderer, buffer = canvas.figure, canvas.get_renderer(), np.asarray(canvas.buffer_rgba())
    height, width = buffer.shape[:2]
    extents = []
    for label in (blank, *shown.values()):
        text.set_text(label)
        extents.append(text.get_window_extent(renderer))
    x0, x1 = min(e.x0 for e in extents), max(e.x1 for e in extents)
    y0, y1 = min(e.y0 for e in extents), max(e.y1 for e in extents)
    box = (slice(max(0, height - int(np.ceil(y1)) - PAD), min(height, height - int(y0) + PAD)),
           slice(max(0, int(x0) - PAD), min(width, int(np.ceil(x1)) + PAD)))

    def draw(label: str) -> np.ndarray:
        canvas.restore_region(background)
        text.set_text(label)
        figure.draw_artist(text)
        return buffer[box].copy()

    base = draw(blank)
    drawn = {key: draw(label) for key, label in shown.items()}
    canvas.restore_region(background)
    masks = {key: (image != base).any(axis=2) for key, image in drawn.items()}
    if any(not mask.any() for mask in masks.values()):  # e.g. a character with no glyph
        return None
    cells = {}
    for j in varying:
        ink = np.zeros(base.shape[:2], bool)
        for c in chars[j]:
            ink |= masks[j, c]
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if rows.size == 0:
            rect = (slice(0, 0), slice(0, 0))
        else:
            rect = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        # exact only if no other position's ink reaches this rectangle
        if any(masks[key][rect].any() for key in masks if key[0] != j):
            return None
        pixels = {" ": base[rect]} | {c: drawn[j, c][rect] for c in chars[j]}
        frame_rect = (slice(box[0].start + rect[0].start, box[0].start + rect[0].stop),
                      slice(box[1].start + rect[1].start, box[1].start + rect[1].stop))
        cells[j] = (frame_rect, pixels)
    return CounterCells(box, base, cells)

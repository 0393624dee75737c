"""What a panel needs of the scene: the theme's colours, each run's colour and line, the artists
every panel draws alike (a run's moving dot, a legend in the theme), and a way to register its
moving artists. Matplotlib is only touched through the axes a panel is handed."""
from __future__ import annotations

from typing import Callable, Hashable

import numpy as np

from .numerics import Run
from .numerics.penalties import REGULARIZERS
from .numerics.problem import MAX_FEATURES

MANY_WEIGHTS = tuple(range(3, MAX_FEATURES + 1))  # what a panel for three weights or more claims
ANY_WEIGHTS = (1, 2) + MANY_WEIGHTS

# The colours a theme gives the frame; a run's come from its regularizer's record
# (regviz_anim.numerics.penalties), or from FALLBACK for one that names none.
THEMES = {
    "light": {"bg": "#FFFFFF", "fg": "#1B1B1B", "muted": "#707070", "grid": "#E3E3E3", "panel": "#FFFFFF"},
    "dark": {"bg": "#14171C", "fg": "#F2F2F2", "muted": "#A0A0A0", "grid": "#30353D", "panel": "#14171C"},
}
FALLBACK = {"light": ("#CC79A7", "#7F7F7F", "#009E73"), "dark": ("#CC79A7", "#BBBBBB", "#F0E442")}
LINESTYLES = ["-", (0, (6, 2)), (0, (2, 1.5))]  # runs of one regularizer
WEIGHT_STYLES = ["-", (0, (3, 1.6))]  # w1 solid, w2 dashed


LADDER = (1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.25, 2.5, 2.8, 3.2, 3.6, 4.0, 4.5, 5.0, 5.6, 6.4, 7.2, 8.0, 9.0)


def held(lo: float, hi: float, least: float = 0.0, *, centred: bool = False) -> tuple[float, float]:
    """``[lo, hi]`` widened onto a coarse grid: its width the next of ``LADDER`` × 10^k (steps of
    about an eighth, and at least ``least``), its ends on multiples of a tenth of that: the lower
    end the one at or below ``lo``, or with ``centred`` the one that leaves as much room on either
    side as the grid allows. The range a panel shows, where it follows the parameters, is held so
    (its margins go on top): while λ moves a little it stays where it is, so that the room sees
    the curves move and not the axes, and the explorer keeps the panel's frame (its grid, ticks
    and labels) as it drew it (``Scene._draw_background``)."""
    span = max(hi - lo, least)
    if not (np.isfinite(lo) and np.isfinite(hi) and span > 0.0):
        return lo, hi
    k = int(np.floor(np.log10(span)))
    for width in (m * 10.0 ** e for e in (k - 1, k, k + 1, k + 2) for m in LADDER):
        if width < span * (1 - 1e-12):
            continue
        grid = width / 10
        start = (np.round(((lo + hi) / 2 - width / 2) / grid) if centred else np.floor(lo / grid)) * grid
        if start <= lo and start + width >= hi:
            return float(start), float(start + width)
    return lo, hi


def in_place(shape_of: Callable, show: Callable, data, style, shape: Hashable = None) -> Callable:
    """``show(data)``'s update, made able to take other data on the same artists.

    A panel's ``draw`` makes its artists from its shape (``shape_of(data, style)``: everything it
    reads of the data to make them: the runs' looks, which of them get a curve, texts) and
    returns ``in_place(shape_of, show, data, style)`` (with ``shape=``, the shape it worked out
    already); ``show(data)`` sets everything on them that follows from the data (their data, the
    limits) and returns ``update(k)``. Drawn afresh, the panel is made and shown; restaged, it is
    shown again: one way, so a restaged panel is the panel drawn afresh. ``update.restage(data,
    style)`` shows ``data`` and returns its update, or returns None and changes nothing where
    ``shape_of(data, style)`` differs: then the scene clears the axes and draws the panel afresh
    (``Scene.restage``)."""
    made = shape_of(data, style) if shape is None else shape

    def staged(data):
        update = show(data)
        update.restage = lambda new, style: staged(new) if shape_of(new, style) == made else None
        return update
    return staged(data)


class Style:
    """The theme and the runs' colours, for the panels of one scene."""

    def __init__(self, theme: str, runs: tuple[Run, ...], variants: tuple[int, ...], moving: list):
        self.theme = theme
        self.colors = THEMES[theme]
        self._variant = {id(run): variant for run, variant in zip(runs, variants)}
        self._moving = moving
        self.markers: dict[str, object] = {}  # each run's current-position marker, by label
        self.bold = "bold"
        self.fitters: list = []  # what a panel adjusts once the layout has sized it (see after_layout)
        self.growing: list = []  # (artist, count, show) of what only ever gains items (see growing_items)

    def mark(self) -> tuple:
        """Where the registrations stand, for :meth:`made_since`."""
        return len(self._moving), len(self.fitters), len(self.growing), dict(self.markers)

    def made_since(self, mark: tuple) -> tuple:
        """What was registered since ``mark`` (moving and growing artists, fitters, markers), to
        be registered again with another style by :meth:`register`: a panel's, kept across a
        restage (``Scene.restage``)."""
        moving, fitters, growing, markers = mark
        return (self._moving[moving:], self.fitters[fitters:], self.growing[growing:],
                {label: dot for label, dot in self.markers.items() if markers.get(label) is not dot})

    def register(self, made: tuple) -> None:
        moving, fitters, growing, markers = made
        self._moving.extend(moving)
        self.fitters.extend(fitters)
        self.growing.extend(growing)
        self.markers.update(markers)

    def looks(self, runs) -> tuple:
        """How ``runs`` are drawn (their labels, colours and line styles): what a panel's artists
        are made from, for its ``shape`` (``regviz_anim.style.in_place``)."""
        return tuple((run.label, self.color(run), repr(self.line(run)["linestyle"])) for run in runs)

    def after_layout(self, fit) -> None:
        """Call ``fit(renderer)`` once the layout has set every panel's size (in pixels), before the
        background is drawn for good; it returns True if it changed something."""
        self.fitters.append(fit)

    def animated(self, artist):
        """Register a moving artist: drawn by blitting each frame, not in the background."""
        artist.set_animated(True)
        self._moving.append(artist)
        return artist

    def growing_items(self, artist, count, show):
        """Register a moving artist that only gains items, always in one order: at step k it
        shows the first ``count(k)``, and ``show(lo, hi)`` makes it draw items lo..hi-1 alone. The
        scene then draws a frame after an earlier one by drawing only the items since onto the
        earlier frame's (each item is blended onto what is under it, one after another, so that
        is what drawing them all gives), and it draws these before every other moving artist. One
        a panel: two would blend one's new items over the other's earlier ones."""
        if any(grown.axes is artist.axes for grown, _, _ in self.growing):
            raise ValueError("one growing artist a panel: two would blend their new items in another order")
        self.animated(artist)
        self.growing.append((artist, count, show))
        return artist

    def variant(self, run: Run) -> int:
        return self._variant[id(run)]

    def color(self, run: Run) -> str:
        options = REGULARIZERS[run.reg].colors.get(self.theme) or FALLBACK[self.theme]
        return options[self.variant(run) % len(options)]

    def line(self, run: Run) -> dict:
        return {"color": self.color(run), "linestyle": LINESTYLES[self.variant(run) % len(LINESTYLES)]}

    def dot(self, ax, run: Run, *, ms: float, mew: float = 1.5, zorder: float = 5, marker: bool = False):
        """A run's moving dot, ringed in the background's colour; with ``marker``, it is the run's
        current-position marker (``markers``)."""
        dot = self.animated(ax.plot([], [], marker="o", ms=ms, color=self.color(run), mec=self.colors["bg"], mew=mew,
                                    ls="none", zorder=zorder)[0])
        if marker:
            self.markers[run.label] = dot
        return dot

    def marker(self, ax, run: Run, *, trail_alpha: float = 0.45, zorder: float = 5):
        """A run's moving position: a faint trail of recent steps and a big marker, both moving."""
        trail = self.animated(ax.plot([], [], color=self.color(run), ls="none", marker="o", ms=6, alpha=trail_alpha)[0])
        return trail, self.dot(ax, run, ms=14, mew=2, zorder=zorder, marker=True)

    def bars(self, ax, runs, slots: int, span: float):
        """Moving bars, a group at each of ``slots`` places (x = 0, 1, ...), one bar a run side by
        side. A run's bars are one line of vertical strokes, gaps between them, made as wide as a
        bar once the layout has sized the panel (``span``: how wide the axes' x range is): one
        artist to draw a frame, not one a bar. The legend's keys are bars. Returns each run's bar
        positions and ``show(i, heights)``, which sets run i's bars."""
        width = 0.8 / len(runs)
        places = [np.arange(slots) - 0.4 + width * (i + 0.5) for i in range(len(runs))]
        lines = [self.animated(ax.plot([], [], color=self.color(run), solid_capstyle="butt", lw=1.0)[0])
                 for run in runs]

        def widen(renderer) -> bool:  # each stroke 92% of its bar's share of a slot, in points
            pixels = ax.get_window_extent(renderer).width / span
            for line in lines:
                line.set_linewidth(0.92 * width * pixels * 72.0 / ax.figure.dpi)
            return True

        self.after_layout(widen)
        keys = [ax.bar([np.nan], [np.nan], color=self.color(run), label=run.label) for run in runs]  # not drawn
        self.legend(ax, handles=keys, loc="upper right", ncol=min(len(runs), 3), fontsize="small")

        def show(i: int, heights) -> None:
            heights = np.asarray(heights, dtype=float)
            lines[i].set_data(np.repeat(places[i], 3),
                              np.column_stack([np.zeros(slots), heights, np.full(slots, np.nan)]).ravel())
        return places, show

    def legend(self, ax, *, zorder: float = 1, moving=(), **kwargs):
        """A legend in the theme, drawn once in the background. ``moving``: lines it names that move;
        its handles copy their "animated" flag (``Artist.update_from``), so they are static while
        it is made."""
        for line in moving:
            line.set_animated(False)
        legend = ax.legend(frameon=True, facecolor=self.colors["bg"], edgecolor=self.colors["grid"],
                           labelcolor=self.colors["fg"], framealpha=0.9, **kwargs)
        legend.set_zorder(zorder)
        for line in moving:
            line.set_animated(True)
        return legend

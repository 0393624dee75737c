"""The figure, built once per render: a static background, and frame k drawn by blitting.

The scene draws a :class:`~regviz_anim.frames.SceneData`; it knows colours and layout, not
penalties or update rules. No pyplot: the figure has its own Agg canvas.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .frames import RunView, SceneData

# Okabe & Ito's colour-blind-safe palette; per theme, the colours of each regularizer's runs.
THEMES = {
    "light": {
        "bg": "#FFFFFF", "fg": "#1B1B1B", "muted": "#707070", "grid": "#E3E3E3", "panel": "#FFFFFF",
        "runs": {"l1": ["#D55E00", "#E69F00", "#CC79A7"], "l2": ["#0072B2", "#56B4E9"],
                 "elasticnet": ["#009E73", "#56B4E9"], "none": ["#CC79A7", "#7F7F7F"]},
    },
    "dark": {
        "bg": "#14171C", "fg": "#F2F2F2", "muted": "#A0A0A0", "grid": "#30353D", "panel": "#14171C",
        "runs": {"l1": ["#E69F00", "#D55E00", "#CC79A7"], "l2": ["#56B4E9", "#0072B2"],
                 "elasticnet": ["#009E73", "#F0E442"], "none": ["#CC79A7", "#BBBBBB"]},
    },
}
LINESTYLES = ["-", (0, (6, 2)), (0, (2, 1.5))]
TRAIL = 8
BASE_SHORT_SIDE_PX = 720  # the design size: with a 720 px short side, 1 pt = 100/72 px


def _layout(panels: tuple[str, ...], wide: bool) -> list[list[str]]:
    n = len(panels)
    if n == 1:
        return [list(panels)]
    if n == 2:
        return [list(panels)] if wide else [[p] for p in panels]
    if n == 3:
        return [[panels[0], panels[1]], [panels[2], panels[2]]]
    return [[panels[0], panels[1]], [panels[2], panels[3]]]


class Scene:
    """Holds the figure and its moving artists; :meth:`frame` returns frame k as an RGB array."""

    def __init__(self, data: SceneData, *, size: tuple[int, int] = (1280, 720), theme: str = "light",
                 panels: tuple[str, ...] = ("loss", "weight", "fit", "gradient")):
        width, height = size
        if width % 2 or height % 2:
            raise ValueError(f"frame size {width}x{height} must be even")
        self.data, self.size, self.theme, self.panels = data, size, theme, tuple(panels)
        self.colors = THEMES[theme]
        self.moving: list = []
        dpi = 100.0 * min(width, height) / BASE_SHORT_SIDE_PX
        self.wide = width >= 1.5 * height
        scale = 1.0 if self.wide or len(panels) < 2 else 0.88  # two columns in a narrow frame
        rc = {"font.size": 15 * scale, "axes.titlesize": 16 * scale, "axes.labelsize": 15 * scale,
              "xtick.labelsize": 13 * scale, "ytick.labelsize": 13 * scale, "legend.fontsize": 12.5 * scale,
              "axes.linewidth": 1.2, "font.family": "DejaVu Sans"}
        with matplotlib.rc_context(rc):
            self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=self.colors["bg"],
                                 layout="constrained")
            self.canvas = FigureCanvasAgg(self.figure)
            self.figure.get_layout_engine().set(h_pad=0.06, w_pad=0.08, hspace=0.06, wspace=0.04)
            self.axes = self.figure.subplot_mosaic(_layout(tuple(panels), width >= 1.2 * height))
            for ax in self.axes.values():
                self._style(ax)
            self.markers: dict[str, object] = {}
            draw = {"loss": self._loss, "weight": self._weight, "fit": self._fit, "gradient": self._gradient}
            self._updates = [draw[name](self.axes[name]) for name in panels]
            self._header()
            self._wrap_header()
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        if self.canvas.get_width_height() != (width, height):
            raise RuntimeError(f"canvas is {self.canvas.get_width_height()}, expected {size}")

    # --- building -----------------------------------------------------------------------------

    def _animated(self, artist):
        artist.set_animated(True)
        self.moving.append(artist)
        return artist

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

    def color(self, run: RunView) -> str:
        options = self.colors["runs"][run.kind]
        return options[run.variant % len(options)]

    def _style_of(self, run: RunView) -> dict:
        return {"color": self.color(run), "linestyle": LINESTYLES[run.variant % len(LINESTYLES)]}

    def _legend(self, ax, **kwargs) -> None:
        legend = ax.legend(frameon=True, facecolor=self.colors["bg"], edgecolor=self.colors["grid"],
                           labelcolor=self.colors["fg"], framealpha=0.9, **kwargs)
        legend.set_zorder(1)

    def _header(self) -> None:
        c, d = self.colors, self.data
        self.title = self.figure.suptitle(d.title, x=0.01, ha="left", fontsize=19, fontweight="bold",
                                          color=c["fg"])
        self.caption = self.figure.supxlabel(d.caption, fontsize=16, color=c["fg"])
        self.step_text = self._animated(self.figure.text(0.99, 0.985, self._step_label(d.total_steps), ha="right",
                                                         va="top", fontsize=18, color=c["fg"],
                                                         family="DejaVu Sans Mono"))

    def _wrap_header(self) -> None:
        """Break the title and the caption into lines where they would not fit in one."""
        renderer = self.canvas.get_renderer()
        width = self.figure.bbox.width
        counter = self.step_text.get_window_extent(renderer).width
        if self.title.get_window_extent(renderer).width > width - counter - 0.04 * width:
            self.title.set_text(self.data.title.replace(":  ", "\n", 1))
        if self.caption.get_window_extent(renderer).width > 0.97 * width:
            self.caption.set_text(self.data.caption.replace("  ·  ", "\n"))

    def _step_label(self, k: int) -> str:
        total = self.data.total_steps
        return f"step {k:>{len(str(total))}d} / {total}"

    def _w_limits(self) -> tuple[float, float]:
        grid = self.data.w_grid
        return float(grid[0]), float(grid[-1])

    def _loss(self, ax):
        c, d = self.colors, self.data
        ax.set_title("objective F = L + penalty")
        ax.set_xlabel("w")
        ax.plot(d.w_grid, d.data_curve, color=c["muted"], lw=2.2, ls=(0, (4, 2)), label="L(w), data only")
        drawn = set()
        for run in d.runs:
            if run.kind not in drawn and run.kind != "none":
                drawn.add(run.kind)
                ax.plot(d.w_grid, run.curve, color=self.color(run), lw=2.8, label=f"L + {run.label.split(' · ')[0]}")
                ax.plot([run.w_star], [run.f_star], marker="*", ms=17, color=self.color(run),
                        mec=c["bg"], mew=1.2, zorder=4, ls="none")
        curves = np.concatenate([d.data_curve] + [r.curve for r in d.runs])
        top = max(float(r.objective[0]) for r in d.runs)
        top = max(top, float(np.min(curves)) + 1e-3)
        low = float(np.min(curves))
        pad = 0.08 * (top - low)
        ax.set_xlim(*self._w_limits())
        ax.set_ylim(low - pad, top + pad)
        self._legend(ax, loc="best")
        trails, dots = [], []
        for run in d.runs:
            trails.append(self._animated(ax.plot([], [], color=self.color(run), lw=0, marker="o", ms=6,
                                                 alpha=0.45)[0]))
            dot = self._animated(ax.plot([], [], color=self.color(run), marker="o", ms=14, mec=c["bg"],
                                         mew=2, ls="none", zorder=5)[0])
            dots.append(dot)
            self.markers[run.label] = dot

        def update(k: int) -> None:
            for run, trail, dot in zip(d.runs, trails, dots):
                t = min(k, len(run.w) - 1)
                lo = max(0, t - TRAIL)
                trail.set_data(run.w[lo:t], run.objective[lo:t])
                dot.set_data([run.w[t]], [run.objective[t]])
                dot.set_marker("X" if run.diverged and k >= len(run.w) - 1 else "o")
        return update

    def _weight(self, ax):
        c, d = self.colors, self.data
        ax.set_title("weight w by step")
        ax.set_xlabel("step")
        ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=1)
        for run in d.runs:
            if run.band is not None:
                ax.axhspan(*run.band, color=self.color(run), alpha=0.22, lw=0,
                           label=f"{run.label}: predicted band")
        for run in d.runs:
            ax.axhline(run.w_star, color=self.color(run), lw=1.6, ls=(0, (5, 3)), alpha=0.9)
        ws = np.concatenate([np.clip(r.w, *self._w_limits()) for r in d.runs] + [[0.0]])
        lo, hi = float(ws.min()), float(ws.max())
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0, 1.03 * max(d.total_steps, 1))  # room for the marker at the last step
        paths, dots = [], []
        steps = np.arange(d.total_steps + 1)
        for run in d.runs:
            paths.append(self._animated(ax.plot([], [], lw=2.8, label=run.label, **self._style_of(run))[0]))
            dots.append(self._animated(ax.plot([], [], marker="o", ms=10, color=self.color(run), mec=c["bg"],
                                               mew=1.5, ls="none", zorder=5)[0]))
        # The legend is drawn once, in the background; its handles copy the lines' "animated"
        # flag (Artist.update_from), so the lines are briefly static while it is made.
        for path in paths:
            path.set_animated(False)
        self._legend(ax, loc="upper right")
        for path in paths:
            path.set_animated(True)

        def update(k: int) -> None:
            for run, path, dot in zip(d.runs, paths, dots):
                t = min(k, len(run.w) - 1)
                path.set_data(steps[: t + 1], run.w[: t + 1])
                dot.set_data([t], [run.w[t]])
        return update

    def _fit(self, ax):
        c, d = self.colors, self.data
        ax.set_title("fitted line y = w·x")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        span = np.array([d.x.min(), d.x.max()])
        ax.scatter(d.x, d.y, s=40, color=c["fg"], zorder=3, label="data")
        ys = np.concatenate([d.y, span * max(abs(r.w[0]) for r in d.runs), -span * max(abs(r.w[0]) for r in d.runs)])
        lo, hi = float(ys.min()), float(ys.max())
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(span[0] - 0.05 * np.ptp(span), span[1] + 0.05 * np.ptp(span))
        lines = [self._animated(ax.plot([], [], lw=3, **self._style_of(run))[0]) for run in d.runs]

        def update(k: int) -> None:
            for run, line in zip(d.runs, lines):
                line.set_data(span, span * run.w[min(k, len(run.w) - 1)])
        return update

    def _gradient(self, ax):
        c, d = self.colors, self.data
        ax.set_title("push on w (−gradient)")
        rows = np.arange(2 * len(d.runs))[::-1]
        ax.set_yticks(rows[0::2] - 0.5, [run.label for run in d.runs])
        ax.tick_params(axis="y", length=0)
        ax.axvline(0.0, color=c["fg"], lw=1.3)
        pushes = np.concatenate([np.concatenate([r.data_push, r.penalty_push]) for r in d.runs])
        reach = float(np.quantile(np.abs(pushes), 0.98)) or 1.0
        ax.set_xlim(-1.1 * reach, 1.1 * reach)
        ax.set_ylim(-0.7, rows[0] + 0.7)
        ax.grid(False, axis="y")
        for row in rows[1:-1:2]:
            ax.axhline(row - 0.5, color=c["grid"], lw=1.0)
        ax.set_xlabel("grey: data · colour: penalty")
        bars = []
        for i, run in enumerate(d.runs):
            data_bar = self._animated(ax.barh(rows[2 * i], 0.0, height=0.7, color=c["muted"])[0])
            pen_bar = self._animated(ax.barh(rows[2 * i + 1], 0.0, height=0.7, color=self.color(run))[0])
            bars.append((run, data_bar, pen_bar))

        def update(k: int) -> None:
            for run, data_bar, pen_bar in bars:
                t = min(k, len(run.w) - 1)
                data_bar.set_width(float(np.clip(run.data_push[t], -1.1 * reach, 1.1 * reach)))
                pen_bar.set_width(float(np.clip(run.penalty_push[t], -1.1 * reach, 1.1 * reach)))
        return update

    # --- drawing ------------------------------------------------------------------------------

    @property
    def frame_count(self) -> int:
        return len(self.data.frame_steps)

    def update(self, i: int) -> list:
        """Move every moving artist to frame ``i``; returns them."""
        k = int(self.data.frame_steps[i])
        for update in self._updates:
            update(k)
        self.step_text.set_text(self._step_label(k))
        return self.moving

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as a new read-only (height, width, 3) uint8 array: background, then what moves."""
        self.update(i)
        self.canvas.restore_region(self._background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        # Pillow drops the alpha channel in C, twice as fast as a strided numpy copy.
        rgba = Image.frombuffer("RGBA", self.size, self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        return np.asarray(rgba.convert("RGB"))

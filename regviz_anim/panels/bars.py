"""Many weights: every weight as a bar at this step or λ, one bar per run side by side. A weight
at exactly 0 has no bar but an empty ring on the axis, so it cannot be mistaken for a small one;
the features are named below (every fifth with more than twenty)."""
import numpy as np

from ..style import MANY_WEIGHTS

FEATURES = MANY_WEIGHTS
KINDS = ("steps", "lam")


def draw(ax, d, style):
    c = style.colors
    n, runs = d.features, d.runs
    ax.set_title(d.texts("bars_title"))
    ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=3)
    values = np.concatenate([r.w.ravel() for r in runs] + [[0.0]])
    lo, hi = float(values.min()), float(values.max())
    pad = 0.1 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + 3.5 * pad)  # headroom above the tallest bar, for the legend
    ax.set_xlim(-0.7, n - 0.3)
    ax.grid(False, axis="x")
    names = d.data.feature_names
    ax.set_xticks(np.arange(n), list(names), fontsize="small" if n > 10 else None)

    def thin(renderer) -> bool:
        """Names that do not fit side by side stand on end; if that is still too tight, every
        second or fifth is shown."""
        labels = ax.get_xticklabels()
        room = ax.get_window_extent(renderer).width / n
        if max(label.get_window_extent(renderer).width for label in labels) <= 0.95 * room:
            return False
        tall = max(label.get_window_extent(renderer).height for label in labels)
        every = next((k for k in (1, 2, 5, 10) if tall * 1.1 <= k * room), 10)
        ax.set_xticks(np.arange(0, n, every), [names[j] for j in range(0, n, every)], rotation=90)
        return True

    style.after_layout(thin)

    def headroom(renderer) -> bool:
        """Above the tallest bar, room for the legend (it sits there), however short the panel."""
        legend, height = ax.get_legend(), ax.get_window_extent(renderer).height
        need = (legend.get_window_extent(renderer).height + 8.0) / height if legend is not None else 0.0
        bottom, top = lo - pad, hi + 3.5 * pad
        if 0.0 < need < 0.8:  # the top where the legend's height is the share of the range above hi
            top = max(top, (hi - need * bottom) / (1.0 - need))
        if top == ax.get_ylim()[1]:
            return False
        ax.set_ylim(bottom, top)
        return True

    style.after_layout(headroom)
    places, show = style.bars(ax, runs, n, span=n + 0.4)
    rings = [style.animated(ax.plot([], [], ls="none", marker="o", ms=min(8.0, 150.0 / n + 2.0), mfc=c["bg"],
                                    mec=style.color(run), mew=1.5, zorder=5)[0]) for run in runs]

    def update(k: int) -> None:
        for i, (run, where, ring) in enumerate(zip(runs, places, rings)):
            w = run.w[min(k, len(run.w) - 1)]
            show(i, w)
            zero = w == 0.0
            ring.set_data(where[zero], np.zeros(int(zero.sum())))
    return update

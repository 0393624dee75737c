"""Random problems of many weights: how many of each minimiser's weights are exactly 0, per run,
over the trials so far: L1's pile up at large counts, L2's stay at 0."""
import numpy as np

from ..style import MANY_WEIGHTS

FEATURES = MANY_WEIGHTS
KINDS = ("trials",)


def draw(ax, d, style):
    n, runs = d.features, d.runs
    ax.set_title(d.texts("histogram_title"))
    ax.set_xlabel(d.texts("histogram_axis"))
    ax.set_ylabel(d.texts("histogram_count"))
    counts = [(run.w == 0.0).sum(axis=1) for run in runs]
    most = max(int(np.bincount(c, minlength=n + 1).max()) for c in counts)
    ax.set_xlim(-0.7, n + 0.7)
    ax.set_ylim(0.0, 1.35 * most)  # headroom for the legend
    ax.grid(False, axis="x")
    width = 0.8 / len(runs)
    groups = []
    for i, (run, count) in enumerate(zip(runs, counts)):
        where = np.arange(n + 1) - 0.4 + width * (i + 0.5)
        bars = style.animated(ax.plot([], [], color=style.color(run), solid_capstyle="butt", lw=1.0)[0])
        groups.append((count, where, bars))

    def widen(renderer) -> bool:  # each stroke as wide as its bar, in points, once the panel is sized
        pixels = ax.get_window_extent(renderer).width / (n + 1.4)
        for _, _, bars in groups:
            bars.set_linewidth(0.92 * width * pixels * 72.0 / ax.figure.dpi)
        return True

    style.after_layout(widen)
    keys = [ax.bar([np.nan], [np.nan], color=style.color(run), label=run.label) for run in runs]  # keys, not drawn
    style.legend(ax, handles=keys, loc="upper right", ncol=min(len(runs), 3), fontsize="small")

    def update(k: int) -> None:
        for count, where, bars in groups:
            tally = np.bincount(count[: k + 1], minlength=n + 1)
            heights = np.column_stack([np.zeros(n + 1), tally, np.full(n + 1, np.nan)]).ravel()
            bars.set_data(np.repeat(where, 3), heights)
    return update

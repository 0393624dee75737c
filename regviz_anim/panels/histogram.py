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
    _, show = style.bars(ax, runs, n + 1, span=n + 1.4)

    def update(k: int) -> None:
        for i, count in enumerate(counts):
            show(i, np.bincount(count[: k + 1], minlength=n + 1))
    return update

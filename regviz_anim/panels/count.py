"""Random problems: the running share of trials whose minimiser has a weight exactly 0, per run,
with its 95% (Wilson) interval dashed; with many weights, dotted, the share of all weights that
are exactly 0 (the title says so)."""
import numpy as np

from ..numerics.trials import wilson
from ..style import ANY_WEIGHTS

FEATURES = ANY_WEIGHTS
KINDS = ("trials",)


def draw(ax, d, style):
    total = d.total_steps + 1
    x = np.arange(1, total + 1)
    many = d.features >= 3
    ax.set_title(d.texts("count_title_many" if many else "count_title"))
    ax.set_xlabel(d.texts("trial_axis"))
    ax.set_ylabel(d.texts("count_axis"))
    ax.set_ylim(-0.1, 1.3)  # headroom above 100% for the legend, below 0 for markers
    ax.set_xlim(1 - 0.08 * total, 1.08 * total)
    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    lines = []
    for run in d.runs:
        hits = np.cumsum((run.w == 0.0).any(axis=1))
        share = hits / x
        bounds = np.array([wilson(int(h), int(n)) for h, n in zip(hits, x)])
        weights = np.cumsum((run.w == 0.0).sum(axis=1)) / (x * d.features)
        colour = style.color(run)
        share_line = style.animated(ax.plot([], [], color=colour, lw=2.6, label=run.label)[0])
        low = style.animated(ax.plot([], [], color=colour, lw=1.0, ls=(0, (4, 2)))[0])
        high = style.animated(ax.plot([], [], color=colour, lw=1.0, ls=(0, (4, 2)))[0])
        of_weights = style.animated(ax.plot([], [], color=colour, lw=1.8, ls=(0, (1, 1.5)))[0]) if many else None
        lines.append((share, bounds, weights, share_line, low, high, of_weights, style.dot(ax, run, ms=9)))
    style.legend(ax, loc="upper right", ncol=min(len(d.runs), 3), fontsize="small", moving=[e[3] for e in lines])

    def update(k: int) -> None:
        for share, bounds, weights, share_line, low, high, of_weights, dot in lines:
            share_line.set_data(x[: k + 1], share[: k + 1])
            low.set_data(x[: k + 1], bounds[: k + 1, 0])
            high.set_data(x[: k + 1], bounds[: k + 1, 1])
            if of_weights is not None:
                of_weights.set_data(x[: k + 1], weights[: k + 1])
            dot.set_data([x[k]], [share[k]])
    return update

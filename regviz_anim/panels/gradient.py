"""The pushes on each weight at this step: the data term's (grey) and the penalty's (the run's
colour). L1's push keeps its full size all the way to 0; L2's fades as the weight nears 0."""
import numpy as np

FEATURES = (1, 2)
KINDS = ("steps",)


def draw(ax, d, style):
    c = style.colors
    one = d.features == 1
    ax.set_title(d.texts("push_title" if one else "pushes_title"))
    pairs = [(run, j) for run in d.runs for j in range(d.features)]
    rows = np.arange(2 * len(pairs))[::-1]
    names = [run.label if one else f"{run.label.split(' · ')[0]} w{j + 1}" for run, j in pairs]
    ax.set_yticks(rows[0::2] - 0.5, names)
    ax.tick_params(axis="y", length=0)
    if len(pairs) > 4:  # many rows share the height: smaller names, so they do not overlap
        ax.tick_params(axis="y", labelsize=max(6.0, 13.0 * 4 / len(pairs)))
    ax.axvline(0.0, color=c["fg"], lw=1.3)
    pushes = np.concatenate([np.concatenate([r.data_push.ravel(), r.penalty_push.ravel()]) for r in d.runs])
    reach = float(np.quantile(np.abs(pushes), 0.98)) or 1.0
    ax.set_xlim(-1.1 * reach, 1.1 * reach)
    ax.set_ylim(-0.7, rows[0] + 0.7)
    ax.grid(False, axis="y")
    for row in rows[1:-1:2]:
        ax.axhline(row - 0.5, color=c["grid"], lw=1.0)
    ax.set_xlabel(d.texts("push_axis"))
    bars = []
    for i, (run, j) in enumerate(pairs):
        data_bar = style.animated(ax.barh(rows[2 * i], 0.0, height=0.7, color=c["muted"])[0])
        pen_bar = style.animated(ax.barh(rows[2 * i + 1], 0.0, height=0.7, color=style.color(run))[0])
        bars.append((run, j, data_bar, pen_bar))

    def update(k: int) -> None:
        for run, j, data_bar, pen_bar in bars:
            t = min(k, len(run.w) - 1)
            data_bar.set_width(float(np.clip(run.data_push[t, j], -1.1 * reach, 1.1 * reach)))
            pen_bar.set_width(float(np.clip(run.penalty_push[t, j], -1.1 * reach, 1.1 * reach)))
    return update

"""The weights by step: each run's path, w* dashed, the zero line, and for constant-step
subgradient runs on one weight the band it is predicted to chatter in. With two weights, w1 is
drawn solid and w2 dashed."""
import numpy as np

from ..style import WEIGHT_STYLES, held

FEATURES = (1, 2)
KINDS = ("steps",)


def draw(ax, d, style):
    c = style.colors
    one = d.features == 1
    ax.set_title(d.texts("weight_title" if one else "weights_title"))
    ax.set_xlabel(d.texts("step_axis"))
    ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=1)
    banded = [run for run in d.runs if run.band is not None]
    for run in banded:  # one band is named plainly; several by their runs
        ax.axhspan(*run.band, color=style.color(run), alpha=0.22, lw=0,
                   label=d.texts("band", label=run.label) if len(banded) > 1 else d.texts("one_band"))
    for run in d.runs:
        for star in run.w_star:
            ax.axhline(star, color=style.color(run), lw=1.6, ls=(0, (5, 3)) if one else (0, (1, 2)), alpha=0.9)
    ws = np.concatenate([np.clip(r.w, *d.w_range).ravel() for r in d.runs] + [[0.0]])
    lo, hi = held(float(ws.min()), float(ws.max()))  # it stays put while λ moves a little
    pad = 0.12 * (hi - lo or 1.0)  # room for the markers at the edges
    # Two weights: headroom above the paths for the legend, so it covers none of them.
    # Headroom above the paths for the legend: with two weights always, with one for a fourth run on
    ax.set_ylim(lo - pad, hi + (pad + 0.5 * max(0, len(d.runs) - 3) * (hi - lo or 1.0) if one
                                else 0.8 * (hi - lo or 1.0)))
    ax.set_xlim(-0.05 * max(d.total_steps, 1), 1.05 * max(d.total_steps, 1))  # room for the first and last markers
    paths, dots = [], []
    steps = np.arange(d.total_steps + 1)
    for run in d.runs:
        for j in range(d.features):
            line = style.line(run) if one else {"color": style.color(run), "linestyle": WEIGHT_STYLES[j]}
            label = run.label if one else f"{run.label}: w{j + 1}"
            paths.append(style.animated(ax.plot([], [], lw=2.8, label=label, **line)[0]))
            dots.append(style.dot(ax, run, ms=10))
    if one:
        style.legend(ax, loc="upper right", moving=paths, **({"fontsize": "small"} if len(d.runs) >= 4 else {}))
    else:  # the runs' colours are named in the other panels; here, which line is which weight
        keys = [ax.plot([], [], color=c["fg"], lw=2.4, ls=WEIGHT_STYLES[j], label=f"w{j + 1}")[0]
                for j in range(d.features)]
        style.legend(ax, handles=keys, loc="upper right", ncol=d.features)
    columns = [(run, j) for run in d.runs for j in range(d.features)]

    def update(k: int) -> None:
        for (run, j), path, dot in zip(columns, paths, dots):
            t = min(k, len(run.w) - 1)
            path.set_data(steps[: t + 1], run.w[: t + 1, j])
            dot.set_data([t], [run.w[t, j]])
    return update

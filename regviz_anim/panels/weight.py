"""The weights by step: each run's path, w* dashed, the zero line, and for constant-step
subgradient runs on one weight the band it is predicted to chatter in. With two weights, w1 is
drawn solid and w2 dashed."""
import numpy as np

from ..style import WEIGHT_STYLES, held, in_place

FEATURES = (1, 2)
KINDS = ("steps",)


def shape(d, style):
    return style.looks(d.runs), d.features, tuple(run.band is not None for run in d.runs)


def span(band, lo: float, hi: float) -> None:
    """Move a band made by ``axhspan`` to rows ``lo``..``hi`` (a rectangle since matplotlib 3.9)."""
    if hasattr(band, "set_height"):
        band.set_y(lo)
        band.set_height(hi - lo)
    else:
        band.set_xy([(0.0, lo), (0.0, hi), (1.0, hi), (1.0, lo), (0.0, lo)])


def draw(ax, d, style):
    c = style.colors
    one = d.features == 1
    ax.set_title(d.texts("weight_title" if one else "weights_title"))
    ax.set_xlabel(d.texts("step_axis"))
    ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=1)
    banded = [i for i, run in enumerate(d.runs) if run.band is not None]
    bands = []  # one band is named plainly; several by their runs
    for i in banded:
        run = d.runs[i]
        bands.append((i, ax.axhspan(0.0, 1.0, color=style.color(run), alpha=0.22, lw=0,
                                    label=d.texts("band", label=run.label) if len(banded) > 1
                                    else d.texts("one_band"))))
    stars = [(i, j, ax.axhline(0.0, color=style.color(run), lw=1.6, ls=(0, (5, 3)) if one else (0, (1, 2)), alpha=0.9))
             for i, run in enumerate(d.runs) for j in range(d.features)]
    paths, dots = [], []
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

    def show(d):
        for i, band in bands:
            span(band, *d.runs[i].band)
        for i, j, star in stars:
            star.set_ydata([d.runs[i].w_star[j]] * 2)
        ws = np.concatenate([np.clip(r.w, *d.w_range).ravel() for r in d.runs] + [[0.0]])
        lo, hi = held(float(ws.min()), float(ws.max()))  # it stays put while λ moves a little
        pad = 0.12 * (hi - lo or 1.0)  # room for the markers at the edges
        # Headroom above the paths for the legend: with two weights always, with one for a fourth run on
        ax.set_ylim(lo - pad, hi + (pad + 0.5 * max(0, len(d.runs) - 3) * (hi - lo or 1.0) if one
                                    else 0.8 * (hi - lo or 1.0)))
        ax.set_xlim(-0.05 * max(d.total_steps, 1), 1.05 * max(d.total_steps, 1))  # room for the first and last markers
        steps = np.arange(d.total_steps + 1)
        columns = [(run, j) for run in d.runs for j in range(d.features)]

        def update(k: int) -> None:
            for (run, j), path, dot in zip(columns, paths, dots):
                t = min(k, len(run.w) - 1)
                path.set_data(steps[: t + 1], run.w[: t + 1, j])
                dot.set_data([t], [run.w[t, j]])
        return update
    return in_place(shape, show, d, style)

"""The objective gap F(w_t) − F* by step, on a log scale: proximal and clipped descent close it
steadily, while constant-step subgradient descent stalls at a level set by its step size."""
import numpy as np

from ..style import ANY_WEIGHTS, held, in_place

FEATURES = ANY_WEIGHTS
KINDS = ("steps",)
FLOOR = 1e-12  # relative to max(1, |F*|): below it the gap is rounding, drawn on the floor


def shape(d, style):
    return style.looks(d.runs), d.features


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("gap_title"))
    ax.set_xlabel(d.texts("step_axis"))
    ax.set_yscale("log")
    # the floor is named in the legend: a label on the plot would lie where the paths end
    floor_line = ax.axhline(1.0, color=c["muted"], lw=1.2, ls=(0, (2, 2)), label=d.texts("floor"))
    paths, dots = [], []
    named = d.features == 1  # with two weights the plane and the pushes name the runs' colours
    for run in d.runs:
        paths.append(style.animated(ax.plot([], [], lw=2.6, label=run.label if named else None,
                                            **style.line(run))[0]))
        dots.append(style.dot(ax, run, ms=9))
    style.legend(ax, loc="upper right", ncol=1 if len(d.runs) <= 2 or not named else 2, fontsize="small",
                 moving=paths)

    def show(d):
        gaps = [np.maximum(run.objective - run.f_star, FLOOR * max(1.0, abs(run.f_star))) for run in d.runs]
        floor = min(float(g.min()) for g in gaps)
        top = max(float(g.max()) for g in gaps)
        # Room below the floor for its label, where no marker goes; above the top for the first marker.
        low, high = held(np.log10(floor), np.log10(max(top, floor)))  # in decades; it stays put while λ moves a little
        low, high = 10.0 ** low, 10.0 ** high
        ax.set_ylim(low / 30, high * 10 if high > low else low * 30)  # room for the markers
        ax.set_xlim(-0.05 * max(d.total_steps, 1), 1.05 * max(d.total_steps, 1))
        floor_line.set_ydata([floor, floor])
        steps = np.arange(d.total_steps + 1)

        def update(k: int) -> None:
            for gap, path, dot in zip(gaps, paths, dots):
                t = min(k, len(gap) - 1)
                path.set_data(steps[: t + 1], gap[: t + 1])
                dot.set_data([t], [gap[t]])
        return update
    return in_place(shape, show, d, style)

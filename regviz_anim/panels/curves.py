"""One weight, as λ grows: the objective F_λ(w) = L(w) + λ·penalty(w) reshaping, each run's minimum
marked. L1's kink at 0 deepens until the minimum falls into it and stays; L2's bowl only narrows."""
import numpy as np

FEATURES = (1,)
KINDS = ("lam",)


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("curves_title"))
    ax.set_xlabel("w")
    grid = d.w_grid
    ax.plot(grid, d.data_curve, color=c["muted"], lw=2.2, ls=(0, (4, 2)))
    ax.axvline(0.0, color=c["fg"], lw=1.3, zorder=1)
    units = [run.penalty(grid[:, None]) for run in d.runs]  # each penalty at λ = 1, over the grid
    low = min(float(d.data_curve.min()), *(float(r.objective.min()) for r in d.runs))
    top = max(float(r.objective.max()) for r in d.runs) + 0.5 * float(np.ptp(d.data_curve))
    pad = 0.06 * (top - low or 1.0)
    ax.set_xlim(float(grid[0]), float(grid[-1]))
    ax.set_ylim(low - pad, top + pad)
    # No legend: the moving curves sweep the whole plot and would be drawn over it; the path
    # panel beside this one names the colours.
    curves, dots = [], []
    for run in d.runs:
        curves.append(style.animated(ax.plot([], [], color=style.color(run), lw=2.8)[0]))
        dots.append(style.dot(ax, run, ms=14, mew=2, marker=True))

    def update(k: int) -> None:
        lam = float(d.lams[k])
        for run, unit, curve, dot in zip(d.runs, units, curves, dots):
            curve.set_data(grid, d.data_curve + lam * unit)
            dot.set_data([run.w[k, 0]], [run.objective[k]])
    return update

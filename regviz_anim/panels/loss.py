"""One weight: the data loss and each objective over w, a marker and a short trail per run at its
current w, and a star at each minimiser."""
import numpy as np

from ..style import held

FEATURES = (1,)
KINDS = ("steps",)
TRAIL = 8


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("loss_title"))
    ax.set_xlabel("w")
    ax.plot(d.w_grid, d.data_curve, color=c["muted"], lw=2.2, ls=(0, (4, 2)), label=d.texts("data_only"))
    drawn = set()  # one curve an objective (weight decay's is L2's)
    for run, curve in zip(d.runs, d.curves):
        if (run.penalty.l1, run.penalty.l2) not in drawn and run.reg != "none":
            drawn.add((run.penalty.l1, run.penalty.l2))
            name = run.label.split(" · ")[0].split(" + ")[-1]  # the regularizer, not the rule or optimizer
            ax.plot(d.w_grid, curve, color=style.color(run), lw=2.8, label=f"L + {name}")
            ax.plot([run.w_star[0]], [run.f_star], marker="*", ms=17, color=style.color(run),
                    mec=c["bg"], mew=1.2, zorder=4, ls="none")
    curves = np.concatenate([d.data_curve, *d.curves])
    top = max(float(r.objective[0]) for r in d.runs)
    top = max(top, float(np.min(curves)) + 1e-3)
    low = float(np.min(curves))
    low, top = held(low, top)  # it stays put while λ moves a little
    pad = 0.08 * (top - low)
    ax.set_xlim(float(d.w_grid[0]), float(d.w_grid[-1]))
    ax.set_ylim(low - pad, top + pad)
    style.legend(ax, loc="best")
    trails, dots = zip(*(style.marker(ax, run) for run in d.runs))

    def update(k: int) -> None:
        for run, trail, dot in zip(d.runs, trails, dots):
            t = min(k, len(run.w) - 1)
            lo = max(0, t - TRAIL)
            trail.set_data(run.w[lo:t, 0], run.objective[lo:t])
            dot.set_data([run.w[t, 0]], [run.objective[t]])
            dot.set_marker("X" if run.diverged and k >= len(run.w) - 1 else "o")
    return update

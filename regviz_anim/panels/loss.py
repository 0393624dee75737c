"""One weight: the data loss and each objective over w, a marker and a short trail per run at its
current w, and a star at each minimiser."""
import numpy as np

from ..style import held, in_place

FEATURES = (1,)
KINDS = ("steps",)
TRAIL = 8


def objectives(d) -> list[int]:
    """The runs whose objective is drawn: one curve an objective (weight decay's is L2's)."""
    drawn, out = set(), []
    for i, run in enumerate(d.runs):
        if (run.penalty.l1, run.penalty.l2) not in drawn and run.reg != "none":
            drawn.add((run.penalty.l1, run.penalty.l2))
            out.append(i)
    return out


def shape(d, style):
    return style.looks(d.runs), tuple(objectives(d))


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("loss_title"))
    ax.set_xlabel("w")
    data_line = ax.plot([], [], color=c["muted"], lw=2.2, ls=(0, (4, 2)), label=d.texts("data_only"))[0]
    curves = []  # (run index, its objective, its minimiser's star)
    for i in objectives(d):
        run = d.runs[i]
        name = run.label.split(" · ")[0].split(" + ")[-1]  # the regularizer, not the rule or optimizer
        curves.append((i, ax.plot([], [], color=style.color(run), lw=2.8, label=f"L + {name}")[0],
                       ax.plot([], [], marker="*", ms=17, color=style.color(run), mec=c["bg"], mew=1.2, zorder=4,
                               ls="none")[0]))
    style.legend(ax, loc="best")
    trails, dots = zip(*(style.marker(ax, run) for run in d.runs))

    def show(d):
        data_line.set_data(d.w_grid, d.data_curve)
        for i, curve, star in curves:
            curve.set_data(d.w_grid, d.curves[i])
            star.set_data([d.runs[i].w_star[0]], [d.runs[i].f_star])
        every = np.concatenate([d.data_curve, *d.curves])
        top = max(float(r.objective[0]) for r in d.runs)
        top = max(top, float(np.min(every)) + 1e-3)
        low = float(np.min(every))
        low, top = held(low, top)  # it stays put while λ moves a little
        pad = 0.08 * (top - low)
        ax.set_xlim(float(d.w_grid[0]), float(d.w_grid[-1]))
        ax.set_ylim(low - pad, top + pad)

        def update(k: int) -> None:
            for run, trail, dot in zip(d.runs, trails, dots):
                t = min(k, len(run.w) - 1)
                lo = max(0, t - TRAIL)
                trail.set_data(run.w[lo:t, 0], run.objective[lo:t])
                dot.set_data([run.w[t, 0]], [run.objective[t]])
                dot.set_marker("X" if run.diverged and k >= len(run.w) - 1 else "o")
        return update
    return in_place(shape, show, d, style)

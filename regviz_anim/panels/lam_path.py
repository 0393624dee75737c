"""The regularization path: each run's exact minimiser w*(λ) against λ, drawn up to the current λ
over the faint whole path, with the λ from which L1's weights are exactly 0 marked. With two
weights (w1 solid, w2 dashed) the top axis counts the nonzero weights of the first L1 run, as
glmnet's path plots do."""
import numpy as np

from ..style import WEIGHT_STYLES  # w1 solid, w2 dashed, as in the weight panel

FEATURES = (1, 2)
KINDS = ("lam",)


def draw(ax, d, style):
    c = style.colors
    one = d.features == 1
    lams = d.lams
    lo, hi = float(lams[0]), float(lams[-1])
    if d.lam_scale == "log":
        ax.set_xscale("log")
    ax.set_title(d.texts("path_title" if one else "paths_title"))
    ax.set_xlabel("λ")
    if d.lam_scale == "log":  # room for the markers at both ends
        ax.set_xlim(lo / (hi / lo) ** 0.05, hi * (hi / lo) ** 0.05)
    else:
        ax.set_xlim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=1)
    values = np.concatenate([r.w.ravel() for r in d.runs] + [[0.0]])
    bottom, top = float(values.min()), float(values.max())
    pad = 0.08 * (top - bottom or 1.0)
    ax.set_ylim(bottom - pad, top + 0.3 * (top - bottom or 1.0))  # headroom: the legend and the labels
    knots = []  # (λ, label, colour): where a weight of a run with an L1 part reaches exactly 0
    for run in d.runs:
        for j in range(d.features):
            ls = style.line(run)["linestyle"] if one else WEIGHT_STYLES[j]
            ax.plot(lams, run.w[:, j], color=style.color(run), lw=2.0, ls=ls, alpha=0.25)
            zero = run.zeros[j]
            if zero is not None and lo < zero <= hi and run.penalty.l1 > 0:
                ax.axvline(zero, color=style.color(run), lw=1.4, ls=(0, (2, 2)), zorder=1)
                name = run.label if one else ("" if len(d.runs) == 1 else run.label + " ") + f"w{j + 1}"
                knots.append((zero, d.texts("knot", name=name), style.color(run)))
    handles = [ax.plot([], [], color=style.color(run), lw=2.8, label=run.label)[0] for run in d.runs]
    if not one:
        handles += [ax.plot([], [], color=c["fg"], lw=2.4, ls=WEIGHT_STYLES[j], label=f"w{j + 1}")[0]
                    for j in range(d.features)]
    style.legend(ax, handles=handles, loc="upper right", ncol=1 if one else 2, zorder=5)
    if knots:  # the knots on a top axis, in the runs' colours: never under a moving path
        knots.sort()

        def position(lam: float) -> float:  # where λ sits across the axis, 0 to 1
            return float(np.log(lam / lo) / np.log(hi / lo)) if d.lam_scale == "log" else (lam - lo) / (hi - lo)

        for i in range(1, len(knots)):  # a label close to the one before it goes up a line
            if position(knots[i][0]) - position(knots[i - 1][0]) < 0.25 and not knots[i - 1][1].endswith("\n"):
                knots[i] = (knots[i][0], knots[i][1] + "\n", knots[i][2])
        top_axis = ax.secondary_xaxis("top")
        top_axis.set_xticks([k[0] for k in knots], [k[1] for k in knots])
        top_axis.tick_params(colors=c["fg"], labelsize="small")
        for label, (_, _, colour) in zip(top_axis.get_xticklabels(), knots):
            label.set_color(colour)
            label.set_fontweight(style.bold)
        counted = next((r for r in d.runs if r.penalty.l1 > 0), None)
        if not one and counted is not None:  # as glmnet does: how many weights are nonzero
            counts = [int(np.count_nonzero(counted.w[0]))]
            counts += [int(sum(z is not None and z > k for z in counted.zeros)) for k in
                       sorted(z for z in counted.zeros if z is not None and lo < z <= hi)]
            top_axis.set_xlabel(d.texts("nonzero", label=counted.label, counts=" → ".join(map(str, counts))),
                                color=c["fg"], fontsize="small")
    lines, dots = [], []
    for run in d.runs:
        for j in range(d.features):
            ls = style.line(run)["linestyle"] if one else WEIGHT_STYLES[j]
            lines.append(style.animated(ax.plot([], [], color=style.color(run), lw=3.0, ls=ls)[0]))
            dots.append(style.dot(ax, run, ms=11))
    columns = [(run, j) for run in d.runs for j in range(d.features)]

    def update(k: int) -> None:
        for (run, j), line, dot in zip(columns, lines, dots):
            line.set_data(lams[: k + 1], run.w[: k + 1, j])
            dot.set_data([lams[k]], [run.w[k, j]])
    return update

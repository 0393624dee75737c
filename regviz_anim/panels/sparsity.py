"""Many weights: how many are exactly 0, by step or by λ, per run. L1's count climbs as weights
land on 0; L2's stays at 0."""
from ..style import MANY_WEIGHTS
from .coefficients import clock_axis

FEATURES = MANY_WEIGHTS
KINDS = ("steps", "lam")


def draw(ax, d, style):
    c = style.colors
    x = clock_axis(ax, d, "sparsity_title")
    n = d.features
    counts = [(run, (run.w == 0.0).sum(axis=1)) for run in d.runs]
    most = max(int(count.max()) for _, count in counts)
    ax.set_ylim(-0.08 * n, max(1.1 * n, 1.45 * most + 1))  # headroom above the counts, for the legend
    first, last = float(x[0]), float(x[-1])
    if d.kind == "lam" and d.lam_scale == "log":
        ax.set_xlim(first / (last / first) ** 0.05, last * (last / first) ** 0.05)
    else:
        span = (last - first) or 1.0
        ax.set_xlim(first - 0.05 * span, last + 0.05 * span)
    ax.axhline(n, color=c["muted"], lw=1.0, ls=(0, (2, 2)))
    lines = []
    for run, count in counts:
        lines.append((run, count, style.animated(ax.plot([], [], lw=2.6, drawstyle="steps-post", label=run.label,
                                                         **style.line(run))[0]), style.dot(ax, run, ms=9)))
    style.legend(ax, loc="upper right", ncol=min(len(lines), 3), fontsize="small",  # one row: under the headroom
                 moving=[line for _, _, line, _ in lines])

    def update(k: int) -> None:
        for run, count, line, dot in lines:
            t = min(k, len(run.w) - 1)
            line.set_data(x[: t + 1], count[: t + 1])
            dot.set_data([x[t]], [count[t]])
    return update

"""One weight: the data points and each run's line y = w·x, turning as it trains."""
import numpy as np

from ..style import in_place

FEATURES = (1,)
KINDS = ("steps", "lam")


def shape(d, style):
    return style.looks(d.runs), d.x.tobytes(), d.y.tobytes()


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("fit_title"))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    span = np.array([d.x.min(), d.x.max()])
    ax.scatter(d.x, d.y, s=40, color=c["fg"], zorder=3, label=d.texts("data"))
    lines = [style.animated(ax.plot([], [], lw=3, **style.line(run))[0]) for run in d.runs]

    def show(d):
        reach = max(abs(r.w[0, 0]) for r in d.runs)
        ys = np.concatenate([d.y, span * reach, -span * reach])
        lo, hi = float(ys.min()), float(ys.max())
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(span[0] - 0.05 * np.ptp(span), span[1] + 0.05 * np.ptp(span))

        def update(k: int) -> None:
            for run, line in zip(d.runs, lines):
                line.set_data(span, span * run.w[min(k, len(run.w) - 1), 0])
        return update
    return in_place(shape, show, d, style)

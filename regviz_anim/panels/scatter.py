"""Random problems of two weights: every trial's minimiser per run as a dot on the (w1, w2) plane,
each scaled by its own unpenalised (least-squares) solution's norm so that problems of different
sizes share one picture; the axes drawn bold. L1's dots gather on the axes, L2's do not. The
newest trial's penalty balls through its minimisers, and the loss contour that touches each,
are drawn faintly, over the clouds, which grow frame by frame (Style.growing_items)."""
import numpy as np

from .plane import ball, contours

FEATURES = (2,)
KINDS = ("trials",)
BIG = True


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("scatter_title"))
    ax.set_xlabel("w1 / ‖w_LS‖")
    ax.set_ylabel("w2 / ‖w_LS‖")
    ax.axhline(0.0, color=c["fg"], lw=2.2, zorder=2)
    ax.axvline(0.0, color=c["fg"], lw=2.2, zorder=2)
    theta = np.linspace(0.0, 2 * np.pi, 361)
    ax.plot(np.cos(theta), np.sin(theta), color=c["muted"], lw=1.0, ls=(0, (2, 2)))  # where least squares lies
    ax.set_xlim(-1.4, 1.4)  # room in the corners, outside the circle, for the legend
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal", adjustable="box")
    faint = []  # the newest trial's ball and touching contour, once a penalty
    seen = set()
    for run in d.runs:
        key = (run.penalty.l1, run.penalty.l2)
        if key in seen or key == (0.0, 0.0):
            continue
        seen.add(key)
        faint.append((run, style.animated(ax.plot([], [], color=style.color(run), lw=1.4, alpha=0.45)[0]),
                      style.animated(ax.plot([], [], color=style.color(run), lw=1.0, alpha=0.45,
                                             ls=(0, (3, 2)))[0])))
    # The clouds, as one collection of dots trial by trial, run by run: each trial's dots land on
    # those before, so a frame is the one before with the newest dots drawn on (Style.growing_items)
    runs = len(d.runs)
    per_run = [run.w / d.trial_scale[:, None] for run in d.runs]
    scaled = np.stack(per_run, axis=1).reshape(-1, 2)
    # linewidths, two of them: a collection of one dot (one colour, one width) would be drawn as a
    # marker, at a whole pixel, and a dot must look the same drawn alone as among others
    cloud = ax.scatter(scaled[:, 0], scaled[:, 1], s=4.5 ** 2, alpha=0.55, linewidths=[0.0, 0.0], zorder=3,
                       c=[style.color(run) for run in d.runs] * len(d.trial_scale))
    colors = cloud.get_facecolors().copy()

    def show(lo: int, hi: int) -> None:
        cloud.set_offsets(scaled[lo:hi])
        cloud.set_facecolors(colors[lo:hi])

    style.growing_items(cloud, lambda k: runs * (k + 1), show)
    keys = [ax.plot([], [], ls="none", marker="o", ms=4.5, alpha=0.55, color=style.color(run), mew=0,
                    label=run.label)[0] for run in d.runs]  # the legend's keys: not drawn
    newest = [(at, style.dot(ax, run, ms=11, marker=True, zorder=6)) for run, at in zip(d.runs, per_run)]
    style.legend(ax, loc="upper right", handles=keys, zorder=5)

    def update(k: int) -> None:
        data, scale = d.problems[k], d.trial_scale[k]
        least = np.linalg.lstsq(data.A, data.b, rcond=None)[0]
        for run, edge, contour in faint:
            w = run.w[k]
            level = float(run.penalty(w[None])[0])
            if level > 0.0:
                edge.set_data(*(ball(run.penalty.l1, run.penalty.l2, level) / scale).T)
            else:
                edge.set_data([], [])
            excess = float(data.data_loss(w) - data.data_loss(least))
            curves = contours(data, least, [excess]) if excess > 0.0 else None
            if curves is not None:
                contour.set_data(*(curves[0] / scale).T)
            else:
                contour.set_data([], [])
        for at, dot in newest:
            dot.set_data([at[k, 0]], [at[k, 1]])
    return update

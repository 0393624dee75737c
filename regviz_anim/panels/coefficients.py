"""Many weights: every weight's path, by step or (the λ path) by λ, one line per weight in its
run's colour, as glmnet draws the lasso's coefficients; the top axis counts the first L1 run's
nonzero weights. A weight that lands on exactly 0 gets a ring where it lands, so the eye sees it
arrive; with ten weights or fewer each L1 line is named where its weights differ most: at the
last step, or along the λ path at λ's start (where every weight is largest)."""
import numpy as np

from ..style import MANY_WEIGHTS, held

FEATURES = MANY_WEIGHTS
KINDS = ("steps", "lam")
NAMED = 10  # up to this many weights, the lines are named


def clock(d) -> np.ndarray:
    """The x of every tick: the step, or λ."""
    return d.lams if d.kind == "lam" else np.arange(d.total_steps + 1, dtype=float)


def clock_axis(ax, d, title: str) -> np.ndarray:
    """A panel whose x is the clock (the step, or λ on its scale), titled; the clock's x values."""
    if d.kind == "lam" and d.lam_scale == "log":
        ax.set_xscale("log")
    ax.set_title(d.texts(title))
    ax.set_xlabel("λ" if d.kind == "lam" else d.texts("step_axis"))
    return clock(d)


def landings(run, d) -> list[tuple[int, int]]:
    """(weight, tick) where a weight becomes exactly 0 for good, within the animation."""
    out = []
    for j, zero in enumerate(run.zeros):
        if zero is None:
            continue
        if d.kind == "lam":
            if not 0.0 < zero <= float(d.lams[-1]):
                continue
            tick = int(np.searchsorted(d.lams, zero, side="left"))
        else:
            tick = int(zero)
        if tick > 0:
            out.append((j, min(tick, len(run.w) - 1)))
    return out


def joined(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every column of ``w`` against ``x`` as one polyline, the weights apart by a gap (NaN)."""
    rows, cols = w.shape
    xs = np.empty((cols, rows + 1))
    ys = np.empty((cols, rows + 1))
    xs[:, :rows], ys[:, :rows] = x[:rows], w.T
    xs[:, rows] = ys[:, rows] = np.nan
    return xs.ravel(), ys.ravel()


def counted_run(d):
    return next((r for r in d.runs if r.penalty.l1 > 0), None)


def draw(ax, d, style):
    c = style.colors
    x = clock_axis(ax, d, "coefficients_title")
    ax.axhline(0.0, color=c["fg"], lw=1.3, zorder=1)
    values = np.concatenate([r.w.ravel() for r in d.runs] + [[0.0]])
    lo, hi = held(float(values.min()), float(values.max()))  # it stays put while λ moves a little
    pad = 0.08 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    first, last = float(x[0]), float(x[-1])
    log = d.kind == "lam" and d.lam_scale == "log"

    def beyond(end: float, share: float) -> float:  # a share of the axis past one of its ends
        if log:
            return end * (last / first) ** (share if end == last else -share)
        return end + share * ((last - first) or 1.0) * (1 if end == last else -1)

    room = 0.12 if d.features <= NAMED else 0.04  # for the names
    start = d.kind == "lam"  # names along the path where the weights are largest; else at the end
    ax.set_xlim(beyond(first, room if start else 0.03), beyond(last, 0.04 if start else room))
    many = d.features > 20
    lines, rings = [], []
    for run in d.runs:  # a run's weights as one line broken by gaps: one artist to draw, not one a weight
        ax.plot(*joined(x[: len(run.w)], run.w), color=style.color(run), lw=1.0, alpha=0.15)  # the whole paths, faint
        lines.append((run, style.animated(ax.plot([], [], color=style.color(run), lw=1.4 if many else 2.0,
                                                  alpha=0.85, ls=style.line(run)["linestyle"])[0])))
        ring = style.animated(ax.plot([], [], ls="none", marker="o", ms=7, mfc="none", mec=style.color(run),
                                      mew=1.8, zorder=6)[0])
        rings.append((run, landings(run, d), ring))
    # No legend: the lines fill the panel; the bars and the count beside it name the runs' colours.
    counted = counted_run(d)
    if counted is not None:  # glmnet's top axis: how many weights are nonzero there
        ticks = np.geomspace(first, last, 6) if log else np.linspace(first, last, 6)
        at = [int(np.argmin(np.abs(x[: len(counted.w)] - t))) for t in ticks]
        top = ax.secondary_xaxis("top")
        top.set_xticks(ticks, [str(int(np.count_nonzero(counted.w[i]))) for i in at])
        top.tick_params(colors=c["fg"], labelsize="small")
        top.set_xlabel(d.texts("nonzero_axis", label=counted.label), color=c["fg"], fontsize="small")
    if d.features <= NAMED and counted is not None:
        names = d.data.feature_names
        ends = counted.w[0] if start else counted.w[-1]
        named = [j for j in range(d.features) if ends[j] != 0.0]  # a weight at 0 is named by the bars
        labels = {j: ax.text(beyond(first, 0.01) if start else beyond(last, 0.01), float(ends[j]), names[j],
                             va="center", ha="right" if start else "left", fontsize="x-small",
                             color=style.color(counted), clip_on=True) for j in named}

        def spread(renderer) -> bool:
            """The names a line apart, in the order of their weights, inside the panel."""
            if not labels:
                return False
            order = sorted(labels, key=lambda j: ends[j])
            height = 1.15 * max(labels[j].get_window_extent(renderer).height for j in order)
            box = ax.get_window_extent(renderer)
            wanted = [float(ax.transData.transform((0.0, ends[j]))[1]) for j in order]
            placed = []
            for y in wanted:  # up, as far as the one below needs
                placed.append(max(y, placed[-1] + height) if placed else max(y, box.y0 + height / 2))
            for i in range(len(placed) - 1, -1, -1):  # then down from the top, if that went past it
                ceiling = box.y1 - height / 2 if i == len(placed) - 1 else placed[i + 1] - height
                placed[i] = min(placed[i], ceiling)
            inverse = ax.transData.inverted()
            for j, y in zip(order, placed):
                labels[j].set_y(float(inverse.transform((box.x0, y))[1]))
                labels[j].set_visible(y - height / 2 >= box.y0 - 1)  # no room left at the bottom: unnamed
            return True

        style.after_layout(spread)

    def update(k: int) -> None:
        for run, line in lines:
            t = min(k, len(run.w) - 1)
            line.set_data(*joined(x[: t + 1], run.w[: t + 1]))
        for run, landed, ring in rings:
            t = min(k, len(run.w) - 1)
            here = [(x[tick], 0.0) for _, tick in landed if tick <= t]
            ring.set_data([p[0] for p in here], [p[1] for p in here])
    return update

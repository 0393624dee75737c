"""The pushes on each weight at this step: the data term's (grey) and the penalty's (the run's
colour). L1's push keeps its full size all the way to 0; L2's fades as the weight nears 0.

The bars share one scale that holds every push any frame shows, so their lengths stay in the
ratio of the pushes (on the default render's first frame L2's bar is twice L1's). Only when a
few pushes dwarf the rest (a diverging run) is the scale set by the others; a bar longer than
the panel then stops at its edge with an arrow and its value."""
import numpy as np

from ..style import held, in_place

FEATURES = (1, 2)
KINDS = ("steps",)
OUTLIER = 4.0  # a push over 4x the 90th percentile of all pushes shown does not set the scale


def reach_of(pushes: np.ndarray) -> float:
    """The half-width of the scale: the largest push, unless a few dwarf the rest."""
    size = np.abs(pushes)
    biggest = float(size.max(initial=0.0))
    usual = float(np.quantile(size, 0.9)) if size.size else 0.0
    if usual > 0.0 and biggest > OUTLIER * usual:
        return float(np.quantile(size, 0.98))
    return biggest or 1.0


def pairs_of(d) -> list:
    return [(run, j) for run in d.runs for j in range(d.features)]


def places_of(d) -> list:
    """Each bar: its run, weight, row and pushes, and whether they are the data term's (drawn
    above the penalty's)."""
    pairs = pairs_of(d)
    rows = np.arange(2 * len(pairs))[::-1]
    return [(run, j, row, values, data) for i, (run, j) in enumerate(pairs)
            for row, values, data in ((rows[2 * i], run.data_push, True), (rows[2 * i + 1], run.penalty_push, False))]


def edge_of(d) -> float:
    """Where the scale ends: past every push any frame shows, unless a few dwarf the rest."""
    shown = d.frame_steps
    pushes = np.concatenate([np.concatenate([r.data_push[np.minimum(shown, len(r.w) - 1)].ravel(),
                                             r.penalty_push[np.minimum(shown, len(r.w) - 1)].ravel()])
                             for r in d.runs])
    return 1.1 * held(0.0, reach_of(pushes))[1]  # it stays put while λ moves a little


def shape(d, style):
    return style.looks(d.runs), d.features


def draw(ax, d, style):
    c = style.colors
    one = d.features == 1
    ax.set_title(d.texts("push_title" if one else "pushes_title"))
    pairs = pairs_of(d)
    rows = np.arange(2 * len(pairs))[::-1]
    short = [run.label.split(" · ")[0] for run in d.runs]  # the regularizer, unless that names two runs
    short = short if len(set(short)) == len(short) else [run.label for run in d.runs]
    names = [run.label if one else f"{short[d.runs.index(run)]} w{j + 1}" for run, j in pairs]
    ax.set_yticks(rows[0::2] - 0.5, names)
    ax.tick_params(axis="y", length=0)
    if len(pairs) > 4:  # many rows share the height: smaller names, so they do not overlap
        ax.tick_params(axis="y", labelsize=max(6.0, 13.0 * 4 / len(pairs)))
    ax.axvline(0.0, color=c["fg"], lw=1.3)
    ax.set_ylim(-0.7, rows[0] + 0.7)
    ax.grid(False, axis="y")
    for row in rows[1:-1:2]:
        ax.axhline(row - 0.5, color=c["grid"], lw=1.0)
    ax.set_xlabel(d.texts("push_axis"))
    places = places_of(d)
    colors = [c["muted"] if data else style.color(run) for run, _, _, _, data in places]
    made = ax.barh([p[2] for p in places], 0.0, height=0.7, color=colors)  # one call for all
    bars = []
    for (_, _, row, _, _), color, bar in zip(places, colors, made):
        # A bar's mark, shown while the edge cuts it: its value, at the edge it would cross, on
        # the panel's background. Every bar has one, so that another λ, which cuts other bars,
        # shows on the same artists.
        mark = ax.text(0.0, row, "", va="center", fontsize=12, color=c["fg"], clip_on=True,
                       bbox={"boxstyle": "round,pad=0.25", "fc": c["bg"], "ec": color, "lw": 1.5})
        bars.append((style.animated(bar), style.animated(mark)))

    def show(d):
        edge = edge_of(d)
        ax.set_xlim(-edge, edge)
        shown = [(run, j, values, bar, mark) for (run, j, _, values, _), (bar, mark) in zip(places_of(d), bars)]

        def update(k: int) -> None:
            for run, j, values, bar, mark in shown:
                value = float(values[min(k, len(run.w) - 1), j])
                bar.set_width(float(np.clip(value, -edge, edge)))
                if abs(value) > edge:
                    number = d.texts.num(value, ".3g").replace("-", "−")
                    mark.set(text=f"{number} ▶" if value > 0 else f"◀ {number}", x=np.sign(value) * 0.96 * edge,
                             ha="right" if value > 0 else "left")
                else:
                    mark.set_text("")
        return update
    return in_place(shape, show, d, style)

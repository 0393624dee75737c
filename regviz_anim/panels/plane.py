"""Two weights: the textbook picture. Contours of the data loss over (w1, w2); for each penalty the
ball through its solution (L1's diamond, L2's circle, the elastic net's rounded diamond), which
the loss contour through that solution touches; each run's path with a moving marker; the
minimisers starred; the axes w1 = 0 and w2 = 0 drawn bold, since that is where L1 lands.

When λ is the clock (mode "lam"), the runs are the exact solutions as λ grows: the balls and the
touching contours move with them, and L1's solution slides onto an axis."""
import numpy as np

from ..style import held, in_place

FEATURES = (2,)
KINDS = ("steps", "lam")
BIG = True
TRAIL = 8
GRID = 241


def ball(l1: float, l2: float, level: float, points: int = 721) -> np.ndarray:
    """The boundary ``{w : l1·‖w‖₁ + l2·‖w‖² = level}``, exact at the four corners: L1's diamond as
    its corners alone (five, the first again at the end); with ``l2 > 0``, (points, 2)."""
    if l2 == 0.0:
        return level / l1 * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    theta = np.linspace(0.0, 2.0 * np.pi, points)  # 721 points: every quarter turn is a sample
    u = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    n1 = np.abs(u).sum(axis=1)
    t = (-l1 * n1 + np.sqrt((l1 * n1) ** 2 + 4.0 * l2 * level)) / (2.0 * l2)  # l2·t² + l1·n1·t = level, t > 0
    return u * t[:, None]


_EIGH: dict = {}  # eigh(A), by A (see _eigh)


def _eigh(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.linalg.eigh(A)``, kept for the last few ``A`` (a scene asks for the same one a dozen
    times: each contour, each touching ellipse)."""
    key = A.shape, A.tobytes()
    found = _EIGH.get(key)
    if found is None:
        if len(_EIGH) >= 8:
            _EIGH.clear()
        found = _EIGH[key] = np.linalg.eigh(A)
    return found


def singular(data) -> bool:
    """Whether ``data``'s ``A`` is singular to rounding: its loss's contours are parallel lines."""
    values = _eigh(data.A)[0]
    return bool(values.min() <= 16 * np.finfo(float).eps * values.max())


def through_minimisers(d) -> list[np.ndarray]:
    """The data-loss contour through each run's minimiser (steps; none with λ the clock)."""
    return [touching(d, r.w_star) for r in d.runs] if d.kind == "steps" else []


def touching(d, w: np.ndarray) -> np.ndarray:
    """The data-loss contour through ``w``: the ellipse ``(v - w_ls)ᵀA(v - w_ls) = L(w) - L(w_ls)``;
    none through the minimum, or where ``A`` is singular (two parallel lines)."""
    excess = float(d.data.data_loss(w) - d.data.data_loss(d.least_squares))
    curves = contours(d.data, d.least_squares, [excess]) if excess > 0.0 else None
    return np.empty((0, 2)) if curves is None else curves[0]


def contours(data, least: np.ndarray, excesses, half_view: float | None = None) -> list[np.ndarray] | None:
    """``data``'s loss contours ``excesses`` (> 0) above its minimum at ``least``: the ellipses
    ``(v - least)ᵀA(v - least) = excess``, exact (a grid's contours cost 6 ms and are polygons),
    closed, each with 361 points or, in a view ``2·half_view`` wide, enough that the arc in it has
    about a hundred. None where ``A`` is singular to rounding: then the contours are parallel lines."""
    if singular(data):
        return None
    values, vectors = _eigh(data.A)
    out = []
    for excess in excesses:
        axes = np.sqrt(excess / values)
        points = 361 if half_view is None else int(min(20_001, max(361, np.ceil(361 * axes.max() / half_view))))
        theta = np.linspace(0.0, 2.0 * np.pi, points)
        curve = least + (np.stack([np.cos(theta), np.sin(theta)], axis=1) * axes) @ vectors.T
        curve[-1] = curve[0]  # sin 2π is not 0 in floating point
        out.append(curve)
    return out


def balls(d) -> dict:
    """Each penalty's ball through its solution, once per regularizer: {reg: (run, boundary)}. When
    λ moves, the largest of its balls (the view must hold them all)."""
    out = {}
    for run in d.runs:
        if run.reg in out or any((r.penalty.l1, r.penalty.l2) == (run.penalty.l1, run.penalty.l2)
                                 for r, _ in out.values()):
            continue  # one ball a penalty: weight decay's is L2's
        levels = run.penalty(run.w if d.kind == "lam" else run.w_star[None])
        level = float(levels.max())
        if level > 0.0:
            out[run.reg] = (run, ball(run.penalty.l1, run.penalty.l2, level))
    return out


def fill(ax, edge: np.ndarray, **props):
    """``ax.fill`` of the polygon ``edge``, its data limits taken from its corners: ``add_patch``
    works them out side by side as Bézier curves, about 10 ms for a ball of 721 points. So the
    fill is made with one corner, the rest given to it after."""
    patch = ax.fill(edge[:1, 0], edge[:1, 1], **props)[0]
    patch.set_xy(edge)
    ax.update_datalim(edge)
    return patch


def limits(d, edges, touched) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square view holding 0, the starts, every minimiser, the unpenalised one, the balls whole
    (``edges``), and the paths and the contours through the minimisers (``touched``, within
    reason), with room at the edges for the markers."""
    points = [np.zeros((1, 2)), d.least_squares[None], *(r.w_star[None] for r in d.runs),
              *(r.w[:1] for r in d.runs), *edges]
    points = np.concatenate(points)
    core = float(np.abs(points).max()) or 1.0
    paths = np.concatenate([np.clip(r.w, -1.5 * core, 1.5 * core) for r in d.runs]
                           + [np.clip(c, -1.25 * core, 1.25 * core) for c in touched] + [points])
    lo, hi = paths.min(axis=0), paths.max(axis=0)
    width = float((hi - lo).max())  # held (it stays put while λ moves a little), and square
    (x0, x1), (y0, y1) = (lo[0], hi[0]), (lo[1], hi[1])
    while np.isfinite(width):
        (x0, x1), (y0, y1) = held(lo[0], hi[0], width, centred=True), held(lo[1], hi[1], width, centred=True)
        if np.isclose(x1 - x0, y1 - y0, rtol=1e-9):
            break
        width = max(x1 - x0, y1 - y0)
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    half = 0.5 * float((hi - lo).max()) * 1.16 or 1.0
    lo = (lo + hi) / 2 - half
    lo -= 0.45 * half  # room in the lower-left corner for the legend, clear of the balls
    return (lo[0], lo[0] + 2.45 * half), (lo[1], lo[1] + 2.45 * half)


def view(d, drawn: dict, touched: list) -> tuple:
    """The view's limits (x0, x1), (y0, y1) and the data loss's contour levels in it, for the balls
    ``drawn`` (:func:`balls`) and the contours ``touched`` (:func:`through_minimisers`)."""
    (x0, x1), (y0, y1) = limits(d, [edge for _, edge in drawn.values()], touched)
    corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]])  # a convex loss is highest at one of them
    low = float(d.data.data_loss(d.least_squares))
    span = float(d.data.data_loss_surface(corners).max()) - low
    return (x0, x1), (y0, y1), low + span * np.linspace(0.0, 1.0, 14)[1:] ** 2  # denser near the minimum


def starts(d) -> list:
    """Where the runs start, each place once (steps)."""
    return list({tuple(r.w[0]) for r in d.runs}) if d.kind == "steps" else []


def starred(d) -> list[int]:
    """The runs whose minimiser is starred: one a regularizer (steps)."""
    regs = {}
    for i, run in enumerate(d.runs):
        regs.setdefault(run.reg, i)
    return list(regs.values()) if d.kind == "steps" else []


def shape(d, style):
    return (style.looks(d.runs), d.kind, tuple((reg, d.runs.index(run)) for reg, (run, _) in balls(d).items()),
            object() if singular(d.data) else None,  # a contour set (A singular) is not moved: drawn afresh
            tuple(starred(d)), len(starts(d)))


def draw(ax, d, style):
    c = style.colors
    ax.set_title(d.texts("plane_title"))
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    shaped = shape(d, style)
    grid = shaped[3] is not None  # its token for a contour set
    # The loss's contours: one line, the ellipses apart by a NaN each; with A singular, parallel
    # lines traced on a grid (a contour set, made here and never moved: see shape)
    contour_line = None
    if grid:
        (x0, x1), (y0, y1), levels = view(d, balls(d), through_minimisers(d))
        w1, w2 = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
        ax.contour(w1, w2, d.data.data_loss_surface(np.stack([w1, w2], axis=-1)), levels=levels, colors=c["muted"],
                   linewidths=1.0, alpha=0.75, zorder=1)
    else:
        contour_line = ax.plot([], [], color=c["muted"], lw=1.0, alpha=0.75, zorder=1)[0]
    ax.axhline(0.0, color=c["fg"], lw=2.2, zorder=2)
    ax.axvline(0.0, color=c["fg"], lw=2.2, zorder=2)
    least = ax.plot([], [], marker="P", ms=13, color=c["fg"], mec=c["bg"], ls="none", zorder=4,
                    label=d.texts("least_squares"))[0]
    shown = []  # each ball: (shade, edge, contour), moved to each λ's solution in mode "lam"
    for reg, (run, _) in balls(d).items():
        colour = style.color(run)
        name = d.texts.get(f"ball_{reg}", f"{run.label} ball")
        ax.plot([], [], color=colour, lw=2.8, label=name)  # the legend's entry
        moves = style.animated if d.kind == "lam" else (lambda artist: artist)
        shown.append((moves(fill(ax, np.zeros((1, 2)), color=colour, alpha=0.07, lw=0, zorder=1)),
                      moves(ax.plot([], [], color=colour, lw=2.8, zorder=3)[0]),
                      moves(ax.plot([], [], color=colour, lw=1.6, ls=(0, (4, 2)), zorder=3)[0])))
    stars = [(i, ax.plot([], [], marker="*", ms=22, color=style.color(d.runs[i]), mec=c["bg"], mew=1.5, ls="none",
                         zorder=6)[0]) for i in starred(d)]
    faint = [ax.plot([], [], color=style.color(run), lw=2.0, alpha=0.25, zorder=2)[0]  # mode "lam": the whole path
             for run in (d.runs if d.kind == "lam" else ())]
    rings = [ax.plot([], [], marker="o", ms=11, mfc="none", mec=c["fg"], mew=2, ls="none", zorder=4)[0]
             for _ in starts(d)]
    ax.set_aspect("equal", adjustable="box")
    style.legend(ax, loc="lower left")  # the view is square about the balls: that corner is free
    paths, trails, dots = [], [], []
    for run in d.runs:
        paths.append(style.animated(ax.plot([], [], lw=1.8, alpha=0.8, **style.line(run))[0]))
        trail, dot = style.marker(ax, run, trail_alpha=0.5, zorder=7)
        trails.append(trail)
        dots.append(dot)

    def show(d):
        drawn, touched = balls(d), through_minimisers(d)
        (x0, x1), (y0, y1), levels = view(d, drawn, touched)
        if contour_line is not None:
            low = float(d.data.data_loss(d.least_squares))
            curves = contours(d.data, d.least_squares, levels - low, 0.5 * (x1 - x0))
            joined = np.concatenate([np.vstack([curve, [[np.nan, np.nan]]]) for curve in curves])
            contour_line.set_data(joined[:, 0], joined[:, 1])
        least.set_data([d.least_squares[0]], [d.least_squares[1]])
        balls_at = []
        for (run, edge), (shade, line, contour) in zip(drawn.values(), shown):
            if d.kind == "lam":
                balls_at.append((run, shade, line, contour))
                continue
            shade.set_xy(edge)
            line.set_data(edge[:, 0], edge[:, 1])
            contour.set_data(*touched[d.runs.index(run)].T)
        for i, star in stars:
            star.set_data([d.runs[i].w_star[0]], [d.runs[i].w_star[1]])
        for run, line in zip(d.runs, faint):
            line.set_data(run.w[:, 0], run.w[:, 1])
        for start, ring in zip(starts(d), rings):
            ring.set_data([start[0]], [start[1]])
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)

        def update(k: int) -> None:
            for run, shade, line, contour in balls_at:
                level = float(run.penalty(run.w[k]))
                edge = ball(run.penalty.l1, run.penalty.l2, level) if level > 0.0 else np.zeros((1, 2))
                shade.set_xy(edge)
                line.set_data(edge[:, 0], edge[:, 1])
                contour.set_data(*touching(d, run.w[k]).T)
            for run, path, trail, dot in zip(d.runs, paths, trails, dots):
                t = min(k, len(run.w) - 1)
                path.set_data(run.w[: t + 1, 0], run.w[: t + 1, 1])
                lo = max(0, t - TRAIL)
                trail.set_data(run.w[lo:t, 0], run.w[lo:t, 1])
                dot.set_data([run.w[t, 0]], [run.w[t, 1]])
                dot.set_marker("X" if run.diverged and k >= len(run.w) - 1 else "o")
        return update
    return in_place(shape, show, d, style, shaped)

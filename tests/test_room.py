"""What the room sees: the pushes in proportion, every preset's claims true, captions that do not
give the ending away, layouts that hold at every size, slides that say things once."""
from __future__ import annotations

import itertools
import json
import re
import shlex
from dataclasses import replace

import matplotlib
import numpy as np
import pytest

import regviz_anim as ra
from regviz_anim.numerics import simulate
from regviz_anim.options import Scenario, scenario_from
from regviz_anim.presets import PRESETS, preset_options
from regviz_anim.scene import Scene
from regviz_anim.scenedata import scene_data

from helpers import SMALL

SIZES = [(640, 360), (1280, 720), (720, 720), (1080, 1080)]


def sim_of(name: str):
    opts = {k: v for k, v in preset_options(name).items() if k in Scenario.__dataclass_fields__}
    return simulate(scenario_from(opts, only=True))


# --- the pushes --------------------------------------------------------------------------------

def bars(scene):
    ax = scene.axes["gradient"]
    return ax, [patch.get_width() for patch in ax.patches]


def test_the_pushes_are_drawn_in_proportion_on_the_first_frame():
    scene = Scene(scene_data(simulate(scenario_from({})), 60), size=(1280, 720), counter_cells=False)
    scene.draw(0)
    ax, (l1_data, l1_push, l2_data, l2_push) = bars(scene)
    assert l1_push == pytest.approx(-0.5) and l2_push == pytest.approx(-1.0)  # λ and 2λw at w = 1
    assert l2_push / l1_push == pytest.approx(2.0)
    shown = np.concatenate([np.abs(r.penalty_push).ravel() for r in scene.data.runs]
                           + [np.abs(r.data_push).ravel() for r in scene.data.runs])
    assert ax.get_xlim()[1] >= shown.max()  # the scale holds every push, so nothing is cut


def test_a_push_that_dwarfs_the_rest_is_cut_with_its_value_at_the_edge():
    data = scene_data(simulate(scenario_from({})), 60)
    run = data.runs[1]
    pushes = run.penalty_push.copy()
    pushes[0] = -40.0  # one push 40x the others
    data = replace(data, runs=(data.runs[0], replace(run, penalty_push=pushes)))
    scene = Scene(data, size=(640, 360), counter_cells=False)
    scene.draw(0)
    ax, widths = bars(scene)
    edge = ax.get_xlim()[0]
    assert widths[3] == pytest.approx(edge) and edge > -40.0  # stopped at the edge ...
    assert [t.get_text() for t in ax.texts if t.get_text()] == ["◀ −40"]  # ... and marked with its value
    scene.draw(scene.frame_count - 1)
    assert not any(t.get_text() for t in ax.texts)  # a push that fits carries no mark


# --- every preset's claims ---------------------------------------------------------------------

def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text)]


def test_every_preset_claims_only_what_its_simulation_shows():
    checked = set()

    def runs(name):
        checked.add(name)
        return {r.label: r for r in sim_of(name).runs}, PRESETS[name].summary

    r, said = runs("seed")
    assert f"step {r['L1'].zero_step}" in said and f"{r['L2'].w_star[0]:.4f}" in said
    assert r["L2"].w[-1, 0] == pytest.approx(r["L2"].w_star[0], abs=1e-4) and r["L2"].zero_step is None

    r, said = runs("chatter")
    sub, prox = r["L1 · subgradient"], r["L1 · proximal"]
    assert sub.band is not None and sub.band[0] < 0 < sub.band[1] and sub.zero_step is None
    assert np.all((sub.w[60:, 0] >= sub.band[0]) & (sub.w[60:, 0] <= sub.band[1]))
    assert prox.zero_step is not None and prox.w[-1, 0] == 0.0

    r, said = runs("below-threshold")
    sim = sim_of("below-threshold")
    threshold = 2 * abs(float(sim.data.b[0]))
    assert f"{threshold:.3f}" in said and sim.scenario.lam == 0.2 < threshold
    assert r["L1"].zero_step is None and r["L1"].w_star[0] > 0

    r, said = runs("diminishing-step")
    w = r["L1 · subgradient"].w[:, 0]
    assert np.ptp(w[-50:]) < 0.25 * np.ptp(w[50:100]) and abs(w[-1]) < abs(w[50:100]).max()
    assert r["L1 · proximal"].zero_step is not None

    r, said = runs("divergence")
    sim = sim_of("divergence")
    bound = 1 / (float(sim.data.A[0, 0]) + sim.scenario.lam)
    assert f"{bound:.3f}" in said and sim.scenario.lr > bound and r["L2"].diverged

    r, said = runs("elasticnet")
    net = r["Elastic net"]
    assert net.zero_step is None and f"{net.w_star[0]:.4f}" in said and f"{r['L2'].w_star[0]:.4f}" in said
    assert f"λα = {net.penalty.l1:g}" in said and net.penalty.l1 < 0.335 and r["L1"].zero_step is not None

    for name in ("diamond", "correlated"):
        r, said = runs(name)
        assert r["L1"].zero_step[1] is not None and r["L1"].w_star[1] == 0.0 and r["L1"].w_star[0] != 0.0
        assert r["L2"].zero_step == [None, None] and np.all(r["L2"].w_star != 0.0)
    sim = sim_of("correlated")
    assert "ρ = 0.9" in said and sim.scenario.corr == 0.9
    assert f"({sim.scenario.w_true[0]}, {sim.scenario.w_true[1]})" in said  # the truth, as it is
    assert "only x1" not in said

    r, said = runs("diamond-small-lambda")
    assert all(z is None for run in r.values() for z in run.zero_step)
    assert "0.15" in said and np.all(r["L1"].w_star != 0.0)

    r, said = runs("lambda-path")
    sim = sim_of("lambda-path")
    assert f"{2 * abs(float(sim.data.b[0])):.3f}" in said and r["L1"].zeros[0] == pytest.approx(0.335, abs=5e-4)
    assert r["L2"].zeros == (None,)

    r, said = runs("lasso-path")
    knots = sorted(r["L1"].zeros)
    assert [round(k, 1) for k in knots] == numbers(said.split("w2 at ")[1])[:2] == [0.3, 2.5]
    assert r["L2"].zeros == (None, None)

    r, said = runs("tibshirani")
    sim = sim_of("tibshirani")
    assert f"{sim.scenario.w_true}".replace(".0", "").replace(" ", "") in said.replace(" ", "")
    kept = [sim.data.feature_names[j] for j in np.flatnonzero(r["L1"].w_star)]
    assert "keeps x1, x2 and x5" in said and kept == ["x1", "x2", "x5"] and "other five exactly to 0" in said
    assert np.count_nonzero(r["L2"].w_star) == 8 and "ρ = 0.5" in said and sim.scenario.corr == 0.5

    r, said = runs("diabetes-path")
    sim = sim_of("diabetes-path")
    assert sim.data.X.shape == (442, 10) and "442 patients, 10 features" in said
    order = sorted(range(10), key=lambda j: r["L1"].zeros[j])
    assert [sim.data.names[j] for j in order[-2:]] == ["s5", "bmi"]
    assert f"λ = {r['L1'].zeros[order[-2]]:.1f} and {r['L1'].zeros[order[-1]]:.1f}" in said
    assert all(z is None for z in r["L2"].zeros)

    r, said = runs("many-sparse")
    sim = sim_of("many-sparse")
    kept = [sim.data.feature_names[j] for j in np.flatnonzero(r["L1"].w_star)]
    assert f"({', '.join(kept)})" in said and len(kept) == 5 and sim.data.features == 50
    assert f"other {50 - len(kept)} exactly to 0" in said and np.count_nonzero(r["L2"].w_star) == 50

    r, said = runs("sgd-l1")
    sim = sim_of("sgd-l1")
    assert sim.scenario.batch_size == 1 and "one point a step (λ = 1)" in said and sim.scenario.lam == 1.0
    assert r["L1 · subgradient"].zero_step is None and np.any(r["L1 · subgradient"].w[-50:] != 0.0)
    assert all(r[f"L1 · {u}"].zero_step is not None for u in ("cumulative", "proximal"))

    r, said = runs("adam-vs-adamw")
    assert np.array_equal(r["GD + L2"].w, r["GD + decay"].w)  # "the same with gradient descent"
    assert f"{r['AdamW'].w[-1, 0]:.4f}" in said and f"{r['Adam + L2'].w[-1, 0]:.4f}" in said
    assert f"{r['Adam + L2'].w_star[0]:.4f}" == f"{r['Adam + L2'].w[-1, 0]:.4f}"  # Adam + L2 lands on it

    r, said = runs("momentum")
    assert f"{r['Momentum + L2'].w.min():.2f}" in said.replace("-", "-") and "β = 0.9" in said
    assert f"{r['GD + L2'].w_star[0]:.4f}" in said and r["GD + L2"].w.min() >= r["GD + L2"].w_star[0]

    for name, share in (("how-often", "66%"), ("how-often-many", "91%")):
        r, said = runs(name)
        sim = sim_of(name)
        assert f"{100 * sim.zero_share(r['L1']):.0f}%" == share and share in said
        assert sim.zero_share(r["L2"]) == 0.0 and "none of L2's" in said
    assert f"{100 * sim.zero_weight_share(r['L1']):.0f}%" == "28%" and "28% of all its weights" in said

    assert checked == set(PRESETS), "every preset's summary is checked"


# --- the caption -------------------------------------------------------------------------------

def test_the_caption_reveals_an_outcome_only_once_it_has_happened():
    data = scene_data(simulate(scenario_from({})), 200)
    zero = next(r for r in data.runs if r.label == "L1").zero_step
    for i, step in enumerate(data.frame_steps):
        text = data.caption_at(i)
        assert ("exactly 0 since step 24" in text) == (step >= zero), (step, text)
        assert ("settles at 0.2006" in text) == (step >= 150 or "settles" in text)  # never before it has
    assert data.caption_at(0) == "L1: w = 1  ·  L2: w = 1"
    assert data.caption_at(len(data.frame_steps) - 1) == data.caption  # the last frame: as `always` says it
    always = scene_data(simulate(scenario_from({})), 20, caption="always")
    assert {always.caption_at(i) for i in range(20)} == {data.caption}
    off = scene_data(simulate(scenario_from({})), 20, caption="off")
    assert off.caption_at(0) == "" and Scene(off, size=(320, 180)).caption is None


def test_a_two_weight_caption_puts_a_weight_at_zero_first_and_says_where_the_others_are():
    data = scene_data(sim_of("diamond"), 151, caption="reveal")  # a frame a step
    l1 = next(r for r in data.runs if r.label == "L1")
    zero = l1.zeros[1]  # w2 lands on 0; w1 heads for 0.95

    def said(i: int) -> str:
        return data.caption_at(i).split("  ·  ")[0]
    settled = next(i for i in range(zero, 150) if said(i).startswith("L1: w2 exactly 0 since step 16, w1 → "))
    assert zero == 16 and said(zero - 1) == f"L1: w1 = {l1.w[15, 0]:.3g}, w2 = {l1.w[15, 1]:.3g}"
    for i in range(zero, settled):
        assert said(i) == f"L1: w2 exactly 0 since step 16, w1 = {l1.w[i, 0]:.3g}", i
    assert said(settled) == f"L1: w2 exactly 0 since step 16, w1 → {l1.w_star[0]:.3g}" == said(149)
    l2 = next(r for r in data.runs if r.label == "L2")
    assert data.caption_at(149).split("  ·  ")[1] == f"L2: w1 → {l2.w_star[0]:.3g}, w2 → {l2.w_star[1]:.3g}"
    assert data.caption_at(150) == data.caption  # the last frame: as `always` says it


def test_the_lambda_path_caption_reveals_each_knot_as_lambda_passes_it():
    data = scene_data(sim_of("lasso-path"), 100)
    for i, k in enumerate(data.frame_steps):
        lam = data.lams[k]
        assert ("w2 exactly 0 from λ = 0.3" in data.caption_at(i)) == (lam >= 0.3 - 1e-9)
        assert ("w1 exactly 0 from λ = 2.5" in data.caption_at(i)) == (lam >= 2.5 - 1e-9)


def test_caption_option_reaches_the_sidecar_and_bad_values_are_exit_2(tmp_path, cli):
    out = tmp_path / "a.gif"
    assert cli("render", "-o", str(out), "--frames", "4", "--caption", "off", *SMALL)[0] == 0
    record = json.loads((tmp_path / "a.gif.json").read_text())
    assert record["render"]["caption"] == "off" and record["caption"].startswith("L1: exactly 0")
    before = out.read_bytes()
    status, _, err = cli("render", "-o", str(out), "--caption", "sometimes", *SMALL)
    assert status == 2 and "--caption sometimes: must be one of reveal, always, off" in err and err.count("\n") == 1
    assert out.read_bytes() == before


def test_the_revealing_caption_is_drawn_each_frame_and_stays_in_its_strip():
    scene = Scene(scene_data(simulate(scenario_from({})), 30), size=(640, 360))
    first, last = scene.frame(0), scene.frame(29)
    assert scene.changing is not None  # still blitted, the caption's strip one of the regions
    strip = scene.caption.get_window_extent(scene.canvas.get_renderer())
    assert (first[360 - int(strip.y1):] != last[360 - int(strip.y1):]).any()  # the caption changed


# --- layout at every size ----------------------------------------------------------------------

def text_boxes(scene, renderer):
    out = []
    for text in (scene.title, scene.caption, scene.step_text):
        if text is not None and text.get_text():
            out.append(("figure", text.get_text()[:30], text.get_window_extent(renderer), None))
    for name, ax in scene.axes.items():
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            if text.get_text():
                out.append((name, text.get_text()[:30], text.get_window_extent(renderer), None))
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():  # the ticks within the view: those drawn
                if tick.get_visible() and tick.label1.get_visible() and tick.label1.get_text():
                    out.append((name, "tick " + tick.label1.get_text(), tick.label1.get_window_extent(renderer), None))
        for text in ax.texts:
            if text.get_visible() and text.get_text():
                out.append((name, text.get_text()[:30], text.get_window_extent(renderer), ax.bbox))
        if ax.get_legend() is not None:
            out.append((name, "legend", ax.get_legend().get_window_extent(renderer), ax.bbox))
    return out


def inside(box, room, slack=1.0) -> bool:
    return (box.x0 >= room.x0 - slack and box.y0 >= room.y0 - slack and box.x1 <= room.x1 + slack
            and box.y1 <= room.y1 + slack)


def overlap(a, b, pad=0.5) -> bool:
    return a.x0 + pad < b.x1 and b.x0 + pad < a.x1 and a.y0 + pad < b.y1 and b.y0 + pad < a.y1


def layout_problems(scene, diverging: bool) -> list[str]:
    """Every text inside the figure (and its panel, for what a panel holds), no two texts or
    legends overlapping, no marker cut by its panel's edge or under a legend or a text, and no
    run's path under a legend (in the plane and the scatter the balls and contours sweep everything: not checked)."""
    with matplotlib.rc_context(scene._rc):  # the ticks as drawn: their number follows the type size
        return _layout_problems(scene, diverging)


def _layout_problems(scene, diverging: bool) -> list[str]:
    problems = []
    renderer = scene.canvas.get_renderer()
    t = np.linspace(0.0, 1.0, 12)[:, None]
    for i in sorted({0, scene.frame_count // 3, scene.frame_count - 1}):
        scene.draw(i)
        boxes = text_boxes(scene, renderer)
        for owner, what, box, room in boxes:
            if not inside(box, scene.figure.bbox):
                problems.append(f"{owner}: {what!r} leaves the figure")
            if room is not None and not inside(box, room):
                problems.append(f"{owner}: {what!r} leaves its panel")
        for (o1, w1, b1, _), (o2, w2, b2, _) in itertools.combinations(boxes, 2):
            if overlap(b1, b2):
                problems.append(f"{o1}: {w1!r} overlaps {o2}: {w2!r} at frame {i}")
        for line in (a for a in scene.moving if hasattr(a, "get_xydata") and a.axes is not None):
            ax, xy = line.axes, np.asarray(line.get_xydata(), float)
            if not len(xy):
                continue
            points = ax.transData.transform(xy)
            if line.get_marker() not in (None, "None", "") and line.get_markersize() >= 8:
                radius = line.get_markersize() * scene.figure.dpi / 144
                for x, y in points:
                    if not (ax.bbox.x0 <= x <= ax.bbox.x1 and ax.bbox.y0 <= y <= ax.bbox.y1):
                        continue  # not drawn: its path has left the panel, which shows it
                    if not (ax.bbox.x0 <= x - radius and x + radius <= ax.bbox.x1 + 1
                            and ax.bbox.y0 - 1 <= y - radius and y + radius <= ax.bbox.y1 + 1):
                        problems.append(f"a marker in {ax.get_title()!r} is cut by the panel's edge at frame {i}")
                    for owner, what, box, _ in boxes:
                        if box.x0 < x + radius and x - radius < box.x1 and box.y0 < y + radius and y - radius < box.y1:
                            problems.append(f"a marker in {ax.get_title()!r} covers {owner}: {what!r} at frame {i}")
            legend = ax.get_legend()
            marked = line.get_marker() not in (None, "None", "")
            if legend is None or marked or diverging or ax in (scene.axes.get("plane"), scene.axes.get("scatter")):
                continue
            if len(points) > 1:
                points = (points[:-1, None] + t[None] * (points[1:, None] - points[:-1, None])).reshape(-1, 2)
            box = legend.get_window_extent(renderer)
            if ((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
                    & (points[:, 1] < box.y1)).any():
                problems.append(f"the legend of {ax.get_title()!r} covers a path at frame {i}")
    return sorted(set(problems))


CASES = [(name, size, "light", "en") for name in PRESETS for size in SIZES]
CASES += [(name, (1080, 1080), "dark", "en") for name in ("diamond", "lasso-path", "seed")]
CASES += [(name, size, "light", "zh") for name in ("seed", "diamond", "chatter") for size in [(1280, 720), (720, 720)]]
CASES += [("diabetes-path", size, "light", "zh") for size in [(720, 720), (1080, 1080)]]  # a long unbroken phrase


@pytest.mark.slow
@pytest.mark.parametrize("name, size, theme, lang", CASES)
def test_every_preset_lays_out_at_every_size(name, size, theme, lang, request):
    if lang == "zh":
        request.getfixturevalue("zh_font")
    sim = sim_of(name)
    scene = Scene(scene_data(sim, 30, "motion", lang), size=size, theme=theme, counter_cells=False)
    assert layout_problems(scene, diverging=any(r.diverged for r in sim.runs)) == []


@pytest.mark.parametrize("name", ["seed", "diamond", "tibshirani", "how-often"])
def test_a_legend_is_tried_at_each_place_where_matplotlib_would_put_it(name):
    from matplotlib.transforms import Bbox

    from regviz_anim.scene import LEGEND_PLACES, legend_box, legend_size

    scene = Scene(scene_data(sim_of(name), 10), size=(720, 720), counter_cells=False)
    renderer = scene.canvas.get_renderer()
    legends = [ax.get_legend() for ax in scene.axes.values() if ax.get_legend() is not None]
    assert legends
    for legend in legends:  # the box _place_legends scores, against the legend laid out there
        box = legend.get_window_extent(renderer)
        size = legend_size(legend, renderer)
        np.testing.assert_allclose(size.extents, Bbox.from_bounds(0, 0, box.width, box.height).extents, atol=1e-9)
        for loc in (0, *LEGEND_PLACES, (0.3, 0.2)):
            placed = legend_box(legend, loc, size, renderer).extents
            legend.set_loc(loc)
            np.testing.assert_allclose(placed, legend.get_window_extent(renderer).extents, atol=1e-9)


@pytest.mark.parametrize("name", ["seed", "diamond", "lasso-path", "how-often"])
def test_the_legends_read_the_moving_lines_as_matplotlib_caches_them(name):
    """Placing the legends reads each moving line's points at a few frames from the data as set
    (``_xy``), not recaching it: the same points matplotlib's cache holds, masked data and all."""
    from regviz_anim.scene import _xy

    scene = Scene(scene_data(sim_of(name), 10), size=(480, 270), counter_cells=False)
    lines = [a for a in scene.moving if hasattr(a, "get_xydata")]
    assert lines
    for i in (0, 4, 9):
        scene.update(i)
        for line in lines:
            assert np.array_equal(_xy(line), line.get_xydata(), equal_nan=True), (i, line)
    line = lines[0]
    line.set_data(np.ma.masked_greater([0.0, 1.0, 2.0], 1.5), [1.0, 2.0, 3.0])
    assert np.array_equal(_xy(line), [[0.0, 1.0], [1.0, 2.0], [np.nan, 3.0]], equal_nan=True)


@pytest.mark.parametrize("name", ["seed", "chatter", "divergence"])
def test_a_legend_left_at_best_is_given_the_corner_matplotlibs_search_finds(name):
    from regviz_anim.scene import _searched, legend_box, legend_size

    scene = Scene(scene_data(sim_of(name), 10), size=(720, 720), counter_cells=False)
    renderer = scene.canvas.get_renderer()
    legend = scene.axes["loss"].get_legend()
    for frame in (0, scene.frame_count - 1):  # the search follows the moving lines
        scene.update(frame)
        legend._loc = 0
        code = _searched(legend, renderer)
        assert code is not None and code != 0
        at_best = legend.get_window_extent(renderer).extents  # laid out by matplotlib's own search
        np.testing.assert_allclose(legend_box(legend, code, legend_size(legend, renderer), renderer).extents,
                                   at_best, atol=1e-9)


@pytest.mark.parametrize("options, size", [
    ({}, (640, 360)), ({"features": 2, "theme": "dark"}, (640, 360)),
    ({"animate": "trials", "features": 2}, (480, 480)),
    ({"reg": "l1,l2,elasticnet", "l1_update": "subgradient,clipped,proximal"}, (360, 360)),  # a legend made smaller
])
def test_legends_packed_once_a_background_are_drawn_as_matplotlib_packs_them(options, size, monkeypatch):
    import contextlib

    from regviz_anim import scene as scene_module
    from regviz_anim.options import render_config

    scenario, settings = render_config({**options, "size": size})
    data = scene_data(simulate(scenario), 8, "even", settings.lang, settings.caption)

    def frames():
        scene = Scene(data, size=settings.even_size, theme=settings.theme, panels=settings.panels,
                      counter_cells=False)
        return [scene.frame(i) for i in range(scene.frame_count)], scene

    kept, scene = frames()
    assert any(ax.get_legend() is not None for ax in scene.axes.values())
    monkeypatch.setattr(scene_module, "_packing_kept", lambda legends: contextlib.nullcontext())
    packed, _ = frames()
    assert all(np.array_equal(a, b) for a, b in zip(kept, packed))


@pytest.mark.parametrize("options, size, theme", [
    ({}, (640, 360), "light"), ({"features": 2}, (480, 480), "dark"), ("lambda-path", (640, 360), "dark"),
    ("how-often", (640, 360), "light"), ({"features": 8}, (640, 360), "light"), ("tibshirani", (480, 480), "light"),
    ({"reg": "l2", "lr": 1.3, "steps": 40, "allow_divergence": True}, (640, 360), "light"),
])
def test_an_axis_drawn_with_its_tick_lines_at_once_is_drawn_as_matplotlib_draws_it(options, size, theme,
                                                                                   monkeypatch):
    from regviz_anim import scene as scene_module
    from regviz_anim.options import render_config

    options = preset_options(options) if isinstance(options, str) else options
    scenario, settings = render_config({**options, "size": size, "theme": theme})
    data = scene_data(simulate(scenario), 6, "even", settings.lang, settings.caption)

    def frames():
        scene = Scene(data, size=settings.even_size, theme=theme, panels=settings.panels, counter_cells=False)
        return [scene.frame(i) for i in range(scene.frame_count)], scene

    ours, scene = frames()
    assert all("draw" in vars(ax.xaxis) for ax in scene.axes.values())  # drawn by the scene's own
    assert any(sum(tick.gridline.get_visible() for tick in axis.get_major_ticks()) > 1  # grid lines drawn at once
               for ax in scene.axes.values() for axis in (ax.xaxis, ax.yaxis))
    monkeypatch.setattr(scene_module, "_AXIS_INTERNALS", False)  # matplotlib's Axis.draw
    theirs, scene = frames()
    assert not any("draw" in vars(ax.xaxis) for ax in scene.axes.values())
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


def test_major_and_minor_tick_lines_drawn_at_once_keep_their_own_styles():
    import functools

    from matplotlib.figure import Figure

    from regviz_anim.canvas import Canvas
    from regviz_anim.scene import _draw_axis

    def drawn(own: bool):
        figure = Figure(figsize=(4.0, 3.0), dpi=100.0)
        ax = figure.add_subplot()
        ax.plot([1, 30, 800], [0.2, 0.5, 0.9])
        ax.set_xscale("log")
        ax.minorticks_on()
        ax.grid(True, which="major", color="0.3", lw=1.2)
        ax.grid(True, which="minor", color="0.8", lw=0.6, ls=":")
        ax.tick_params(which="minor", length=2.5, color="tab:red")
        ax.tick_params(top=True, right=True, direction="inout")
        if own:
            for axis in (ax.xaxis, ax.yaxis):
                axis.draw = functools.partial(_draw_axis, axis)
        Canvas(figure).draw()
        return np.asarray(figure.canvas.buffer_rgba()).copy(), ax

    ours, ax = drawn(True)
    assert len(ax.xaxis.get_minorticklocs()) > 1 and len(ax.yaxis.get_minorticklocs()) > 1
    assert np.array_equal(ours, drawn(False)[0])


@pytest.mark.slow
def test_a_path_that_overshoots_far_out_of_its_panel_is_placed_around_in_bounded_memory(tmp_path):
    """The legends' placement follows the paths every 2 pixels: the L2 path here swings out a
    billion pixels and back, which was half a billion points (a 3.6 GiB array at 640x360, a
    MemoryError, or a kernel that hangs). Outside its panel a path is followed along an edge no
    legend reaches; in 2 GiB of address space the render is written."""
    import resource

    from helpers import run

    def two_gib():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    proc = run("render", "-o", "x.gif", "--features", "2", "--lr", "1.5", "--schedule", "inv_sqrt", "--lam", "1.93",
               "--size", "640x360", "--frames", "10", "--no-progress", cwd=tmp_path, preexec_fn=two_gib)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "x.gif").stat().st_size > 0


@pytest.mark.parametrize("name", ["seed", "diamond", "divergence", "chatter"])
def test_a_bars_box_as_the_legends_place_it_is_matplotlibs_extent(name):
    from regviz_anim.scene import _bar_extents

    scene = Scene(scene_data(sim_of(name), 10), size=(720, 720), counter_cells=False)
    renderer = scene.canvas.get_renderer()
    bars = [a for a in scene.moving if hasattr(a, "get_height") and a.axes is not None]
    widths = []
    for i in range(scene.frame_count):
        scene.update(i)
        widths += [bar.get_width() for bar in bars]
        found = _bar_extents(bars)
        assert found.shape == (len(bars), 4)
        for bar, extents in zip(bars, found):
            np.testing.assert_allclose(extents, bar.get_window_extent(renderer).extents, rtol=0, atol=1e-9)
    assert min(widths) < 0.0 < max(widths)  # bars pointing either way


@pytest.mark.parametrize("name", ["lasso-path", "how-often"])
def test_a_square_frame_puts_the_plane_beside_its_one_other_panel(name):
    scene = Scene(scene_data(sim_of(name), 10), size=(720, 720), counter_cells=False)
    big, other = (scene.axes[panel] for panel in scene.panels)
    assert big.bbox.x1 < other.bbox.x0 and big.bbox.width > 0.38 * 720  # under it, it had 0.3
    renderer = scene.canvas.get_renderer()
    for ax in (big, other):  # a title too long for its column is broken into lines, inside the frame
        assert inside(ax.title.get_window_extent(renderer), scene.figure.bbox)


def test_a_scene_for_a_slide_draws_no_title():
    data = scene_data(simulate(scenario_from({})), 4)
    assert Scene(data, size=(320, 180), title=False).title is None
    assert "Gradient descent" in Scene(data, size=(320, 180)).title.get_text()


def test_titles_break_between_expressions():
    sim = sim_of("diamond")
    scene = Scene(scene_data(sim, 10), size=(1080, 1080), theme="dark", counter_cells=False)
    lines = scene.title.get_text().replace("\u00a0", " ").split("\n")
    assert "λ = 0.6,  η = 0.15" in lines or any(line.endswith("λ = 0.6") for line in lines)
    for line in lines:
        assert not line.rstrip().endswith(("=", "λ", "η")) and not line.lstrip().startswith("=")


# --- slides ------------------------------------------------------------------------------------

def open_deck(path):
    from pptx import Presentation

    return Presentation(str(path))


def test_a_slide_says_its_title_once_and_its_notes_render_it_again(tmp_path, cli, pptx):
    out = tmp_path / "a.pptx"
    args = ["render", "--preset", "lasso-path", "-o", str(out), "--frames", "6", "--caption", "always", *SMALL]
    assert cli(*args)[0] == 0
    slide, = open_deck(out).slides
    shapes = {shape.name: shape for shape in slide.shapes}
    title, caption = shapes["Title"].text_frame.text, shapes["Caption"].text_frame.text
    assert "λ\u00a0from\u00a00\u00a0to\u00a03.8" in title  # PowerPoint wraps it between expressions only
    assert caption.startswith("L1: w2 exactly 0 from λ = 0.3")
    assert shapes["Title"].top + shapes["Title"].height <= shapes["Animation"].top  # never over the video
    assert shapes["Animation"].top + shapes["Animation"].height <= shapes["Caption"].top
    said = slide.notes_slide.notes_text_frame.text.splitlines()
    assert "lam_steps = 200" in said and "lr = 0.1" not in said and not any(s.startswith("l1_update") for s in said)
    command = shlex.split(said[0])
    assert command[:2] == ["regviz-anim", "render"] and "--animate=lam" in command
    again = tmp_path / "again.gif"
    command[command.index("-o") + 1] = str(again)
    assert cli(*command[1:], "--no-progress")[0] == 0
    first = json.loads((tmp_path / "a.pptx.json").read_text())
    second = json.loads((tmp_path / "again.gif.json").read_text())
    assert second["scenario"] == first["scenario"] and second["caption"] == first["caption"]


def test_video_text_draws_the_title_and_caption_in_the_video_too(tmp_path, cli, pptx):
    from PIL import Image

    posters = []
    for extra in ([], ["--video-text"]):
        out = tmp_path / f"a{len(extra)}.pptx"
        assert cli("render", "-o", str(out), "--frames", "4", "--caption", "always", *extra, *SMALL)[0] == 0
        slide, = open_deck(out).slides
        image = next(rel.target_part for rel in slide.part.rels.values() if rel.reltype.endswith("/image"))
        posters.append(np.asarray(Image.open(__import__("io").BytesIO(image.blob)).convert("RGB")))
    plain, with_text = posters
    assert (plain[:12, :150] != with_text[:12, :150]).any()  # the title
    assert (plain[-10:] != with_text[-10:]).any()  # the caption


# --- the explorer ------------------------------------------------------------------------------

def test_the_explorer_has_a_start_per_weight_and_keeps_what_it_is_set_to():
    pytest.importorskip("ipywidgets", reason='the explorer needs the [notebook] extra: pip install ".[notebook]"')
    ex = ra.explore(size=(320, 180), preset="diamond")
    one, two = ex.controls["w0_1"], ex.controls["w0_2"]
    assert (one.value, two.value) == (0.2, 1.5) and two.layout.display is None
    two.value = -1.0
    assert ex.state()["w0"] == (0.2, -1.0) and tuple(ex.simulation.runs[0].w[0]) == (0.2, -1.0)
    assert "--w0=0.2,-1" in ex.command()
    ex.controls["lam"].value = 0.4  # another change keeps both starts
    assert tuple(ex.simulation.runs[0].w[0]) == (0.2, -1.0)
    ex.controls["features"].value = 1
    assert two.layout.display == "none" and ex.state()["w0"] == 0.2

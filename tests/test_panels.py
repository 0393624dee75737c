"""Every registered panel, for every (number of weights, kind of animation) it claims, drawn alone:
its contract holds, it moves, and it draws only inside its own axes."""
import numpy as np
import pytest

from regviz_anim.numerics import KINDS, simulate
from regviz_anim.options import render_config
from regviz_anim.numerics.problem import MAX_FEATURES
from regviz_anim.panels import DEFAULTS, PANELS, Panel, default_panels, suits
from regviz_anim.panels.gap import FLOOR
from regviz_anim.scene import Scene
from regviz_anim.scenedata import scene_data
from regviz_anim.style import LADDER, held

SHOWN = (1, 2, 3, 8, 50)  # of every number of weights a panel claims, these are drawn
CLAIMS = [(name, d, kind) for name, panel in PANELS.items() for d in panel.FEATURES if d in SHOWN
          for kind in panel.KINDS]


def data_of(panels: tuple[str, ...], features: int, kind: str, frames: int = 6, **more):
    options = {"features": features, "animate": kind, "steps": 40, "lam_steps": 40, "panels": ",".join(panels),
               "trials": 40} | more
    if features == 2:
        options |= {"corr": 0.5, "w_true": (1.2, 0.1), "w0": (0.2, 1.5)}
    scenario, settings = render_config(options)
    return scene_data(simulate(scenario), frames, caption="always"), settings.panels


def scene_of(panels: tuple[str, ...], features: int, kind: str, frames: int = 6) -> Scene:
    data, shown = data_of(panels, features, kind, frames)
    return Scene(data, size=(480, 270), panels=shown)


def test_every_panel_meets_the_contract():
    for name, panel in PANELS.items():
        assert isinstance(panel, Panel), name  # FEATURES, KINDS, draw
        assert panel.FEATURES and set(panel.FEATURES) <= set(range(1, MAX_FEATURES + 1)), name
        assert panel.KINDS and set(panel.KINDS) <= set(KINDS), name
        assert callable(panel.draw)


def test_every_default_is_made_of_panels_that_claim_it():
    for (kind, _), names in DEFAULTS.items():
        for d in range(1, MAX_FEATURES + 1):
            if default_panels(kind, d) == names:
                assert all(suits(PANELS[name], d, kind) for name in names), (kind, d)


@pytest.mark.parametrize("name, features, kind", CLAIMS)
def test_each_panel_draws_and_moves_in_every_case_it_claims(name, features, kind):
    scene = scene_of((name,), features, kind)
    first, last = scene.frame(0), scene.frame(scene.frame_count - 1)
    assert first.shape == last.shape == (270, 480, 3)
    inside = scene.axes[name].bbox
    assert any(artist.axes is scene.axes[name] for artist in scene.moving), "it registers its moving artists"
    # what moves between the first frame and the last lies inside the panel (or is the step counter)
    rows, cols = np.nonzero((first != last).any(axis=2))
    counter = scene.step_text.get_window_extent(scene.canvas.get_renderer())
    y = 270 - rows  # pixel rows from the top, in display units from the bottom
    in_panel = (cols >= inside.x0 - 3) & (cols <= inside.x1 + 3) & (y >= inside.y0 - 3) & (y <= inside.y1 + 3)
    in_counter = (cols >= counter.x0 - 3) & (y >= counter.y0 - 3)
    assert rows.size and (in_panel | in_counter).all()
    assert (in_panel & ~in_counter).any(), "the panel itself moves"


@pytest.mark.parametrize("name, features, kind", CLAIMS)
def test_each_panel_restaged_with_other_runs_draws_what_a_new_scene_draws(name, features, kind):
    """A parameter change shows the new runs on the same figure (Scene.restage): a panel that
    takes new data on the artists it made (style.in_place) keeps them where they are the same
    artists, and every frame is a new scene's for the new data."""
    first, shown = data_of((name,), features, kind, lam=0.3)
    scene = Scene(first, size=(480, 270), panels=shown, counter_cells=False)
    made, style = list(scene.axes[name].get_children()), scene.style
    for lam in (0.32, 1.4):  # a little (the ranges hold), then far
        later, _ = data_of((name,), features, kind, lam=lam)
        assert scene.restage(later, panels=shown)
        panel = PANELS[name]
        if hasattr(panel, "shape") and panel.shape(later, scene.style) == panel.shape(first, style):
            assert all(a is b for a, b in zip(made, scene.axes[name].get_children(), strict=True)), "kept its artists"
        fresh = Scene(later, size=(480, 270), panels=shown, counter_cells=False)
        for i in range(scene.frame_count):
            assert np.array_equal(scene.frame(i), fresh.frame(i)), (lam, i)


def test_what_the_layout_changed_of_a_restaged_panel_is_undone():
    """The layout changes some of what a panel made (fewer ticks on a crowded axis, a legend's
    type and corner): a panel restaged on the artists it made starts again from them as it
    made them, so its frames are a new scene's (without that, this change's frames differ)."""
    def data(lam):
        scenario, _ = render_config({"steps": 40, "lam": lam, "reg": ("l1", "l2", "elasticnet", "decay")})
        return scene_data(simulate(scenario), 6, caption="always")

    scene = Scene(data(0.3), size=(400, 400), counter_cells=False)
    assert scene._undo  # the layout did change something
    assert scene.restage(data(3.0))
    fresh = Scene(data(3.0), size=(400, 400), counter_cells=False)
    for i in range(scene.frame_count):
        assert np.array_equal(scene.frame(i), fresh.frame(i)), i


def test_ticks_copied_the_way_a_matplotlib_that_reads_the_marker_style_needs_are_the_same(monkeypatch):
    """A tick an axis adds shares the first tick's marker styles (scene._copy_ticks_cheaply), which
    it hides from matplotlib's copy; a matplotlib whose copy reads them gets its own copy instead,
    and the frames are the same."""
    from matplotlib.lines import Line2D

    scenario, _ = render_config({"steps": 40, "features": 2})
    d = scene_data(simulate(scenario), 4)
    cheap = Scene(d, size=(480, 270), counter_cells=False)
    copy = Line2D.update_from

    def reading(self, other):
        other._marker.get_marker()  # what the hidden style lacks
        copy(self, other)

    monkeypatch.setattr(Line2D, "update_from", reading)
    own = Scene(d, size=(480, 270), counter_cells=False)
    for i in range(own.frame_count):
        assert np.array_equal(cheap.frame(i), own.frame(i)), i


def test_a_panel_that_does_not_claim_a_case_is_refused():
    from regviz_anim.errors import ConfigError

    for name, panel in PANELS.items():
        for d in (1, 2, 8):
            for kind in KINDS:
                if not suits(panel, d, kind):
                    with pytest.raises(ConfigError, match=f"{name} does not show"):
                        render_config({"features": d, "animate": kind, "panels": name})


@pytest.mark.parametrize("lo, hi", [(0.0, 0.63), (-0.12, 1.8), (0.05, 0.68), (-1.1, 1.1), (3e-5, 7e-5),
                                    (-14.0, 1.3), (0.0, 1.0), (-2.0e3, -1.5e3)])
@pytest.mark.parametrize("centred", [False, True])
def test_a_held_range_holds_the_range_on_the_ladder_and_grid(lo, hi, centred):
    a, b = held(lo, hi, centred=centred)
    width = b - a
    assert a <= lo and b >= hi
    assert width <= 1.3 * (hi - lo)  # a step of the ladder and one of the grid, at most
    scale = 10.0 ** np.floor(np.log10(width) + 1e-9)
    assert any(np.isclose(width, m * scale) for m in LADDER)
    assert np.isclose(a / (width / 10), np.round(a / (width / 10)), atol=1e-6)
    if centred:  # as much room either side as the grid allows
        assert abs((a + b) / 2 - (lo + hi) / 2) <= width / 20 * (1 + 1e-9)
    else:
        assert a > lo - width / 10  # the grid's end at or below lo


def test_a_held_range_follows_a_small_move_only_across_a_step_of_the_ladder():
    ranges = [held(0.0, 0.6 + 0.001 * i) for i in range(61)]
    assert len(set(ranges)) == 2  # 0.6 to 0.64 held on 0.64, then to 0.66 on 0.72
    assert np.allclose(ranges[0], (0.0, 0.64)) and np.allclose(ranges[-1], (0.0, 0.72))


@pytest.mark.parametrize("features", [1, 2])
def test_the_gaps_floor_line_is_where_the_gaps_bottom_out_not_on_the_held_range(features):
    scene = scene_of(("gap",), features, "steps")
    floors = [np.maximum(r.objective - r.f_star, FLOOR * max(1.0, abs(r.f_star))) for r in scene.data.runs]
    (line,) = [a for a in scene.axes["gap"].lines if a.get_label() == scene.data.texts("floor")]
    assert line.get_ydata()[0] == min(float(f.min()) for f in floors)
    low, high = scene.axes["gap"].get_ylim()
    assert low < line.get_ydata()[0] < high

"""The scene's canvas keeps text layouts, glyph bitmaps and font metrics: what it draws must be
what matplotlib's own Agg canvas draws, pixel for pixel, the first time and from its caches."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from regviz_anim import canvas
from regviz_anim.presets import preset_options
from regviz_anim.scene import Scene
from regviz_anim.scenedata import scene_data

pytestmark = pytest.mark.skipif(not canvas._OWN, reason="this matplotlib draws text without the internals kept")


def words(families) -> list[str]:
    return ["0.25", "−1.5", "λ = 0.05126", "L1: exactly 0 since step 24  ·  L2: w = 0.2007", "Wg,yj", "step 24 / 200",
            "$w^* = \\lambda$", "two\nlines"] + (["梯度下降 λ", "步 24"] if len(families) > 1 else [])


def texts_figure(kind, families):
    figure = Figure(figsize=(4.8, 3.2), dpi=123.0)
    kind(figure)
    rng = np.random.default_rng(7)
    for i, word in enumerate(words(families) * 3):  # each at three places that fall differently in their pixels
        figure.text(rng.uniform(0.02, 0.7), rng.uniform(0.05, 0.95), word, rotation=(0, 90, 30, -45)[i % 4],
                    fontsize=rng.uniform(7, 19), fontweight=("normal", "bold")[i % 2], family=families,
                    antialiased=i % 5 != 0)
    figure.text(0.5, 0.5, "mono 0123", family="DejaVu Sans Mono", fontsize=15.3)
    ax = figure.add_axes((0.15, 0.15, 0.5, 0.4))
    ax.plot([0, 1], [0, 2])
    ax.set(title="a title", xlabel="w", ylabel="loss")
    return figure


def drawn(figure, canvas_class):
    canvas_class(figure).draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("families", [["DejaVu Sans"], "zh"])
def test_texts_are_drawn_as_agg_draws_them(families, request):
    if families == "zh":
        request.getfixturevalue("zh_font")
        from regviz_anim.lang import Texts
        from regviz_anim.scene import _registered
        families = ["DejaVu Sans", _registered(*Texts("zh").font())]
    figure = texts_figure(lambda f: f.patch.set_facecolor("#fdfdf8"), families)
    stock = drawn(figure, FigureCanvasAgg)
    ours = drawn(figure, canvas.Canvas)
    again = drawn(figure, canvas.Canvas)  # every layout and glyph from the caches now, each text composed
    assert canvas._GLYPHS and canvas._LAYOUTS and canvas._HEIGHTS
    kept = [canvas._TEXTS[key] for key in canvas._TEXTS if key[0][4] in words(families)]
    assert any(isinstance(text, tuple) for text in kept)  # its glyphs drawn at once
    assert False in kept  # two of its glyphs' inks meet (a pair of lines, a kerned pair): drawn one by one
    assert np.array_equal(stock, ours)
    assert np.array_equal(stock, again)
    assert np.array_equal(stock, drawn(figure, canvas.Canvas))  # as composed, or found apart, before


@pytest.mark.parametrize("preset, theme", [("seed", "light"), ("how-often", "dark"), ("lambda-path", "light")])
def test_a_scene_is_drawn_as_on_agg(preset, theme, monkeypatch):
    from regviz_anim.numerics import simulate
    from regviz_anim.options import render_config

    scenario, settings = render_config({**preset_options(preset), "size": (640, 360), "theme": theme})
    data = scene_data(simulate(scenario), 12, "even", settings.lang, settings.caption)

    def frames():
        scene = Scene(data, size=(640, 360), theme=theme, panels=settings.panels)
        return [scene.frame(i) for i in (0, 5, 11)]

    ours = frames()
    monkeypatch.setattr(canvas, "_OWN", False)  # matplotlib's own renderer
    assert all(np.array_equal(a, b) for a, b in zip(ours, frames()))



def test_a_text_changed_in_place_is_laid_out_again_as_agg_lays_it_out():
    # The canvas keeps a text's layout by what it is worked out from: after each change below the
    # text must be measured and drawn as matplotlib's own canvas does, and no layout taken for another.
    def figure_and_text():
        figure = Figure(figsize=(4.0, 3.0), dpi=100.0)
        return figure, figure.text(0.3, 0.4, "0.25", fontsize=12)

    changes = [lambda t: None, lambda t: t.set_text("−1.5"), lambda t: t.get_fontproperties().set_size(17),
               lambda t: t.get_fontproperties().set_weight("bold"), lambda t: t.set_rotation(30),
               lambda t: t.set_rotation_mode("anchor"), lambda t: t.set_ha("right"), lambda t: t.set_va("top"),
               lambda t: t.set_text("two\nlines"), lambda t: t.set_linespacing(2.0), lambda t: t.set_ma("center"),
               lambda t: t.set_text("$w^*$"), lambda t: t.set_parse_math(False),
               lambda t: t.get_figure().set_dpi(150.0), lambda t: t.set_text("0.25")]
    (ours, mine), (stock, theirs) = figure_and_text(), figure_and_text()
    canvas.Canvas(ours), FigureCanvasAgg(stock)
    seen = []
    for change in changes:
        change(mine), change(theirs)
        found = mine.get_window_extent(ours.canvas.get_renderer()).extents
        assert np.array_equal(found, theirs.get_window_extent(stock.canvas.get_renderer()).extents)
        pixels = drawn(ours, canvas.Canvas)
        assert np.array_equal(pixels, drawn(stock, FigureCanvasAgg))
        seen.append(pixels.tobytes())
    assert len(set(seen)) == len(seen)  # each change (after the first drawing) moved some pixel
    kept = len(canvas._TEXT_LAYOUTS)
    drawn(stock, FigureCanvasAgg)
    assert len(canvas._TEXT_LAYOUTS) == kept  # matplotlib's own canvas lays its texts out itself


@pytest.mark.fork
def test_a_forked_process_and_another_thread_draw_with_fonts_of_their_own(monkeypatch):
    # An FT2Font reads its file through a descriptor a fork shares, offset and all, and is not
    # thread-safe: two batch jobs drawing at once from one font saw FT_Load_Glyph fail. The child
    # redraws the parent's own canvas, as a forked drawing process does, mathtext and all.
    import os
    import threading
    import time

    used = {}  # thread: the fonts its glyphs were drawn with
    draw_glyphs = canvas.Renderer._draw_text_glyphs_and_boxes

    def recording(self, gc, x, y, angle, glyphs, boxes):
        glyphs = list(glyphs)
        used.setdefault(threading.get_ident(), []).extend(glyph[0] for glyph in glyphs)
        return draw_glyphs(self, gc, x, y, angle, glyphs, boxes)

    monkeypatch.setattr(canvas.Renderer, "_draw_text_glyphs_and_boxes", recording)
    figure = texts_figure(lambda f: None, ["DejaVu Sans"])
    kept = canvas.Canvas(figure)
    kept.draw()
    parents = used.pop(threading.get_ident())  # held here, so that no new font can take one's address
    mathtext = {id(f) for f in parents if f.style_name in ("Oblique", "Italic")}  # only the mathtext w is slanted
    assert parents and mathtext  # the mathtext's italic w is drawn through the canvas too

    thread = threading.Thread(target=drawn, args=(figure, canvas.Canvas))
    thread.start()
    thread.join()
    (theirs,) = used.values()
    assert theirs and not {id(f) for f in parents} & {id(f) for f in theirs}

    used.clear()
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if it drew with none of its parent's fonts
        try:
            kept.draw()
            (theirs,) = used.values()
            os._exit(0 if theirs and not {id(f) for f in parents} & {id(f) for f in theirs} else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child did not finish drawing in 60 s")
    assert os.waitstatus_to_exitcode(done[1]) == 0

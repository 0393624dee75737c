"""Drawing a frame fast, exactly: the step counter from cells (byte for byte the text matplotlib
draws, or not used), and the rectangles outside which no frame changes."""
import numpy as np
import pytest

from regviz_anim.config import render_config
from regviz_anim.counter import counter_cells
from regviz_anim.descent import simulate
from regviz_anim.presets import preset_options
from regviz_anim.renderer import describe, describe_steps
from regviz_anim.scene import Scene


def scene_for(options: dict) -> Scene:
    scenario, settings = render_config(options)
    sim = simulate(scenario)
    n = settings.frame_count(describe_steps(sim))
    return Scene(describe(sim, n, settings.timing, settings.lang), size=settings.even_size, theme=settings.theme)


def drawn(scene: Scene) -> list[np.ndarray]:
    return [scene.draw(i).copy() for i in range(scene.frame_count)]


@pytest.mark.parametrize("options", [
    {"frames": 120, "size": (640, 360)},
    {"frames": 120, "size": (720, 720), "theme": "dark", "steps": 1000},
    {"frames": 120, "size": (640, 360), "lang": "zh"},
    {**preset_options("lambda-path"), "size": (640, 360), "lam_steps": 120},
    {**preset_options("lasso-path"), "size": (720, 720), "theme": "dark", "lam_range": (0.001, 3.0),
     "lam_scale": "log", "lam_steps": 150},
], ids=["steps", "dark-square-1000-steps", "zh", "lam", "lam-log"])
def test_cells_draw_exactly_the_text(options):
    scene = scene_for(options)
    assert scene._counter is not None, "the cells should be used for a long render"
    with_cells = drawn(scene)
    scene._counter = None  # the text itself, laid out and drawn by matplotlib every frame
    with_text = drawn(scene)
    assert len(with_cells) == scene.frame_count
    for i, (a, b) in enumerate(zip(with_cells, with_text)):
        assert np.array_equal(a, b), f"frame {i} differs"
    assert not np.array_equal(with_text[0], with_text[-1])  # the counter did change


def test_lambda_labels_keep_one_length_and_the_digits_their_places():
    scene = scene_for({**preset_options("lasso-path"), "lam_range": (0.0001, 3.0), "lam_scale": "log",
                       "lam_steps": 60, "size": (640, 360)})
    labels = scene._labels
    assert len({len(label) for label in labels}) == 1
    assert {label.rstrip()[-1] for label in labels} != {"0"}  # numbers end in different digits...
    assert any(label.startswith("λ =  ") for label in labels)  # ...and short ones are padded on the left


def test_no_cells_for_a_short_render_or_labels_of_different_lengths():
    scene = scene_for({"frames": 12, "size": (320, 180)})
    assert scene._counter is None  # drawing the cells would cost more than drawing the text
    assert counter_cells(scene.canvas, scene.step_text, scene._background, ["a 1", "a 12"] * 50) is None


@pytest.mark.parametrize("font", [
    {"family": "DejaVu Sans Mono", "fontstyle": "italic", "fontweight": "bold"},  # slanted ink crosses into the next cell
    {"family": "DejaVu Sans", "fontstyle": "normal", "fontweight": "normal"},  # a space is narrower than a digit
], ids=["overlapping-ink", "proportional"])
def test_cells_that_would_not_be_exact_are_refused(font):
    scene = scene_for({"frames": 200, "size": (640, 360)})
    text = scene.step_text
    labels = [f"W{k:3d}W" for k in range(200)]
    text.set(fontsize=40, family="DejaVu Sans Mono", fontstyle="normal", fontweight="bold")
    assert counter_cells(scene.canvas, text, scene._background, labels) is not None  # upright monospace: exact
    text.set(**font)
    assert counter_cells(scene.canvas, text, scene._background, labels) is None


# --- what can change: the panels with moving artists and the counter's corner --------------------

@pytest.mark.parametrize("options", [
    {"frames": 60, "size": (640, 360)},
    {**preset_options("diamond"), "frames": 60, "size": (720, 720), "theme": "dark"},
    {**preset_options("lasso-path"), "size": (640, 360), "lam_steps": 60},
    {"frames": 60, "size": (640, 360), "panels": ("weight", "gap"), "reg": ("l1",)},
], ids=["default", "diamond-square", "lam", "two-panels"])
def test_frames_differ_from_the_background_only_where_the_scene_says(options):
    scene = scene_for(options)
    assert scene.changing is not None
    outside = np.ones(scene._background_pixels.shape[:2], bool)
    for where in scene.changing:
        outside[where] = False
    assert outside.mean() > 0.2  # there is something to skip
    for i in range(scene.frame_count):
        differs = (scene.draw(i) != scene._background_pixels).any(axis=2)
        assert not (differs & outside).any(), f"frame {i} changed outside the rectangles"


def test_an_unclipped_moving_artist_means_the_whole_frame():
    scene = scene_for({"frames": 60, "size": (640, 360)})
    assert scene.changing is not None
    next(a for a in scene.moving if a is not scene.step_text).set_clip_on(False)
    assert scene._changing() is None


def test_a_gif_told_where_frames_change_has_the_same_bytes(tmp_path):
    from regviz_anim.encode import GifEncoder

    scene = scene_for({**preset_options("diamond"), "frames": 40, "size": (480, 270)})
    frames = [scene.draw(i).copy() for i in range(scene.frame_count)]
    for name, within in (("all.gif", None), ("told.gif", scene.changing)):
        with GifEncoder(tmp_path / name, size=(480, 270), fps=10, palette_from=frames[::10],
                        changes_within=within) as gif:
            for frame in frames:
                gif.write(frame)
    assert (tmp_path / "told.gif").read_bytes() == (tmp_path / "all.gif").read_bytes()

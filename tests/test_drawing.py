"""Drawing frames fast, exactly: the step counter from cells (byte for byte the text matplotlib
draws, or not used), the rectangles outside which no frame changes, and frames drawn by forked
processes (the same bytes; a failure or a death said in one line; none outlives the render)."""
import json
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from matplotlib.transforms import Bbox, TransformedBbox
from helpers import alive, children

from regviz_anim import drawing
from regviz_anim.options import render_config
from regviz_anim.counter import counter_cells
from regviz_anim.numerics import simulate
from regviz_anim.presets import preset_options
from regviz_anim.scenedata import scene_data
from regviz_anim.scene import Scene, _close


def scene_for(options: dict) -> Scene:
    scenario, settings = render_config(options)
    sim = simulate(scenario)
    n = settings.frame_count(sim.ticks - 1)
    return Scene(scene_data(sim, n, settings.timing, settings.lang), size=settings.even_size, theme=settings.theme)


def drawn(scene: Scene) -> list[np.ndarray]:
    return [scene.draw(i).copy() for i in range(scene.frame_count)]


@pytest.mark.parametrize("options", [
    {"frames": 120, "size": (640, 360)},
    {"frames": 120, "size": (720, 720), "theme": "dark", "steps": 1000},
    pytest.param({"frames": 120, "size": (640, 360), "lang": "zh"},
                 marks=pytest.mark.skipif(importlib.util.find_spec("pylopdf_fonts_zh_cn") is None,
                                          reason='--lang zh needs the [zh] extra: pip install ".[zh]"')),
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
    # slanted ink crosses into the next cell
    {"family": "DejaVu Sans Mono", "fontstyle": "italic", "fontweight": "bold"},
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
    outside = np.ones(scene.background.shape[:2], bool)
    for where in scene.changing:
        outside[where] = False
    assert outside.mean() > 0.2  # there is something to skip
    for i in range(scene.frame_count):
        differs = (scene.draw(i) != scene.background).any(axis=2)
        assert not (differs & outside).any(), f"frame {i} changed outside the rectangles"


def test_an_unclipped_moving_artist_means_the_whole_frame():
    scene = scene_for({"frames": 60, "size": (640, 360)})
    assert scene.changing is not None
    next(a for a in scene.moving if a is not scene.step_text).set_clip_on(False)
    assert scene._changing() is None


def test_a_moving_artist_clipped_to_another_box_than_its_panels_means_the_whole_frame():
    scene = scene_for({"frames": 60, "size": (640, 360)})
    artist = next(a for a in scene.moving if a is not scene.step_text)
    ax = artist.axes
    artist.set_clip_box(TransformedBbox(Bbox.from_extents(0.0, 0.0, 1.0, 1.0 + 1e-4), ax.transAxes))
    assert scene._changing() is None  # a few pixels' reach beyond the panel
    artist.set_clip_box(TransformedBbox(Bbox.from_extents(0.0, 0.0, 1.0, 1.0 + 1e-9), ax.transAxes))
    assert scene._changing() == scene.changing  # the panel's box, to rounding


def test_boxes_are_close_as_numpy_says():
    rng = np.random.default_rng(3)
    for _ in range(2000):
        a = rng.uniform(-1e3, 1e3, 4) * rng.choice([0.0, 1.0], 4, p=[0.1, 0.9])
        b = a + rng.normal(size=4) * 10.0 ** rng.integers(-12, 0) * np.maximum(np.abs(a), 1e-6)
        assert _close(a.tolist(), b.tolist()) == np.allclose(a, b)
    assert _close([np.inf, 0.0], [np.inf, 0.0]) and not _close([np.nan], [np.nan]) and not _close([np.inf], [-np.inf])


def test_a_gif_told_where_frames_change_has_the_same_bytes(tmp_path):
    from regviz_anim.encoders.gif import GifEncoder

    scene = scene_for({**preset_options("diamond"), "frames": 40, "size": (480, 270)})
    frames = [scene.draw(i).copy() for i in range(scene.frame_count)]
    for name, within in (("all.gif", None), ("told.gif", scene.changing)):
        with GifEncoder(tmp_path / name, size=(480, 270), fps=10, palette_from=frames[::10],
                        changes_within=within) as gif:
            for frame in frames:
                gif.write(frame)
    assert (tmp_path / "told.gif").read_bytes() == (tmp_path / "all.gif").read_bytes()


# --- frames drawn by forked processes into shared memory ------------------------------------------

pytestmark_fork = pytest.mark.fork


def drawing_render(tmp_path):
    """A long render with two drawing processes, once it is under way; and their pids."""
    proc = render_cli(tmp_path, "-o", "a.gif", "--frames", "3000", "--workers", "2")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [n for n in os.listdir(tmp_path) if ".part" in n]:
        time.sleep(0.05)
    time.sleep(0.5)
    drawers = children(proc.pid)
    assert len(drawers) == 2
    return proc, drawers


def render_cli(tmp_path, *argv, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "--size", "320x180", "--no-progress",
                             *argv], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


@pytest.mark.slow
@pytestmark_fork
def test_any_number_of_drawing_processes_gives_the_same_bytes(tmp_path):
    """Fresh processes (no other thread), so the default forks too: one a core on this machine."""
    names = {"0": "here.gif", "1": "one.gif", "3": "three.gif", None: "default.gif"}
    for workers, name in names.items():
        proc = render_cli(tmp_path, "-o", name, "--frames", "60", "--poster", name + ".png",
                          *(["--workers", workers] if workers else []))
        assert proc.wait(120) == 0, proc.stderr.read()
    for name in names.values():
        assert (tmp_path / name).read_bytes() == (tmp_path / "here.gif").read_bytes(), name
        assert (tmp_path / (name + ".png")).read_bytes() == (tmp_path / "here.gif.png").read_bytes()
    # the sidecars do not record it: how fast is not what
    records = {json.loads((tmp_path / (name + ".json")).read_text())["render"].get("workers", "absent")
               for name in names.values()}
    assert records == {"absent"}


def test_who_draws():
    assert drawing.drawing_processes(0, 500) == 0
    if drawing.can_fork():
        assert drawing.drawing_processes(3, 10) == 3
        assert drawing.drawing_processes(None, drawing.MIN_FRAMES - 1) == 0
        expected = min(drawing.cores(), drawing.MAX_AUTO) if drawing.cores() >= 2 else 0
        assert drawing.drawing_processes(None, 500) == expected
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread could hold a lock at the fork: never fork then
        assert not drawing.can_fork() and drawing.drawing_processes(4, 500) == 0
    finally:
        stop.set()
        other.join()


@pytestmark_fork
def test_frames_from_drawing_processes_are_the_frames_drawn_here():
    scene = scene_for({"frames": 50, "size": (320, 180)})
    order = list(range(50)) + list(range(48, -1, -1))  # a bounce: frames asked for twice
    here = [scene.draw(i).copy() for i in order]
    with drawing.Workers(scene, 2) as pool:
        for k, frame in enumerate(pool.frames(order)):
            assert np.array_equal(frame, here[k]), k


@pytestmark_fork
def test_a_drawing_process_that_fails_says_why():
    scene = scene_for({"frames": 50, "size": (320, 180)})
    draw = scene.draw
    scene.draw = lambda i: draw(i) if i != 7 else 1 / 0  # inherited by the fork
    with drawing.Workers(scene, 2) as pool:
        with pytest.raises(drawing.DrawingError, match="failed: ZeroDivisionError: division by zero"):
            for _ in pool.frames(list(range(50))):
                pass


def gif_coder(scene):
    from regviz_anim.encoders.gif import GifFrames, NearestColour, build_palette
    from regviz_anim.encoders.gif import palette_samples
    return GifFrames(scene.size, scene.changing, NearestColour(build_palette(palette_samples(scene))))


@pytestmark_fork
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_gif_blocks_from_drawing_processes_are_the_blocks_made_here(workers):
    """Runs of frames go to the workers in turn; each draws the frame before its run again."""
    scene = scene_for({"frames": 70, "size": (320, 180)})
    order = list(range(70)) + list(range(68, -1, -1))  # a bounce: frames asked for twice
    gif = gif_coder(scene)
    here = []
    for k, i in enumerate(order):
        here.append(gif.encode(scene.draw(i), 5 + k % 3))
    encode = lambda frame, k: gif.encode(frame, 5 + k % 3)  # noqa: E731
    with drawing.encode_frames(scene, order, workers, gif.follow, encode) as blocks:
        there = list(blocks)
    assert len(there) == len(order) and there == here


@pytestmark_fork
def test_a_process_encoding_frames_that_fails_says_why():
    scene = scene_for({"frames": 50, "size": (320, 180)})
    gif = gif_coder(scene)
    encode = lambda frame, k: gif.encode(frame, 5) if k != 30 else 1 / 0  # noqa: E731
    with drawing.encode_frames(scene, list(range(50)), 2, gif.follow, encode) as blocks:
        with pytest.raises(drawing.DrawingError, match="failed: ZeroDivisionError: division by zero"):
            for _ in blocks:
                pass


@pytest.mark.slow
@pytestmark_fork
def test_a_drawing_process_killed_fails_the_render_and_keeps_the_old_file(tmp_path):
    assert render_cli(tmp_path, "-o", "a.gif", "--frames", "5").wait(120) == 0
    before = (tmp_path / "a.gif").read_bytes()
    proc, drawers = drawing_render(tmp_path)
    os.kill(drawers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert err.count("\n") == 1 and "a process drawing frames died (signal 9 (Killed))" in err, err
    assert "the earlier a.gif, a.gif.json are kept" in err
    assert (tmp_path / "a.gif").read_bytes() == before
    assert not [n for n in os.listdir(tmp_path) if ".part" in n]
    time.sleep(0.5)
    assert not alive(drawers[1])


@pytestmark_fork
def test_drawing_processes_end_with_a_killed_render(tmp_path):
    proc, drawers = drawing_render(tmp_path)
    proc.kill()
    proc.wait()
    time.sleep(1.0)
    assert not any(alive(pid) for pid in drawers)  # PR_SET_PDEATHSIG

"""The notebook: explore() without a browser, the example notebook, and what Jupyter shows."""
import io
import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

import regviz_anim as ra
from regviz_anim.batch import load_manifest
from regviz_anim.cli import main
from regviz_anim.scene import Scene

pytest.importorskip("ipywidgets")
SIZE = (320, 180)


def shown(explorer) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGB"))


@pytest.mark.slow
def test_importing_the_package_loads_neither_matplotlib_nor_ipywidgets():
    code = "import sys, regviz_anim; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split() == ["False",
                                                                                                            "False"]


def test_without_ipywidgets_explore_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r'^explore\(\) needs ipywidgets: pip install "regviz-anim\[notebook\]"$'):
        ra.explore()


def test_the_shown_frame_is_the_frame_render_writes(tmp_path, capsys):
    ex = ra.explore(size=SIZE, lam=0.3)
    ex.step.value = 30
    assert np.array_equal(shown(ex), ex.frame())
    argv = shlex.split(ex.command(str(tmp_path / "x.gif")))[1:]
    assert "--lam=0.3" in argv
    frames = tmp_path / "F"
    assert main(argv + ["--size", "320x180", "--frames", "201", "--timing", "even", "--frames-dir", str(frames),
                        "--no-progress"]) == 0
    assert np.array_equal(np.asarray(Image.open(frames / "frame_00030.png")), shown(ex))


def render_frame(ex, tmp_path, k: int) -> np.ndarray:
    """Frame ``k`` as ``render`` writes it for the explorer's state, at its size, a frame a tick."""
    argv = shlex.split(ex.command(str(tmp_path / "x.gif")))[1:]
    frames = tmp_path / f"F{len(list(tmp_path.iterdir()))}"
    size = "x".join(map(str, ex.size))
    assert main(argv + ["--size", size, "--frames", str(ex.scene.frame_count), "--timing", "even",
                        "--frames-dir", str(frames), "--no-progress"]) == 0
    return np.asarray(Image.open(frames / f"frame_{k:05d}.png"))


@pytest.mark.parametrize("start, changes", [
    ({}, [("lam", 0.1), ("lam", 0.9), ("lr", 0.3), ("w0_1", -1.5), ("steps", 120), ("lam", 0.35)]),
    ({"preset": "diamond"}, [("lam", 0.2), ("w0_2", -1.0), ("lam", 1.3), ("l1_update", "proximal"),
                             ("reg", ("l1", "l2", "elasticnet")), ("lam", 0.7)]),
    ({"animate": "lam"}, [("lam", 0.8), ("reg", ("l1",)), ("lam", 0.2)]),
    ({"features": 6}, [("lam", 0.05), ("features", 12), ("lam", 0.4), ("features", 4)]),
    ({"optimizer": "adam"}, [("batch_size", 2), ("lam", 0.9), ("batch_size", None)]),
    # fewer runs: the pushes' names were smaller for many (tick_params, which clearing axes keeps)
    ({"features": 2}, [("reg", ("l1", "l2", "decay")), ("reg", ("elasticnet",))]),
    ({}, [("reg", ("none", "l1", "l2", "elasticnet", "decay")), ("reg", ("l1", "l2"))]),
])
def test_after_parameter_changes_in_a_row_the_frame_is_renders(tmp_path, start, changes):
    """The figure is kept across the changes (restaged, not built again): nothing of an earlier
    state survives in the frame."""
    ex = ra.explore(size=(480, 270), **start)
    for name, value in changes:
        ex.controls[name].value = value
    assert ex.restaged >= len(changes) - 2 and ex.rebuilt <= 2  # kept, but where the panels changed
    ex.step.value = ex.step.max // 2
    assert np.array_equal(shown(ex), render_frame(ex, tmp_path, ex.step.value))


def test_changes_faster_than_drawing_are_drawn_once_at_the_latest(tmp_path):
    """In a kernel (an event loop runs), a slider's changes that come while one is drawn are
    drawn once, for the last of them: the picture does not trail the hand."""
    import asyncio

    ex = ra.explore(size=SIZE)
    drawn = ex.restaged + ex.rebuilt

    async def drag():
        for lam in np.linspace(0.1, 0.9, 12):  # one message after another, as a drag sends them
            ex.controls["lam"].value = float(lam)
        await asyncio.sleep(0.05)
    asyncio.run(drag())
    assert ex.restaged + ex.rebuilt == drawn + 1
    assert ex.simulation.scenario.lam == pytest.approx(0.9)

    async def cell():  # code in a cell runs inside the kernel's loop: what it reads is what it set
        ex.controls["lam"].value = 0.2
        assert ex.simulation.scenario.lam == pytest.approx(0.2)
        assert np.array_equal(ex.frame(), ex.scene.frame(ex.step.value))
        await asyncio.sleep(0.05)
    asyncio.run(cell())
    assert ex.restaged + ex.rebuilt == drawn + 2
    ex.controls["lam"].value = 0.9
    ex.step.value = 40
    assert np.array_equal(shown(ex), render_frame(ex, tmp_path, 40))


def test_moving_a_slider_redraws_and_the_state_follows():
    ex = ra.explore(size=SIZE)
    ex.step.value = 100
    before = shown(ex)
    ex.controls["lam"].value = 0.1  # below the threshold 0.335: L1 no longer reaches 0
    after = shown(ex)
    assert not np.array_equal(before, after)
    assert ex.scene.markers["L1"].get_xdata()[0] != 0.0
    ex.controls["lam"].value = 0.5
    assert ex.scene.markers["L1"].get_xdata()[0] == 0.0
    ex.controls["steps"].value = 50
    assert ex.step.max == 50 and ex.step.value == 50  # clamped to the new last step
    ex.controls["features"].value = 2
    assert ex.scene.data.features == 2 and "plane" in ex.scene.panels
    ex.controls["animate"].value = "lam"
    assert ex.scene.data.kind == "lam" and ex.step.description == "λ index"


def test_a_bad_combination_is_said_not_raised():
    ex = ra.explore(size=SIZE, preset="diamond")
    ex.controls["features"].value = 1  # w_true has two numbers
    assert "w_true=(1.2, 0.1): give one number" in ex.message.value
    ex.controls["features"].value = 2
    assert ex.message.value == "" and ex.scene.data.features == 2


def test_the_job_table_is_a_manifest_of_the_same_state(tmp_path):
    ex = ra.explore(size=SIZE, preset="diamond")
    ex.controls["lam"].value = 0.4
    text = ex.job(str(tmp_path / "j.gif"))
    (tmp_path / "m.toml").write_text(text)
    job, = load_manifest(tmp_path / "m.toml")
    assert tomllib.loads(text)["job"][0]["lam"] == 0.4
    assert job.scenario.lam == 0.4 and job.scenario.w0 == (0.2, 1.5) and job.scenario.features == 2


def test_render_from_the_widget_writes_the_file_with_progress(tmp_path):
    ex = ra.explore(size=SIZE)
    result = ex.render(tmp_path / "e.gif", size=SIZE, frames=6)
    assert result.path.is_file() and ex.progress.value == ex.progress.max == 6
    assert "wrote" in ex.message.value


def test_python_errors_name_the_keyword():
    with pytest.raises(ra.ConfigError, match=r"^size=\(640, 3\): must be WIDTHxHEIGHT"):
        ra.explore(size=(640, 3))
    with pytest.raises(ra.ConfigError,
                       match=r"^out='outputs/x.avi': the suffix must be one of \.gif, \.mp4, \.pptx, \.html$"):
        ra.render("outputs/x.avi")
    with pytest.raises(ra.ConfigError, match=r"^sizes=\(640, 360\): is not an option"):
        ra.animate(sizes=(640, 360))


def test_animation_repr_is_one_line_and_the_image_has_alt_text():
    anim = ra.animate(format="gif", size=SIZE, frames=4)
    text = repr(anim)
    assert "\n" not in text and len(text) < 200 and "L1: exactly 0 since step 24" in text
    assert 'alt="Animation of gradient descent: L1: exactly 0 since step 24' in anim._repr_html_()


@pytest.mark.slow
def test_the_example_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = Path(__file__).parent.parent / "example.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")  # kept cleared
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    outputs = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "application/vnd.jupyter.widget-view+json" in outputs and "data:video/mp4;base64" in outputs


@pytest.mark.parametrize("features", [1, 2])
def test_a_small_change_of_lam_keeps_every_panels_frame_and_the_frame_is_renders(tmp_path, features):
    """λ dragged a little: the panels' limits are held, so every panel's frame (grid, ticks,
    labels) is pasted back, not drawn, and the frame is still render's, pixel for pixel."""
    ex = ra.explore(size=(640, 360), lam=0.42, features=features)
    made = {name: list(ax.get_children()) for name, ax in ex.scene.axes.items()}
    ex.controls["lam"].value = 0.425
    assert ex.restaged == 1 and ex.scene.frames_kept == 4
    for name, ax in ex.scene.axes.items():  # each panel shows the new runs on the artists it made
        assert all(a is b for a, b in zip(made[name], ax.get_children(), strict=True)), name
    ex.step.value = ex.step.max // 3
    assert np.array_equal(shown(ex), render_frame(ex, tmp_path, ex.step.value))
    ex.controls["lam"].value = 1.5  # far: the limits move, the frames are drawn again
    assert ex.scene.frames_kept < 4
    assert np.array_equal(shown(ex), render_frame(ex, tmp_path, ex.step.value))


def test_a_change_of_lam_that_cuts_another_bar_keeps_the_pushes_artists_and_the_frame_is_renders(tmp_path):
    """At λ = 0.6 no push passes the edge of the pushes' scale; at 0.7 L2's first pushes do, and
    their bar is marked with its value. Each bar has its mark from the start, so the panel takes
    the new λ on the artists it made, and the marks show as render draws them."""
    ex = ra.explore(size=(480, 270), lam=0.6)
    ax = ex.scene.axes["gradient"]
    made = list(ax.get_children())
    assert not any(text.get_text() for text in ax.texts)
    ex.controls["lam"].value = 0.7
    assert ex.restaged == 1 and all(a is b for a, b in zip(made, ax.get_children(), strict=True))
    assert [text.get_text() for text in ax.texts if text.get_text()] == ["◀ −1.4"]  # at step 0, on show
    assert np.array_equal(shown(ex), render_frame(ex, tmp_path, 0))


def test_a_change_of_matplotlibs_settings_between_changes_draws_the_frames_again():
    """The frames' keys hold what the panels set; matplotlib's settings (a grid's alpha, set by a
    style in the notebook) are compared apart, and a frame drawn with others is not pasted."""
    ex = ra.explore(size=(640, 360), lam=0.42)
    with matplotlib.rc_context({"grid.alpha": 0.3}):
        ex.controls["lam"].value = 0.425
        scene = ex.scene
        assert scene.frames_kept == 0
        fresh = Scene(scene.data, size=scene.size, theme=scene.theme, counter_cells=False)
        assert np.array_equal(fresh.background, scene.background)

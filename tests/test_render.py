"""Rendering: decoded files, the scene's data coordinates, atomic writes and bad options."""
import json
import subprocess
import sys

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from regviz_anim.cli import main
from regviz_anim.options import RenderSettings, Scenario
from regviz_anim.scenedata import scene_data
from regviz_anim.renderer import render_simulation
from regviz_anim.scene import Scene
from regviz_anim.numerics import simulate
from helpers import SMALL



def gif_frames(path):
    with Image.open(path) as im:
        info = []
        for i in range(im.n_frames):
            im.seek(i)
            info.append(im.info.get("duration"))
        return im.n_frames, im.size, im.info.get("loop", "absent"), info


def test_gif_frame_count_size_loop_and_delays(tmp_path):
    out = tmp_path / "a.gif"
    assert main(["render", "-o", str(out), "--fps", "10", "--duration", "2", "--hold", "1.5", *SMALL]) == 0
    n, size, loop, delays = gif_frames(out)
    assert n == 20 and size == (320, 180) and loop == 0
    assert delays[:-1] == [100] * 19 and delays[-1] == 100 + 1500


@pytest.mark.parametrize("loop, stored", [(1, "absent"), (3, 2)])
def test_gif_loop_count_is_how_many_times_it_plays(tmp_path, loop, stored):
    out = tmp_path / "a.gif"
    assert main(["render", "-o", str(out), "--frames", "4", "--loop", str(loop), *SMALL]) == 0
    assert gif_frames(out)[2] == stored


def test_gif_decodes_close_to_the_rendered_frames(tmp_path):
    sim = simulate(Scenario())
    settings = RenderSettings(size=(320, 180), frames=6, hold=0)
    out = tmp_path / "a.gif"
    render_simulation(sim, settings, out)
    scene = Scene(scene_data(sim, 6), size=(320, 180))
    with Image.open(out) as im:
        for i in range(6):
            im.seek(i)
            decoded = np.asarray(im.convert("RGB")).astype(float)
            mse = np.mean((decoded - scene.frame(i)) ** 2)
            assert 10 * np.log10(255**2 / mse) > 40  # PSNR in dB


def test_every_gif_pixel_shows_its_frames_nearest_palette_colour(tmp_path):
    """Exact, pixel for pixel: a pixel left transparent because its palette entry did not change
    shows what the frame asks for, as one that is stored does."""
    from regviz_anim.encoders.gif import NearestColour, words

    sim = simulate(Scenario())
    out = tmp_path / "a.gif"
    render_simulation(sim, RenderSettings(size=(320, 180), frames=12, hold=0), out)
    scene = Scene(scene_data(sim, 12), size=(320, 180))
    with Image.open(out) as im:
        palette = np.array(im.getpalette(), np.uint8).reshape(-1, 3)
        nearest = NearestColour(palette)
        for i in range(12):
            im.seek(i)
            expected = palette[nearest(words(scene.draw(i)))]
            assert np.array_equal(np.asarray(im.convert("RGB")), expected), f"frame {i}"


def probe(path):
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True)
    return next(line for line in proc.stderr.splitlines() if "Video:" in line)


@pytest.mark.parametrize("asked, got", [("320x180", "320x180"), ("321x181", "320x180")])
def test_mp4_is_h264_yuv420p_even_sized_with_all_frames(tmp_path, asked, got):
    out = tmp_path / "a.mp4"
    argv = ["render", "-o", str(out), "--fps", "25", "--frames", "30", "--hold", "1", "--size", asked, "--no-progress"]
    assert main(argv) == 0
    video = probe(out)
    assert "h264" in video and "yuv420p" in video and f" {got}" in video
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == 30 + 25  # the motion, then one second held


def test_last_frame_puts_the_l1_marker_at_exactly_zero():
    sim = simulate(Scenario())
    scene = Scene(scene_data(sim, 50), size=(640, 360))
    scene.frame(scene.frame_count - 1)
    assert scene.markers["L1"].get_xdata()[0] == 0.0
    assert scene.markers["L2"].get_xdata()[0] == pytest.approx(0.20060, abs=5e-6)


def test_same_render_twice_is_byte_identical(tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    for out in (a, b):
        assert main(["render", "-o", str(out), "--frames", "12", *SMALL]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_parallel_drawing_gives_the_same_file(tmp_path):
    one, two = tmp_path / "one.gif", tmp_path / "two.gif"
    assert main(["render", "-o", str(one), "--frames", "40", "--workers", "1", *SMALL]) == 0
    assert main(["render", "-o", str(two), "--frames", "40", "--workers", "2", *SMALL]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_poster_frames_dir_and_sidecar(tmp_path):
    out = tmp_path / "a.gif"
    argv = ["render", "-o", str(out), "--frames", "7", "--poster", str(tmp_path / "p.png"),
            "--frames-dir", str(tmp_path / "frames"), *SMALL]
    assert main(argv) == 0
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"frame_{i:05d}.png" for i in range(7)]
    with Image.open(tmp_path / "p.png") as poster, Image.open(tmp_path / "frames" / "frame_00006.png") as last:
        assert poster.size == (320, 180)
        assert np.array_equal(np.asarray(poster), np.asarray(last))
    record = json.loads((tmp_path / "a.gif.json").read_text())
    assert record["frames"] == 7 and record["render"]["size"] == [320, 180]
    assert record["scenario"]["lam"] == 0.5
    assert [r["zero_step"] for r in record["runs"]] == [24, None]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "a.gif.json", "frames", "p.png"]


@pytest.mark.parametrize("shape", [(180, 320, 4), (7, 5, 3), (1, 1, 3)])
def test_png_bytes_decode_to_the_frame(shape):
    import io

    from regviz_anim.encoders.png import png_bytes

    frame = np.random.default_rng(5).integers(0, 256, shape, dtype=np.uint8)
    with Image.open(io.BytesIO(png_bytes(frame))) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == (shape[1], shape[0])
        assert np.array_equal(np.asarray(image), frame[..., :3])


@pytest.mark.parametrize("frame", [np.zeros((4, 4, 3)), np.zeros((4, 4), np.uint8), np.zeros((4, 4, 2), np.uint8)])
def test_png_bytes_refuses_what_is_not_an_rgb_frame(frame):
    from regviz_anim.encoders.png import png_bytes

    with pytest.raises(ValueError, match=r"a frame must be uint8 of shape \(height, width, 3 or 4\)"):
        png_bytes(frame)


@pytest.mark.parametrize("argv, fragment", [
    (["--size", "10x10"], "--size 10x10: must be WIDTHxHEIGHT, each from 160 to 3840"),
    (["--size", "big"], "--size big: must be WIDTHxHEIGHT"),
    (["--fps", "30"], "--fps 30: a GIF plays exactly only at 1, 2, 4, 5, 10, 20, 25, 50 fps"),
    (["--fps", "0"], "--fps 0: must be a whole number from 1 to 60"),
    (["--theme", "neon"], "--theme neon: must be one of light, dark"),
    (["--panels", "loss,pie"], "--panels loss,pie: must be one or more of loss, weight, fit, gradient"),
    (["--frames", "10", "--duration", "2"], "give --duration or --frames, not both"),
    (["--hold", "-1"], "--hold -1: must be a finite number >= 0"),
    (["--lr", "2"], "lr < 1/(a+0.5) = 1.198"),
])
def test_bad_render_options(tmp_path, capsys, argv, fragment):
    out = tmp_path / "keep.gif"
    out.write_bytes(b"older render")
    assert main(["render", "-o", str(out), *argv, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert out.read_bytes() == b"older render" and list(tmp_path.iterdir()) == [out]


@pytest.mark.parametrize("name, fragment", [
    ("a.avi", "a.avi: the suffix must be one of .gif, .mp4"),
    ("file.txt/a.gif", "file.txt is a file, not a folder"),
    ("file.txt/deeper/a.gif", "file.txt is a file, not a folder"),
])
def test_bad_output_paths(tmp_path, capsys, name, fragment):
    (tmp_path / "file.txt").write_text("not a folder")
    assert main(["render", "-o", str(tmp_path / name), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("regviz-anim: error: --out ") and fragment in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_interrupted_render_leaves_no_file_and_the_old_one_intact(tmp_path, suffix):
    out = tmp_path / f"a{suffix}"
    out.write_bytes(b"older render")

    def interrupt(done, total):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_simulation(simulate(Scenario()), RenderSettings(size=(320, 180), frames=20,
                                                               poster=tmp_path / "p.png"), out, progress=interrupt)
    assert out.read_bytes() == b"older render" and list(tmp_path.iterdir()) == [out]


@pytest.mark.slow
def test_core_and_encoders_import_without_matplotlib(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import regviz_anim.numerics, regviz_anim.scenedata, regviz_anim.export, regviz_anim.encoders\n"
        "from regviz_anim.cli import main\n"
        "sys.exit(main(['simulate', '--steps', '3', '-o', 'x.json']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "x.json").read_text())["runs"][0]["zero_step"] is None


def test_an_encoder_that_cannot_start_leaves_no_temporary_file(tmp_path, monkeypatch):
    from regviz_anim.encoders.mp4 import Mp4Encoder

    def no_ffmpeg(self, tmp):
        raise OSError("ffmpeg would not start")

    monkeypatch.setattr(Mp4Encoder, "_open", no_ffmpeg)
    encoder = Mp4Encoder(tmp_path / "a.mp4", size=(320, 180), fps=20)
    with pytest.raises(OSError, match="would not start"):
        with encoder:
            pass
    assert list(tmp_path.iterdir()) == []  # at once, not when the encoder is garbage-collected
    del encoder


def test_remove_leftovers_takes_only_the_orphans_of_that_target(tmp_path):
    from regviz_anim.outputs.transaction import Transaction, remove_leftovers

    tx = Transaction()
    orphans = [tx.file(tmp_path / "a.gif"), tx.folder(tmp_path / "a.gif")]
    orphans[0].write_bytes(b"half a GIF")
    other = Transaction().file(tmp_path / "b.gif")
    keep = [tmp_path / "a.gif", other, tmp_path / "a.gif.json", tmp_path / ".a.gif.notes"]
    for path in keep:
        path.write_bytes(b"")
    assert sorted(remove_leftovers(tmp_path / "a.gif")) == sorted(orphans)
    assert sorted(tmp_path.iterdir()) == sorted(keep)


# --- the GIF's palette on a thread; the MP4's x264 settings ------------------------------------

def gif_bytes(path, frames, **kwargs):
    from regviz_anim.encoders.gif import GifEncoder
    with GifEncoder(path, size=(320, 180), fps=10, palette_from=frames[::3], **kwargs) as gif:
        for frame in frames:
            gif.write(frame)
        return gif


def small_frames(n=12):
    scene = Scene(scene_data(simulate(Scenario()), n), size=(320, 180))
    return [scene.draw(i).copy() for i in range(n)]


@pytest.mark.parametrize("bound, waits", [(100_000, [1]), (10_000_000, [12])])
def test_frames_that_wait_for_a_slow_palette_give_the_same_bytes_in_bounded_memory(tmp_path, monkeypatch,
                                                                                    bound, waits):
    import threading
    import regviz_anim.encoders.gif as encode

    frames = small_frames()
    gif_bytes(tmp_path / "ready.gif", frames)
    release, build, flush = threading.Event(), encode.build_palette, encode.GifEncoder._flush
    monkeypatch.setattr(encode, "build_palette", lambda samples: release.wait(10) and build(samples))
    monkeypatch.setattr(encode.GifEncoder, "PENDING_BYTES", bound)
    waited = []

    def counting_flush(self):
        if self._pending:
            waited.append(len(self._pending))
        release.set()  # the palette is ready only once something has to wait for it
        flush(self)

    monkeypatch.setattr(encode.GifEncoder, "_flush", counting_flush)
    gif_bytes(tmp_path / "waited.gif", frames)
    assert (tmp_path / "waited.gif").read_bytes() == (tmp_path / "ready.gif").read_bytes()
    # past the bound (the first frame alone is 230 KB of pixels) frames wait no more; under it, all 12 do
    assert waited == waits


def test_a_palette_that_fails_fails_the_render(tmp_path, monkeypatch):
    import regviz_anim.encoders.gif as encode

    def broken(samples):
        raise MemoryError("no room for the palette")
    monkeypatch.setattr(encode, "build_palette", broken)
    with pytest.raises(MemoryError, match="no room for the palette"):
        gif_bytes(tmp_path / "a.gif", small_frames(4))


def test_mp4_decodes_close_to_the_rendered_frames(tmp_path):
    """The x264 settings were chosen for speed at no loss of PSNR (scripts/bench.py: 41.1 dB median at
    1280x720). At 640x360 thin lines lose more to 4:2:0 chroma: 36.2 dB median, as with the old settings."""
    sim = simulate(Scenario())
    out = tmp_path / "a.mp4"
    render_simulation(sim, RenderSettings(size=(640, 360), frames=20, hold=0), out)
    scene = Scene(scene_data(sim, 20), size=(640, 360))
    reader = imageio_ffmpeg.read_frames(str(out), output_params=[
        "-vf", "scale=in_color_matrix=bt709:in_range=tv:flags=accurate_rnd+full_chroma_int"])
    next(reader)
    values = [10 * np.log10(255**2 / np.mean((np.frombuffer(raw, np.uint8).reshape(360, 640, 3).astype(float)
                                               - scene.frame(i)) ** 2)) for i, raw in enumerate(reader)]
    assert len(values) == 20
    assert np.median(values) > 35.8 and min(values) > 35.5, values

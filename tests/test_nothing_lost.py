"""Nothing lost, whatever happens: one commit per render, faults answered, odd values refused.

Each test is one of the numbered cases of the "Nothing lost" issue; the number is in its name.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import imageio_ffmpeg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import regviz_anim as ra
from regviz_anim.outputs.transaction import leftovers
from helpers import SMALL, alive, children, one_line_error, run, tree, wait_for







# --- 1. a frames folder holds only what this tool wrote ------------------------------------------

def test_1_frames_dir_with_other_files_is_refused_and_kept(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mydocs").mkdir()
    (tmp_path / "mydocs" / "notes.txt").write_text("precious")
    status, _, err = cli("render", "--frames", "3", "-o", "b.gif", "--frames-dir", "mydocs", *SMALL)
    assert status == 2 and one_line_error(err, "--frames-dir mydocs: holds 'notes.txt'")
    assert tree(tmp_path) == {"mydocs/notes.txt": b"precious"}


@pytest.mark.parametrize("folder, fragment", [
    ("..", "is the current folder or one of its parents"),
    (".", "is the current folder or one of its parents"),
    ("afile", "is a file, not a folder"),
    ("alink", "is a symbolic link"),
])
def test_1_frames_dir_that_is_a_parent_a_file_or_a_link_is_refused(tmp_path, cli, monkeypatch, folder, fragment):
    work = tmp_path / "work"
    work.mkdir()
    (work / "afile").write_text("mine")
    (tmp_path / "target").mkdir()
    (work / "alink").symlink_to(tmp_path / "target")
    monkeypatch.chdir(work)
    before = tree(tmp_path)
    status, _, err = cli("render", "--frames", "3", "-o", "b.gif", "--frames-dir", folder, *SMALL)
    assert status == 2 and one_line_error(err, f"--frames-dir {folder}", fragment)
    assert tree(tmp_path) == before and sorted(os.listdir(work)) == ["afile", "alink"]


def test_1_poster_inside_the_frames_folder_collides(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = cli("render", "--frames", "3", "-o", "b.gif", "--frames-dir", "F", "--poster", "F/p.png",
                         *SMALL)
    assert status == 2 and one_line_error(err, "--poster F/p.png: collides with --frames-dir F")
    assert list(tmp_path.iterdir()) == []


def test_1_a_folder_of_this_tools_frames_is_replaced_whole(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("render", "--frames", "4", "-o", "b.gif", "--frames-dir", "F", *SMALL)[0] == 0
    assert sorted(os.listdir("F")) == [f"frame_{i:05d}.png" for i in range(4)]
    assert cli("render", "--frames", "3", "-o", "b.gif", "--frames-dir", "F", *SMALL)[0] == 0
    assert sorted(os.listdir("F")) == [f"frame_{i:05d}.png" for i in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["F", "b.gif", "b.gif.json"]


# --- 2. a full disk is a failure, and the earlier files are kept ---------------------------------

def full_disk(limit: int):
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_file_size


@pytest.mark.slow
@pytest.mark.parametrize("name", ["x.mp4", "x.gif"])
def test_2_a_full_disk_keeps_the_earlier_render_and_exits_1(tmp_path, name):
    assert run("render", "-o", name, "--frames", "10", "--poster", "p.png", *SMALL, cwd=tmp_path).returncode == 0
    before = tree(tmp_path)
    proc = run("render", "-o", name, "--frames", "30", "--lam", "0.3", "--poster", "p.png", *SMALL, cwd=tmp_path,
               preexec_fn=full_disk(8_000))
    assert proc.returncode == 1, proc.stderr
    assert one_line_error(proc.stderr, f"rendering {name} failed: ", f"the earlier {name}, p.png, {name}.json are kept")
    # Python's write fails with EFBIG; ffmpeg, whose SIGXFSZ subprocess restores, is stopped by it
    assert "File too large" in proc.stderr or "signal 25 (File size limit exceeded)" in proc.stderr
    assert tree(tmp_path) == before  # byte for byte, and no temporary file left


def test_2_ffmpeg_failing_is_reported_even_when_it_exits_late(tmp_path, monkeypatch):
    from regviz_anim.encoders import EncoderError
    from regviz_anim.encoders.mp4 import Mp4Encoder

    command = Mp4Encoder.command
    monkeypatch.setattr(Mp4Encoder, "command", lambda self: command(self)[:-1] + ["/nonexistent-dir/x.mp4"])
    import numpy as np
    with pytest.raises(EncoderError, match=r"ffmpeg exited with status \d+ \(.*No such file or directory"):
        with Mp4Encoder(tmp_path / "a.mp4", size=(160, 90), fps=10) as encoder:
            encoder.write(np.zeros((90, 160, 4), np.uint8))


# --- 3. one render, one commit; batch trusts only files that match their sidecar ------------------

def test_3_a_failure_partway_leaves_every_earlier_output_as_it_was(tmp_path, cli, monkeypatch):
    from regviz_anim.encoders import PngPoster

    monkeypatch.chdir(tmp_path)
    argv = ["render", "-o", "a.gif", "--poster", "p.png", "--frames-dir", "F", "--frames", "4", *SMALL]
    assert cli(*argv)[0] == 0
    before = tree(tmp_path)

    def disk_full(self, *exc):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PngPoster, "__exit__", disk_full)
    status, _, err = cli(*argv[:-3], "--lam", "0.2", *SMALL)
    assert status == 1 and one_line_error(err, "rendering a.gif failed: No space left on device")
    assert tree(tmp_path) == before


def test_3_the_sidecar_fingerprints_every_output(tmp_path, cli, monkeypatch):
    import hashlib

    monkeypatch.chdir(tmp_path)
    assert cli("render", "-o", "a.gif", "--poster", "p.png", "--frames", "4", *SMALL)[0] == 0
    outputs = json.loads(Path("a.gif.json").read_text())["outputs"]
    for key, name in (("out", "a.gif"), ("poster", "p.png")):
        data = Path(name).read_bytes()
        assert outputs[key] == {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_3_batch_renders_again_an_output_that_no_longer_matches(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 4\n'
                              '[[job]]\nlam = [0.2, 0.5]\nout = "o/{lam}.gif"\nposter = "o/{lam}.png"\n')
    assert cli("batch", "m.toml", "--no-progress")[0] == 0
    assert "2 jobs: 2 skipped" in cli("batch", "m.toml", "--no-progress")[1]
    gif = Path("o/0.2.gif")
    gif.write_bytes(gif.read_bytes()[:-100])             # truncated
    Path("o/0.5.png").write_bytes(Path("o/0.2.png").read_bytes())  # replaced
    status, out, _ = cli("batch", "m.toml", "--no-progress")
    assert status == 0 and "2 jobs: 2 rendered" in out
    assert "2 jobs: 2 skipped" in cli("batch", "m.toml", "--no-progress")[1]


# --- 4. any name the file system accepts -------------------------------------------------------

@pytest.mark.parametrize("length", [230, 237, 250])
def test_4_long_names_render_with_their_sidecar(tmp_path, cli, length):
    out = tmp_path / ("n" * (length - 4) + ".gif")
    poster = tmp_path / ("p" * 251 + ".png")  # 255: no sidecar beside a poster
    assert cli("render", "-o", str(out), "--frames", "3", "--poster", str(poster), *SMALL)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, out.name + ".json", poster.name])


def test_4_a_name_too_long_for_its_sidecar_is_exit_2_before_anything_is_written(tmp_path, cli):
    out = tmp_path / ("n" * 247 + ".gif")  # 251 bytes: fine alone, but NAME.json would be 256
    out.write_bytes(b"older")
    status, _, err = cli("render", "-o", str(out), "--frames", "3", *SMALL)
    assert status == 2 and one_line_error(err, "the name is 256 bytes with its sidecar's '.json'", "allows 255")
    assert tree(tmp_path) == {out.name: b"older"}


# --- 5. a killed render's leftovers are removed by the next render of that target ----------------


@pytest.mark.slow
def test_5_leftovers_of_a_killed_render_are_removed_next_time(tmp_path):
    (tmp_path / ".notes.part.gif").write_text("not ours")
    (tmp_path / ".a.gif.keep").write_text("not ours either")
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "-o", "a.gif", "--frames-dir", "F",
                             "--frames", "400", "--steps", "400", *SMALL], cwd=tmp_path)
    wait_for(lambda: len(leftovers(tmp_path / "a.gif")) == 1 and len(leftovers(tmp_path / "F")) == 1
             and any(leftovers(tmp_path / "F")[0].iterdir()))
    proc.kill()
    proc.wait()
    assert leftovers(tmp_path / "a.gif") and leftovers(tmp_path / "F")
    again = run("render", "-o", "a.gif", "--frames-dir", "F", "--frames", "3", *SMALL, cwd=tmp_path)
    assert again.returncode == 0
    assert "removed 2 temporary file(s) left by an earlier, interrupted render of a.gif" in again.stderr
    assert sorted(os.listdir(tmp_path)) == [".a.gif.keep", ".notes.part.gif", "F", "a.gif", "a.gif.json"]


# --- 6. batch: a dead worker fails its own job; SIGTERM stops everything --------------------------

SLOW_JOBS = ('[defaults]\nsize = "320x180"\nframes = 300\nsteps = 300\n'
             '[[job]]\nlam = [0.2, 0.3, 0.4, 0.5]\nout = "out/lam{lam}.gif"\n')


@pytest.mark.slow
def test_6_a_worker_killed_fails_only_its_job(tmp_path):
    (tmp_path / "m.toml").write_text(SLOW_JOBS)
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "batch", "m.toml", "--jobs", "2", "--no-progress"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: (tmp_path / "out").is_dir() and any(".part" in n for n in os.listdir(tmp_path / "out")))
    victim = children(proc.pid)[0]
    os.kill(victim, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert "4 jobs: 3 rendered, 1 failed" in out
    failed = [line for line in out.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and "worker died (signal 9: SIGKILL)" in failed[0]
    assert not [n for n in os.listdir(tmp_path / "out") if ".part" in n]


@pytest.mark.slow
def test_6_sigterm_stops_every_worker_and_exits_143(tmp_path):
    (tmp_path / "m.toml").write_text(SLOW_JOBS)
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "batch", "m.toml", "--jobs", "2", "--no-progress"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: (tmp_path / "out").is_dir() and any(".part" in n for n in os.listdir(tmp_path / "out")))
    workers = children(proc.pid)
    assert workers
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "interrupted" in err and "Traceback" not in err
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)
    assert not [n for n in os.listdir(tmp_path / "out") if ".part" in n]


# --- 7. every output key is a template; collisions are found before anything renders -------------

def test_7_poster_and_frames_dir_are_templates(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 3\n[[job]]\nlam = [0.2, 0.5]\n'
                              'out = "o/{lam}.gif"\nposter = "p{lam}-{job}.png"\nframes_dir = "f{job}"\n')
    assert cli("batch", "m.toml", "--no-progress")[0] == 0
    assert Path("p0.2-1.png").is_file() and Path("p0.5-2.png").is_file()
    assert len(os.listdir("f1")) == 3 and len(os.listdir("f2")) == 3


@pytest.mark.parametrize("jobs, fragment", [
    ('[[job]]\nlam = [0.2, 0.5]\nout = "{lam}.gif"\nposter = "p.png"\n', "jobs 1 and 2 both write p.png"),
    ('[[job]]\nout = "real/x.gif"\n[[job]]\nout = "link/x.gif"\n', "jobs 1 and 2 both write link/x.gif"),
    ('[[job]]\nout = "a.gif"\nframes_dir = "F"\n[[job]]\nout = "F/b.gif"\n', "jobs 1 and 2 both write F/b.gif"),
    ('[[job]]\nout = "a.gif"\nposter = "a.gif.json"\n', "suffix must be one of .png"),
])
def test_7_collisions_among_all_outputs_are_exit_2(tmp_path, cli, monkeypatch, jobs, fragment):
    monkeypatch.chdir(tmp_path)
    Path("real").mkdir()
    Path("link").symlink_to("real")
    Path("m.toml").write_text(jobs)
    status, out, err = cli("batch", "m.toml", "--no-progress")
    assert status == 2 and out == "" and one_line_error(err, fragment)
    assert sorted(os.listdir()) == ["link", "m.toml", "real"] and os.listdir("real") == []


# --- 8. values that would overflow are refused; every JSON is strict; no frame from a NaN ---------

@pytest.mark.parametrize("argv, fragment", [
    (["--w0", "1e200"], "--w0 1e200: must be a finite number >= -1e+06 and <= 1e+06"),
    (["--noise", "1e200"], "--noise 1e200: must be a finite number >= 0 and <= 1e+06"),
    (["--w-true", "1e300"], "--w-true 1e300: must be a finite number >= -1e+06 and <= 1e+06"),
    (["--x-range=-1e308,1e308", "--allow-divergence"], "--x-range -1e308,1e308: must be two numbers"),
    (["--x-range=0,1e200"], "within ±1e+06"),
    (["--x-range=0,1e-300"], "at least 1e-06 apart"),
    (["--lam", "1e300"], "--lam 1e300: must be a finite number >= 0 and <= 1e+06"),
])
def test_8_values_that_overflow_are_exit_2(tmp_path, cli, argv, fragment):
    status, out, err = cli("simulate", "-o", str(tmp_path / "s.json"), *argv)
    assert status == 2 and one_line_error(err, fragment) and list(tmp_path.iterdir()) == []


def strict(text: str):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def magnitudes(low, high):
    return st.floats(low, high).map(lambda e: 10.0 ** e)


extreme = st.fixed_dictionaries({
    "w0": st.one_of(magnitudes(-8, 6), st.just(0.0)).flatmap(lambda v: st.sampled_from([v, -v])),
    "w_true": st.one_of(magnitudes(-8, 6), st.just(0.0)).flatmap(lambda v: st.sampled_from([v, -v])),
    "lam": st.one_of(magnitudes(-8, 6), st.just(0.0)),
    "lr": magnitudes(-8, 8),
    "noise": st.one_of(st.just(0.0), magnitudes(-6, 6)),
    "x_range": st.tuples(magnitudes(-6, 6), magnitudes(-6, 6)).map(lambda p: f"{-p[0]!r},{p[1]!r}"),
    "reg": st.sampled_from(["l1,l2", "none,elasticnet", "l1"]),
    "l1_update": st.sampled_from(["subgradient", "clipped", "proximal"]),
    "schedule": st.sampled_from(["constant", "inv_sqrt", "inv"]),
    "allow_divergence": st.booleans(),
})


def argv_of(options: dict) -> list[str]:
    argv = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            argv += [flag] if value else []
        else:
            argv.append(f"{flag}={value}")
    return argv


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=extreme)
def test_8_extreme_values_simulate_to_strict_json_or_a_clear_error(cli, options):
    status, out, err = cli("simulate", "--steps", "50", *argv_of(options))
    assert (status == 0 and err == "") or (status == 2 and one_line_error(err)), err
    if status == 0:
        document = strict(out)
        assert all(run["w"] and len(run["w"]) == len(run["loss"]) for run in document["runs"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=extreme)
def test_8_extreme_values_render_or_give_a_clear_error(tmp_path, cli, options):
    out = tmp_path / "x.gif"
    status, _, err = cli("render", "-o", str(out), "--steps", "30", "--frames", "3", "--size", "160x90",
                         "--no-progress", *argv_of(options))
    assert status in (0, 2) and "Traceback" not in err, err
    if status == 0:
        strict((tmp_path / "x.gif.json").read_text())
    else:
        assert one_line_error(err)


def test_8_scene_data_refuses_non_finite_numbers():
    import numpy as np
    from regviz_anim.numerics import simulate
    from regviz_anim.options import Scenario
    from regviz_anim.scenedata import scene_data

    sim = simulate(Scenario())
    run = sim.runs[0]
    broken = type(run)(**{**run.__dict__, "w": np.array([[1.0], [np.nan]])})
    with pytest.raises(ValueError, match="not finite"):
        scene_data(type(sim)(sim.scenario, sim.data, (broken,), sim.clock), 2)


# --- 9. one cap on the number of frames ---------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["--duration", "100000"], "--duration 100000.0: at 20 fps must be at most 5000 s (100000 frames)"),
    (["--duration", "1e12"], "--duration 1000000000000.0: at 20 fps must be at most 5000 s"),
    (["--frames", "100001"], "--frames 100001: must be a whole number from 2 to 100000"),
])
def test_9_duration_and_frames_share_one_cap(tmp_path, cli, argv, fragment):
    status, _, err = cli("render", "-o", str(tmp_path / "a.gif"), *argv, "--no-progress")
    assert status == 2 and one_line_error(err, fragment) and list(tmp_path.iterdir()) == []


# --- 10. manifests that are odd in shape or size -----------------------------------------------

@pytest.mark.parametrize("content, fragment", [
    (b'[[job]]\nout = "a\xff.gif"\n', "not UTF-8 text: byte 16 is 0xff"),
    (b"job = [1]\n", "needs [[job]] tables"),
    (b'[[job]]\nout = "{lam.x}.gif"\n', "out = '{lam.x}.gif': cannot fill the template at {lam.x}"),
    (b'[[job]]\nout = "{lam:>9}.gif"\n', "cannot fill the template at {lam:>9}"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b'\n[[job]]\nout = "a.gif"\n', "nested too deeply"),
    (b'[[job]]\nlam = [' + b"0.1," * 1000 + b'0.2]\nw0 = [' + b"1.0," * 1000 + b'2.0]\nout = "{job}.gif"\n',
     "expands to more than 10000 jobs (by job 1)"),
    (b'[[job]]\n' + b"".join(k + b' = [' + b"1," * 999 + b'2]\n' for k in (b"seed", b"steps", b"n_points", b"fps"))
     + b'out = "{job}.gif"\n', "expands to more than 10000 jobs"),
])
def test_10_odd_manifests_are_exit_2_with_one_line(tmp_path, cli, content, fragment):
    path = tmp_path / "m.toml"
    path.write_bytes(content)
    status, out, err = cli("batch", str(path), "--no-progress")
    assert status == 2 and out == "" and one_line_error(err, f"{path}: ", fragment)
    assert os.listdir(tmp_path) == ["m.toml"]


def test_10_a_byte_order_mark_is_accepted(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_bytes('\ufeff[[job]]\nsize = "320x180"\nframes = 3\nout = "a.gif"\n'.encode("utf-8"))
    assert cli("batch", "m.toml", "--no-progress")[0] == 0 and Path("a.gif").is_file()


# --- 11. a missing output folder is created, everywhere, and only once the values are good --------

def test_11_render_creates_a_missing_folder_and_says_so(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = cli("render", "-o", "outputs/sub/seed.mp4", "--frames", "3", *SMALL)
    assert status == 0 and Path("outputs/sub/seed.mp4").is_file()
    assert "created the folder outputs/" in err and "created the folder outputs/sub/" in err


def test_11_the_api_creates_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ra.render("outputs/seed.gif", frames=3, size=(320, 180))
    assert result.path.is_file() and result.created == (Path("outputs"),)


def test_11_a_bad_value_creates_nothing(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("render", "--lam", "-1")[0] == 2
    assert cli("render", "-o", "new/a.gif", "--fps", "30")[0] == 2
    assert os.listdir() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_11_a_folder_that_is_not_writable_is_exit_2(tmp_path, cli):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    status, _, err = cli("render", "-o", str(locked / "sub" / "a.gif"), *SMALL)
    assert status == 2 and one_line_error(err, "is not writable")


# --- 12. one line on Ctrl-C; the same refusal everywhere -----------------------------------------

@pytest.mark.slow
def test_12_ctrl_c_with_workers_prints_one_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "-o", "a.gif", "--workers", "2",
                             "--frames", "600", "--steps", "600", *SMALL], cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: leftovers(tmp_path / "a.gif") and leftovers(tmp_path / "a.gif")[0].stat().st_size > 0)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == "regviz-anim: interrupted; nothing was left half-written\n"
    assert os.listdir(tmp_path) == []


def test_12_display_writes_no_poster_or_frames(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    anim = ra.animate(format="gif", poster="p.png", frames_dir="F", frames=3, size=(320, 180))
    assert anim._repr_html_().startswith("<img") and os.listdir() == []
    anim.save("a.gif")
    assert sorted(os.listdir()) == ["F", "a.gif", "a.gif.json", "p.png"]


@pytest.mark.parametrize("call, fragment", [
    (lambda: ra.simulate(steps=Decimal("5.5")), "steps=Decimal('5.5'): must be a whole number"),
    (lambda: ra.simulate(steps=5.5), "steps=5.5: must be a whole number"),
    (lambda: ra.simulate(fps=3), "fps=3: is not an option of simulate"),
    (lambda: ra.simulate(preset=["seed"]), "preset=['seed']: must be one of seed"),
    (lambda: ra.render("a.gif", lam="1_0"), "lam='1_0': must be a finite number"),
])
def test_12_the_api_refuses_what_it_cannot_take_exactly(tmp_path, monkeypatch, call, fragment):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ra.ConfigError) as error:
        call()
    assert fragment in str(error.value) and os.listdir() == []


def test_12_whole_numbers_that_are_exact_are_accepted():
    assert len(ra.simulate(steps=Decimal("5"), reg="l2").runs[0].w) == 6
    assert len(ra.simulate(steps=5.0, reg="l2").runs[0].w) == 6


@pytest.mark.parametrize("argv", [["--lam", "1_0"], ["--lam", "\u0661"], ["--steps", "1_0"], ["--steps", "\u0665"],
                                  ["--seed", "\uff11"]])
def test_12_the_command_line_takes_plain_ascii_numbers_only(cli, argv):
    status, out, err = cli("simulate", *argv)
    assert status == 2 and out == "" and one_line_error(err, argv[0])


# --- 13. the MP4 is tagged BT.709 through and through ------------------------------------------

@pytest.mark.slow
def test_13_mp4_colour_tags_are_all_bt709(tmp_path, cli):
    out = tmp_path / "a.mp4"
    assert cli("render", "-o", str(out), "--frames", "3", *SMALL)[0] == 0
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)],
                          capture_output=True, text=True)
    video = next(line for line in proc.stderr.splitlines() if "Video:" in line)
    assert "yuv420p(tv, bt709, progressive)" in video  # ffmpeg prints one name when all three agree
    assert "unknown" not in video


# === The second round: commits that cannot half-happen, writers that respect each other, a =====
# === cluster that cannot hang us. Case N is defect N - 13 of the issue. ===========================

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskProcesses:
    """A scheduler and a worker of two processes, each a process of its own that a test may kill."""

    def __init__(self, folder: Path):
        pytest.importorskip("distributed")
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        log = open(folder / "dask.log", "w")
        quiet = {"stdout": log, "stderr": log, "start_new_session": True}
        self.scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                                           "127.0.0.1", "--port", port, "--no-dashboard"], **quiet)
        self.worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                                        "--nworkers", "2", "--nthreads", "1", "--no-dashboard"], **quiet)
        import distributed

        with distributed.Client(self.address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)

    def stop(self):
        for proc in (self.worker, self.scheduler):
            with_kill = proc.poll() is None
            if with_kill:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def dask_processes(tmp_path):
    cluster = DaskProcesses(tmp_path)
    yield cluster
    cluster.stop()


TWELVE_JOBS = ('[defaults]\nsize = "320x180"\nframes = 60\n'
               '[[job]]\nlam = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]\n'
               'out = "out/l{lam}.gif"\n')


def start_batch(tmp_path, *argv):
    return subprocess.Popen([sys.executable, "-m", "regviz_anim", "batch", *argv, "--no-progress"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --- 14. a Dask batch whose scheduler dies ends, with a row for every job -----------------------

@pytest.mark.slow
def test_14_a_dask_batch_whose_scheduler_dies_ends_with_every_row(tmp_path, dask_processes):
    (tmp_path / "m.toml").write_text(TWELVE_JOBS)
    proc = start_batch(tmp_path, "m.toml", "--scheduler", dask_processes.address)
    wait_for(lambda: (tmp_path / "out").is_dir() and any(n.endswith(".gif") for n in os.listdir(tmp_path / "out")))
    os.killpg(dask_processes.scheduler.pid, signal.SIGKILL)
    start = time.monotonic()
    out, err = proc.communicate(timeout=90)
    assert time.monotonic() - start < 40  # the cluster's death is noticed within LOST seconds (10)
    assert proc.returncode == 1 and err == "", err
    rows = [line for line in out.splitlines() if line.startswith(("rendered", "failed"))]
    assert len(rows) == 12 and any(row.startswith("rendered") for row in rows)
    failed = [row for row in rows if row.startswith("failed")]
    assert failed and all(f"the Dask scheduler at {dask_processes.address} went away" in row for row in failed)
    for row in rows:  # what finished is there, whole; nothing half-written
        name = row.split()[1]
        assert (tmp_path / name).exists() == row.startswith("rendered")
    assert not [n for n in os.listdir(tmp_path / "out") if n.startswith(".")]


@pytest.mark.slow
def test_14_sigterm_to_a_dask_batch_exits_143_in_one_line(tmp_path, dask_processes):
    (tmp_path / "m.toml").write_text(TWELVE_JOBS)
    proc = start_batch(tmp_path, "m.toml", "--scheduler", dask_processes.address)
    wait_for(lambda: (tmp_path / "out").is_dir() and any(n.endswith(".gif") for n in os.listdir(tmp_path / "out")))
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and err == "regviz-anim: interrupted; nothing was left half-written\n"
    assert not [n for n in os.listdir(tmp_path / "out") if n.startswith(".")]


# --- 15. a scheduler that accepts and never answers is given up on -----------------------------

@pytest.mark.slow
@pytest.mark.parametrize("server", ["silent", "http"])
def test_15_a_scheduler_that_never_answers_is_exit_1_after_the_bound(tmp_path, cli, monkeypatch, server):
    pytest.importorskip("distributed")
    import socket
    import http.server

    from regviz_anim.batch import cluster

    monkeypatch.setattr(cluster, "CONNECT", 2.0)
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[[job]]\nout = "a.gif"\nframes = 3\n')
    if server == "silent":
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        accepted = []
        threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    else:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        port = listener.server_address[1]
        threading.Thread(target=listener.serve_forever, daemon=True).start()
    start = time.monotonic()
    status, out, err = cli("batch", "m.toml", "--scheduler", f"tcp://127.0.0.1:{port}", "--no-progress")
    assert time.monotonic() - start < 10
    assert status == 1 and out == "" and one_line_error(err, f"cannot reach the Dask scheduler at "
                                                             f"tcp://127.0.0.1:{port}: no answer within 2 s")
    assert sorted(os.listdir()) == ["m.toml"]
    if server == "http":
        listener.shutdown()
        listener.server_close()
    else:
        listener.close()


# --- 16. a commit either completes or leaves every earlier file as it was, and says which -------

def test_16_a_sidecar_path_that_is_a_folder_is_refused_before_rendering(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("render", "-o", "x.gif", "--frames", "3", *SMALL)[0] == 0
    os.remove("x.gif.json")
    os.mkdir("x.gif.json")
    before = tree(tmp_path)
    status, _, err = cli("render", "-o", "x.gif", "--lam", "0.3", "--frames", "3", *SMALL)
    assert status == 2 and one_line_error(err, "--out x.gif: x.gif.json is a folder")
    assert tree(tmp_path) == before and Path("x.gif.json").is_dir()


def test_16_a_frames_folder_on_a_mount_point_is_refused(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("mnt")
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: os.path.basename(os.fspath(p)) == "mnt" or real(p))
    status, _, err = cli("render", "-o", "x.gif", "--frames-dir", "mnt", "--frames", "3", *SMALL)
    assert status == 2 and one_line_error(err, "--frames-dir mnt: is a mount point")
    assert sorted(os.listdir()) == ["mnt"]


def failing_rename(monkeypatch, fails, also_back=False):
    """os.replace fails (EBUSY) onto a target whose name ``fails`` accepts; with ``also_back``, putting
    the new file back fails too."""
    import errno

    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if fails(os.path.basename(os.fspath(dst))) and ".part" in os.fspath(src):
            raise OSError(errno.EBUSY, "Device or resource busy", os.fspath(dst))
        if also_back and ".part" in os.fspath(dst) and not os.fspath(dst).endswith(".d"):
            raise OSError(errno.EBUSY, "Device or resource busy", os.fspath(dst))
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("last", ["x.gif.json", "F"])
def test_16_a_rename_failing_midway_puts_back_every_earlier_file(tmp_path, cli, monkeypatch, last):
    monkeypatch.chdir(tmp_path)
    argv = ["render", "-o", "x.gif", "--poster", "p.png", "--frames-dir", "F", "--frames", "3", *SMALL]
    assert cli(*argv)[0] == 0
    before = tree(tmp_path)
    failing_rename(monkeypatch, lambda name: name == last)
    status, _, err = cli(*argv, "--lam", "0.3")
    assert status == 1 and one_line_error(err, f"rendering x.gif failed: {last}: Device or resource busy",
                                          "the earlier x.gif, p.png, F, x.gif.json are kept")
    assert tree(tmp_path) == before  # the GIF and poster renamed before it are the earlier ones again


def test_16_a_commit_that_cannot_be_undone_says_which_files_are_new(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["render", "-o", "x.gif", "--poster", "p.png", "--frames", "3", *SMALL]
    assert cli(*argv)[0] == 0
    old = tree(tmp_path)
    failing_rename(monkeypatch, lambda name: name == "x.gif.json", also_back=True)
    status, _, err = cli(*argv, "--lam", "0.3")
    assert status == 1 and one_line_error(err, "x.gif, p.png hold the new render and could not be put back",
                                          "the earlier x.gif.json is kept")
    now = tree(tmp_path)
    assert now["x.gif.json"] == old["x.gif.json"] and now["x.gif"] != old["x.gif"]


# --- 17. two writers of one target: the second says so; neither destroys the other's work -------

def test_17_a_target_being_written_is_exit_2_and_its_files_are_untouched(tmp_path, cli, monkeypatch):
    from regviz_anim.outputs.transaction import Transaction

    monkeypatch.chdir(tmp_path)
    with Transaction() as other:  # another live render of x.gif, as far as any writer can tell
        other.prepare([Path("x.gif")])
        staged = other.file(Path("x.gif"))
        staged.write_bytes(b"half a GIF")
        status, _, err = cli("render", "-o", "x.gif", "--frames", "3", *SMALL)
        assert status == 2 and one_line_error(err, f"--out x.gif: x.gif is being written by another render "
                                                   f"(pid {os.getpid()})")
        assert staged.read_bytes() == b"half a GIF"
        from regviz_anim.outputs.transaction import remove_leftovers
        assert remove_leftovers(Path("x.gif")) == [] and staged.exists()  # a live writer's: not leftovers
        Path("m.toml").write_text('[[job]]\nout = "x.gif"\nframes = 3\nsize = "320x180"\n')
        status, out, _ = cli("batch", "m.toml", "--no-progress")
        assert status == 1 and "x.gif is being written by another render" in out
        assert staged.read_bytes() == b"half a GIF"
        other.abort()
    assert not [n for n in os.listdir() if n.startswith(".")]  # the lock goes with its writer
    assert cli("render", "-o", "x.gif", "--frames", "3", *SMALL)[0] == 0


@pytest.mark.slow
def test_17_a_killed_writers_lock_does_not_block_the_next(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "-o", "a.gif", "--frames", "400",
                             "--steps", "400", *SMALL], cwd=tmp_path)
    wait_for(lambda: any(n.endswith(".lock") for n in os.listdir(tmp_path)) and leftovers(tmp_path / "a.gif"))
    proc.kill()
    proc.wait()
    again = run("render", "-o", "a.gif", "--frames", "3", *SMALL, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(tmp_path)) == ["a.gif", "a.gif.json"]


@pytest.mark.slow
def test_17_concurrent_renders_of_one_target_never_both_succeed_with_a_broken_file(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "-o", "a.gif", "--frames", "60",
                               "--lam", str(lam), *SMALL], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
             for lam in (0.2, 0.3, 0.4)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert all(code in (0, 2) for code, _ in results) and any(code == 0 for code, _ in results)
    assert all("is being written by another render" in err for code, err in results if code == 2)
    record = json.loads((tmp_path / "a.gif.json").read_text())
    import hashlib
    assert record["outputs"]["out"]["sha256"] == hashlib.sha256((tmp_path / "a.gif").read_bytes()).hexdigest()
    assert sorted(os.listdir(tmp_path)) == ["a.gif", "a.gif.json"]


# --- 18. a deck is up to date only when its jobs, their order and its own bytes are -------------

def test_18_a_deck_follows_its_jobs_order_and_its_own_bytes(tmp_path, cli, monkeypatch):
    pytest.importorskip("pptx")
    monkeypatch.chdir(tmp_path)
    head = '[defaults]\nsize = "320x180"\nframes = 4\ndeck = "d.pptx"\n'
    job = '[[job]]\nlam = {lam}\nout = "o/{name}.mp4"\n'
    Path("m.toml").write_text(head + job.format(lam=0.2, name="a") + job.format(lam=0.4, name="b"))
    assert "wrote deck d.pptx (2 slides)" in cli("batch", "m.toml", "--no-progress")[1]
    assert "deck d.pptx up to date" in cli("batch", "m.toml", "--no-progress")[1]

    def titles():
        from pptx import Presentation
        return [{s.name: s for s in slide.shapes}["Title"].text_frame.text.replace("\xa0", " ")
                for slide in Presentation("d.pptx").slides]

    Path("m.toml").write_text(head + job.format(lam=0.4, name="b") + job.format(lam=0.2, name="a"))
    out = cli("batch", "m.toml", "--no-progress")[1]
    assert "2 jobs: 2 skipped" in out and "wrote deck d.pptx (2 slides)" in out
    assert ["λ = 0.4" in t for t in titles()] == [True, False]
    Path("m.toml").write_text(head + job.format(lam=0.4, name="b"))
    assert "wrote deck d.pptx (1 slides)" in cli("batch", "m.toml", "--no-progress")[1]
    Path("d.pptx").write_bytes(b"")
    assert "wrote deck d.pptx (1 slides)" in cli("batch", "m.toml", "--no-progress")[1]
    assert "deck d.pptx up to date" in cli("batch", "m.toml", "--no-progress")[1]


# --- 19. a Dask job's outputs come in bounded chunks: memory flat in the job's size ---------------

@pytest.mark.slow
def test_19_outputs_are_fetched_in_chunks_and_the_workers_folders_removed(tmp_path, cli, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from regviz_anim.batch import cluster

    monkeypatch.setattr(cluster, "CHUNK", 20_000)
    reads = []
    real = cluster.chunks
    monkeypatch.setattr(cluster, "chunks", lambda files: reads.extend(real(files)) or real(files))
    monkeypatch.chdir(tmp_path)
    manifest = '[defaults]\nsize = "320x180"\nframes = 12\n[[job]]\nout = "{w}/a.gif"\nframes_dir = "{w}/f"\n'
    Path("here.toml").write_text(manifest.replace("{w}", "here"))
    Path("there.toml").write_text(manifest.replace("{w}", "there"))
    assert cli("batch", "here.toml", "--no-progress")[0] == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as lc:
        status, out, _ = cli("batch", "there.toml", "--scheduler", lc.scheduler_address, "--no-progress")
    assert status == 0, out
    assert tree(Path("there")) == tree(Path("here")) | {"a.gif.json": tree(Path("there"))["a.gif.json"]}
    assert len(reads) > 3 and all(sum(part[3] for part in read) <= 20_000 for read in reads)
    assert not [p for p in Path(tempfile_dir()).iterdir() if p.name.startswith("regviz-anim-job-")
                and p.stat().st_mtime > time.time() - 60]


def tempfile_dir() -> str:
    import tempfile
    return tempfile.gettempdir()


@pytest.mark.slow
def test_19_a_killed_workers_job_folder_is_removed_by_the_next_job(tmp_path, monkeypatch):
    import tempfile

    from regviz_anim.outputs import scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = ("import os, sys; sys.path[:0] = [{!r}]; import tempfile; tempfile.tempdir = {!r}; "
            "from regviz_anim.outputs import scratch; f = scratch.new_folder('job'); (f / 'x.part').write_bytes(b'1'); "
            "print(f, flush=True); os.kill(os.getpid(), 9)").format(str(Path(__file__).parents[1]), str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    orphan = Path(proc.stdout.strip())
    assert orphan.is_dir()
    mine = scratch.new_folder("job")
    assert not orphan.exists() and mine.is_dir()
    assert scratch.sweep("job") == [] and mine.is_dir()  # a live process's own folder stays
    scratch.release(mine)
    assert list(tmp_path.iterdir()) == []


# --- 20. a malformed scheduler address is exit 2 at once ------------------------------------------

@pytest.mark.parametrize("address, fragment", [
    ("foo", "must be tcp://HOST:PORT"),
    ("tcp://h:notaport", "must be tcp://HOST:PORT"),
    ("tcp://h:70000", "must be tcp://HOST:PORT"),
    ("udp://1.2.3.4:5", "udp:// is not a scheme this batch speaks"),
    ("tls://127.0.0.1:8786", "tls:// needs certificates"),
])
def test_20_a_malformed_scheduler_address_is_exit_2_at_once(tmp_path, cli, monkeypatch, address, fragment):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[[job]]\nout = "a.gif"\n')
    start = time.monotonic()
    status, out, err = cli("batch", "m.toml", "--scheduler", address)
    assert time.monotonic() - start < 5
    assert status == 2 and out == "" and one_line_error(err, f"--scheduler {address}: {fragment}")
    Path("m.toml").write_text(f'[defaults]\nscheduler = "{address}"\n[[job]]\nout = "a.gif"\n')
    if "tls" not in address:  # the manifest checks the form; TLS settings are checked when it runs
        status, _, err = cli("batch", "m.toml", "--dry-run")
        assert status == 2 and fragment in err
    assert sorted(os.listdir()) == ["m.toml"]


# --- 21. modes from the umask -------------------------------------------------------------------

@pytest.mark.slow
def test_21_every_output_takes_its_mode_from_the_umask(tmp_path):
    argv = ["-o", "a.gif", "--poster", "p.png", "--frames-dir", "F", "--frames", "3", *SMALL]
    for umask, file_mode, folder_mode in ((0o077, 0o600, 0o700), (0o002, 0o664, 0o775)):
        for name in ("a.gif", "a.gif.json", "p.png", "s.json"):
            (tmp_path / name).unlink(missing_ok=True)
        def with_umask(umask=umask):
            os.umask(umask)
        assert run("render", *argv, cwd=tmp_path, preexec_fn=with_umask).returncode == 0
        assert run("simulate", "-o", "s.json", cwd=tmp_path, preexec_fn=with_umask).returncode == 0
        for name in ("a.gif", "a.gif.json", "p.png", "s.json", "F/frame_00000.png"):
            assert (tmp_path / name).stat().st_mode & 0o777 == file_mode, name
        assert (tmp_path / "F").stat().st_mode & 0o777 == folder_mode


# --- 22. no temporary folder outside the target's folder -----------------------------------------

@pytest.mark.slow
def test_22_a_deck_render_works_beside_its_target_not_in_tmpdir(tmp_path):
    pytest.importorskip("pptx")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "render", "-o", "a.pptx", "--frames", "400",
                             "--steps", "400", *SMALL], cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp)})
    wait_for(lambda: any(n.endswith(".part.d") for n in os.listdir(tmp_path)))
    proc.kill()
    proc.wait()
    assert list(tmp.iterdir()) == [] and len(leftovers(tmp_path / "a.pptx")) == 1
    again = run("render", "-o", "a.pptx", "--frames", "3", *SMALL, cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp)})
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(tmp_path)) == ["a.pptx", "a.pptx.json", "tmp"] and list(tmp.iterdir()) == []


# --- 23. exact minimisers that stay exact when the features are nearly the same -----------------

@pytest.mark.parametrize("corr", [0.999999, -0.999999, 0.99999999, 0.9999999999999])
@pytest.mark.parametrize("reg", ["none", "l1", "l2", "elasticnet"])
def test_23_the_minimiser_is_below_every_iterate_however_alike_the_features(corr, reg):
    for w_true, noise in (((1.2, 0.1), 0.0), ((1.0, -1.0), 0.3)):
        sim = ra.simulate(features=2, corr=corr, reg=reg, l1_update="proximal", steps=800, lr=0.2, lam=0.3,
                          w_true=w_true, noise=noise)
        run_, data = sim.runs[0], sim.data
        best = float(run_.penalty.objective(data, run_.w_star))
        assert best <= float(run_.loss.min()) + 1e-12 * max(1.0, abs(best))


def test_23_features_the_same_to_rounding_are_exit_2_naming_the_correlation(cli):
    status, out, err = cli("simulate", "--features", "2", "--corr", "0.9999999999999999", "--reg", "none")
    assert status == 2 and out == "" and one_line_error(err, "--corr 0.9999999999999999: the two features are the "
                                                             "same to rounding", "line of minimisers")
    assert cli("simulate", "--features", "2", "--corr", "0.9999999999999999", "--reg", "l2")[0] == 0


# --- 24. the smaller ones ------------------------------------------------------------------------

@pytest.mark.slow
def test_24_simulate_streams_its_document(tmp_path):
    """A long simulation is written as it is made: memory grows with the arrays, not the text."""
    def peak(steps: int) -> tuple[int, int]:
        out = tmp_path / f"s{steps}.json"
        code = ("import resource, sys; from regviz_anim.cli import main; main(sys.argv[1:]); "
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        proc = subprocess.run([sys.executable, "-c", code, "simulate", "--steps", str(steps), "--reg", "l1,l2",
                               "-o", str(out)], capture_output=True, text=True, check=True)
        return int(proc.stdout.split()[-1]) * 1024, out.stat().st_size
    small, _ = peak(100)
    big, size = peak(300_000)
    assert big - small < 0.25 * size  # building the document whole took several times its size


@settings(max_examples=60, deadline=None)
@given(doc=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20),
    numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=9000))
def test_24_the_streamed_json_is_the_json_of_the_whole_document(doc, numbers):
    import numpy as np

    from regviz_anim.export import json_chunks, strict_json

    whole = {"doc": doc, "w": numbers, "rows": [numbers[:3], numbers[3:5]]}
    streamed = {"doc": doc, "w": np.array(numbers), "rows": [np.array(numbers[:3]), np.array(numbers[3:5])]}
    assert "".join(json_chunks(streamed)) + "\n" == strict_json(whole)


@pytest.mark.parametrize("out", [None, b"a.gif", 3, ""])
def test_24_the_api_names_the_keyword_of_an_output_that_is_not_a_path(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ra.ConfigError, match=r"^out=.*: must be a file path \(a str or os.PathLike\)"):
        ra.render(out, frames=2)
    with pytest.raises(ra.ConfigError, match=r"^out=.*: must be a file path"):
        ra.animate(frames=2).save(out)
    assert os.listdir() == []


def test_24_the_explorers_render_button_says_why_a_file_is_not_written(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.chdir(tmp_path)
    explorer = ra.explore(size=(320, 180), steps=20)
    explorer.out_name.value = "nowhere.txt"
    explorer.render_button.click()
    assert "Not written:" in explorer.message.value and "out=&#x27;nowhere.txt&#x27;" in explorer.message.value
    assert os.listdir() == []


@pytest.mark.slow
def test_24_too_few_file_descriptors_is_one_line(tmp_path):
    (tmp_path / "m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 12\n'
                                     '[[job]]\nlam = [0.1, 0.2, 0.3]\nout = "o/{lam}.gif"\n')

    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (10, 10))
    proc = run("batch", "m.toml", "--no-progress", cwd=tmp_path, preexec_fn=few_files)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert one_line_error(proc.stderr, "Too many open files (this process may open 10")


def test_24_a_stop_inside_a_finaliser_is_kept_for_the_next_checkpoint():
    import weakref

    from regviz_anim.interrupts import checkpoint, keep_stops

    class Thing:
        pass

    def finaliser(_):
        raise KeyboardInterrupt  # as a signal's handler does, wherever the main thread is

    with keep_stops():
        thing = Thing()
        ref = weakref.ref(thing, finaliser)
        del thing  # Python would print "Exception ignored in ..." and carry on
        with pytest.raises(KeyboardInterrupt):
            checkpoint()
        checkpoint()  # raised once
    assert ref() is None

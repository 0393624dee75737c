"""Nothing lost, whatever happens: one commit per render, faults answered, odd values refused.

Each test is one of the numbered cases of the "Nothing lost" issue; the number is in its name.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import imageio_ffmpeg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import regviz_anim as ra
from regviz_anim.cli import main
from regviz_anim.transaction import leftovers
from processes import alive, children

SMALL = ["--size", "320x180", "--no-progress"]


def cli(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run(*argv, cwd, **kwargs):
    return subprocess.run([sys.executable, "-m", "regviz_anim", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=120, **kwargs)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(err: str, *fragments: str) -> bool:
    return (err.startswith("regviz-anim: error: ") and err.count("\n") == 1 and "Traceback" not in err
            and all(f in err for f in fragments))


# --- 1. a frames folder holds only what this tool wrote ------------------------------------------

def test_1_frames_dir_with_other_files_is_refused_and_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mydocs").mkdir()
    (tmp_path / "mydocs" / "notes.txt").write_text("precious")
    status, _, err = cli(capsys, "render", "--frames", "3", "-o", "b.gif", "--frames-dir", "mydocs", *SMALL)
    assert status == 2 and one_line_error(err, "--frames-dir mydocs: holds 'notes.txt'")
    assert tree(tmp_path) == {"mydocs/notes.txt": b"precious"}


@pytest.mark.parametrize("folder, fragment", [
    ("..", "is the current folder or one of its parents"),
    (".", "is the current folder or one of its parents"),
    ("afile", "is a file, not a folder"),
    ("alink", "is a symbolic link"),
])
def test_1_frames_dir_that_is_a_parent_a_file_or_a_link_is_refused(tmp_path, capsys, monkeypatch, folder, fragment):
    work = tmp_path / "work"
    work.mkdir()
    (work / "afile").write_text("mine")
    (tmp_path / "target").mkdir()
    (work / "alink").symlink_to(tmp_path / "target")
    monkeypatch.chdir(work)
    before = tree(tmp_path)
    status, _, err = cli(capsys, "render", "--frames", "3", "-o", "b.gif", "--frames-dir", folder, *SMALL)
    assert status == 2 and one_line_error(err, f"--frames-dir {folder}", fragment)
    assert tree(tmp_path) == before and sorted(os.listdir(work)) == ["afile", "alink"]


def test_1_poster_inside_the_frames_folder_collides(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = cli(capsys, "render", "--frames", "3", "-o", "b.gif", "--frames-dir", "F", "--poster", "F/p.png",
                         *SMALL)
    assert status == 2 and one_line_error(err, "--poster F/p.png: collides with --frames-dir F")
    assert list(tmp_path.iterdir()) == []


def test_1_a_folder_of_this_tools_frames_is_replaced_whole(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "render", "--frames", "4", "-o", "b.gif", "--frames-dir", "F", *SMALL)[0] == 0
    assert sorted(os.listdir("F")) == [f"frame_{i:05d}.png" for i in range(4)]
    assert cli(capsys, "render", "--frames", "3", "-o", "b.gif", "--frames-dir", "F", *SMALL)[0] == 0
    assert sorted(os.listdir("F")) == [f"frame_{i:05d}.png" for i in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["F", "b.gif", "b.gif.json"]


# --- 2. a full disk is a failure, and the earlier files are kept ---------------------------------

def full_disk(limit: int):
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_file_size


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
    from regviz_anim.encode import EncoderError, Mp4Encoder

    command = Mp4Encoder.command
    monkeypatch.setattr(Mp4Encoder, "command", lambda self: command(self)[:-1] + ["/nonexistent-dir/x.mp4"])
    import numpy as np
    with pytest.raises(EncoderError, match=r"ffmpeg exited with status \d+ \(.*No such file or directory"):
        with Mp4Encoder(tmp_path / "a.mp4", size=(160, 90), fps=10) as encoder:
            encoder.write(np.zeros((90, 160, 4), np.uint8))


# --- 3. one render, one commit; batch trusts only files that match their sidecar ------------------

def test_3_a_failure_partway_leaves_every_earlier_output_as_it_was(tmp_path, capsys, monkeypatch):
    from regviz_anim.encode import PngPoster

    monkeypatch.chdir(tmp_path)
    argv = ["render", "-o", "a.gif", "--poster", "p.png", "--frames-dir", "F", "--frames", "4", *SMALL]
    assert cli(capsys, *argv)[0] == 0
    before = tree(tmp_path)

    def disk_full(self, *exc):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PngPoster, "__exit__", disk_full)
    status, _, err = cli(capsys, *argv[:-3], "--lam", "0.2", *SMALL)
    assert status == 1 and one_line_error(err, "rendering a.gif failed: No space left on device")
    assert tree(tmp_path) == before


def test_3_the_sidecar_fingerprints_every_output(tmp_path, capsys, monkeypatch):
    import hashlib

    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "render", "-o", "a.gif", "--poster", "p.png", "--frames", "4", *SMALL)[0] == 0
    outputs = json.loads(Path("a.gif.json").read_text())["outputs"]
    for key, name in (("out", "a.gif"), ("poster", "p.png")):
        data = Path(name).read_bytes()
        assert outputs[key] == {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_3_batch_renders_again_an_output_that_no_longer_matches(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 4\n'
                              '[[job]]\nlam = [0.2, 0.5]\nout = "o/{lam}.gif"\nposter = "o/{lam}.png"\n')
    assert cli(capsys, "batch", "m.toml", "--no-progress")[0] == 0
    assert "2 jobs: 2 skipped" in cli(capsys, "batch", "m.toml", "--no-progress")[1]
    gif = Path("o/0.2.gif")
    gif.write_bytes(gif.read_bytes()[:-100])             # truncated
    Path("o/0.5.png").write_bytes(Path("o/0.2.png").read_bytes())  # replaced
    status, out, _ = cli(capsys, "batch", "m.toml", "--no-progress")
    assert status == 0 and "2 jobs: 2 rendered" in out
    assert "2 jobs: 2 skipped" in cli(capsys, "batch", "m.toml", "--no-progress")[1]


# --- 4. any name the file system accepts -------------------------------------------------------

@pytest.mark.parametrize("length", [230, 237, 250])
def test_4_long_names_render_with_their_sidecar(tmp_path, capsys, length):
    out = tmp_path / ("n" * (length - 4) + ".gif")
    poster = tmp_path / ("p" * 251 + ".png")  # 255: no sidecar beside a poster
    assert cli(capsys, "render", "-o", str(out), "--frames", "3", "--poster", str(poster), *SMALL)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, out.name + ".json", poster.name])


def test_4_a_name_too_long_for_its_sidecar_is_exit_2_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / ("n" * 247 + ".gif")  # 251 bytes: fine alone, but NAME.json would be 256
    out.write_bytes(b"older")
    status, _, err = cli(capsys, "render", "-o", str(out), "--frames", "3", *SMALL)
    assert status == 2 and one_line_error(err, "the name is 256 bytes with its sidecar's '.json'", "allows 255")
    assert tree(tmp_path) == {out.name: b"older"}


# --- 5. a killed render's leftovers are removed by the next render of that target ----------------

def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


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

def test_7_poster_and_frames_dir_are_templates(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 3\n[[job]]\nlam = [0.2, 0.5]\n'
                              'out = "o/{lam}.gif"\nposter = "p{lam}-{job}.png"\nframes_dir = "f{job}"\n')
    assert cli(capsys, "batch", "m.toml", "--no-progress")[0] == 0
    assert Path("p0.2-1.png").is_file() and Path("p0.5-2.png").is_file()
    assert len(os.listdir("f1")) == 3 and len(os.listdir("f2")) == 3


@pytest.mark.parametrize("jobs, fragment", [
    ('[[job]]\nlam = [0.2, 0.5]\nout = "{lam}.gif"\nposter = "p.png"\n', "jobs 1 and 2 both write p.png"),
    ('[[job]]\nout = "real/x.gif"\n[[job]]\nout = "link/x.gif"\n', "jobs 1 and 2 both write link/x.gif"),
    ('[[job]]\nout = "a.gif"\nframes_dir = "F"\n[[job]]\nout = "F/b.gif"\n', "jobs 1 and 2 both write F/b.gif"),
    ('[[job]]\nout = "a.gif"\nposter = "a.gif.json"\n', "suffix must be one of .png"),
])
def test_7_collisions_among_all_outputs_are_exit_2(tmp_path, capsys, monkeypatch, jobs, fragment):
    monkeypatch.chdir(tmp_path)
    Path("real").mkdir()
    Path("link").symlink_to("real")
    Path("m.toml").write_text(jobs)
    status, out, err = cli(capsys, "batch", "m.toml", "--no-progress")
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
def test_8_values_that_overflow_are_exit_2(tmp_path, capsys, argv, fragment):
    status, out, err = cli(capsys, "simulate", "-o", str(tmp_path / "s.json"), *argv)
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
def test_8_extreme_values_simulate_to_strict_json_or_a_clear_error(capsys, options):
    status, out, err = cli(capsys, "simulate", "--steps", "50", *argv_of(options))
    assert (status == 0 and err == "") or (status == 2 and one_line_error(err)), err
    if status == 0:
        document = strict(out)
        assert all(run["w"] and len(run["w"]) == len(run["loss"]) for run in document["runs"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=extreme)
def test_8_extreme_values_render_or_give_a_clear_error(tmp_path, capsys, options):
    out = tmp_path / "x.gif"
    status, _, err = cli(capsys, "render", "-o", str(out), "--steps", "30", "--frames", "3", "--size", "160x90",
                         "--no-progress", *argv_of(options))
    assert status in (0, 2) and "Traceback" not in err, err
    if status == 0:
        strict((tmp_path / "x.gif.json").read_text())
    else:
        assert one_line_error(err)


def test_8_scene_data_refuses_non_finite_numbers():
    import numpy as np
    from regviz_anim.descent import simulate
    from regviz_anim.config import Scenario
    from regviz_anim.frames import scene_data

    sim = simulate(Scenario())
    run = sim.runs[0]
    broken = type(run)(**{**run.__dict__, "w": np.array([[1.0], [np.nan]])})
    with pytest.raises(ValueError, match="not finite"):
        scene_data(type(sim)(sim.scenario, sim.data, (broken,)), 2)


# --- 9. one cap on the number of frames ---------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["--duration", "100000"], "--duration 100000.0: at 20 fps must be at most 5000 s (100000 frames)"),
    (["--duration", "1e12"], "--duration 1000000000000.0: at 20 fps must be at most 5000 s"),
    (["--frames", "100001"], "--frames 100001: must be a whole number from 2 to 100000"),
])
def test_9_duration_and_frames_share_one_cap(tmp_path, capsys, argv, fragment):
    status, _, err = cli(capsys, "render", "-o", str(tmp_path / "a.gif"), *argv, "--no-progress")
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
def test_10_odd_manifests_are_exit_2_with_one_line(tmp_path, capsys, content, fragment):
    path = tmp_path / "m.toml"
    path.write_bytes(content)
    status, out, err = cli(capsys, "batch", str(path), "--no-progress")
    assert status == 2 and out == "" and one_line_error(err, f"{path}: ", fragment)
    assert os.listdir(tmp_path) == ["m.toml"]


def test_10_a_byte_order_mark_is_accepted(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_bytes('\ufeff[[job]]\nsize = "320x180"\nframes = 3\nout = "a.gif"\n'.encode("utf-8"))
    assert cli(capsys, "batch", "m.toml", "--no-progress")[0] == 0 and Path("a.gif").is_file()


# --- 11. a missing output folder is created, everywhere, and only once the values are good --------

def test_11_render_creates_a_missing_folder_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = cli(capsys, "render", "-o", "outputs/sub/seed.mp4", "--frames", "3", *SMALL)
    assert status == 0 and Path("outputs/sub/seed.mp4").is_file()
    assert "created the folder outputs/" in err and "created the folder outputs/sub/" in err


def test_11_the_api_creates_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ra.render("outputs/seed.gif", frames=3, size=(320, 180))
    assert result.path.is_file() and result.created == (Path("outputs"),)


def test_11_a_bad_value_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "render", "--lam", "-1")[0] == 2
    assert cli(capsys, "render", "-o", "new/a.gif", "--fps", "30")[0] == 2
    assert os.listdir() == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_11_a_folder_that_is_not_writable_is_exit_2(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    status, _, err = cli(capsys, "render", "-o", str(locked / "sub" / "a.gif"), *SMALL)
    assert status == 2 and one_line_error(err, "is not writable")


# --- 12. one line on Ctrl-C; the same refusal everywhere -----------------------------------------

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
def test_12_the_command_line_takes_plain_ascii_numbers_only(capsys, argv):
    status, out, err = cli(capsys, "simulate", *argv)
    assert status == 2 and out == "" and one_line_error(err, argv[0])


# --- 13. the MP4 is tagged BT.709 through and through ------------------------------------------

def test_13_mp4_colour_tags_are_all_bt709(tmp_path, capsys):
    out = tmp_path / "a.mp4"
    assert cli(capsys, "render", "-o", str(out), "--frames", "3", *SMALL)[0] == 0
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)],
                          capture_output=True, text=True)
    video = next(line for line in proc.stderr.splitlines() if "Video:" in line)
    assert "yuv420p(tv, bt709, progressive)" in video  # ffmpeg prints one name when all three agree
    assert "unknown" not in video

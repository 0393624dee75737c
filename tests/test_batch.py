"""``regviz-anim batch``: expansion, up-to-date skipping, failures that stay local, bad manifests."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from regviz_anim.batch import ManifestError, load_manifest
from regviz_anim.cli import main

SMALL = '[defaults]\nsize = "320x180"\nframes = 6\nhold = 0\n'


def manifest(tmp_path, body, defaults=SMALL):
    path = tmp_path / "course.toml"
    path.write_text(defaults + textwrap.dedent(body))
    return path


def batch(capsys, path, *flags):
    status = main(["batch", str(path), "--no-progress", *flags])
    out, err = capsys.readouterr()
    return status, out, err


def test_lists_expand_to_every_combination_and_fill_the_template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = manifest(tmp_path, """
        [[job]]
        reg = ["l1", "l2"]
        lam = [0.1, 0.5, 1.0]
        out = "outputs/{reg}-lam{lam}.gif"

        [[job]]
        preset = "chatter"
        out = "outputs/{preset}-{job}.mp4"
    """)
    jobs = load_manifest(path)
    assert [str(j.out) for j in jobs] == [
        "outputs/l1-lam0.1.gif", "outputs/l1-lam0.5.gif", "outputs/l1-lam1.gif",
        "outputs/l2-lam0.1.gif", "outputs/l2-lam0.5.gif", "outputs/l2-lam1.gif", "outputs/chatter-7.mp4"]
    assert [(j.scenario.reg, j.scenario.lam) for j in jobs[:2]] == [(("l1",), 0.1), (("l1",), 0.5)]
    assert jobs[6].scenario.l1_update == ("subgradient", "proximal") and jobs[6].settings.size == (320, 180)


def test_job_keys_override_the_preset_which_overrides_defaults(tmp_path):
    path = manifest(tmp_path, """
        [[job]]
        preset = "below-threshold"
        out = "a.gif"

        [[job]]
        preset = "below-threshold"
        lam = 0.3
        out = "b.gif"
    """, defaults=SMALL + "lam = 0.9\nsteps = 50\n")
    a, b = load_manifest(path)
    assert (a.scenario.lam, a.scenario.steps) == (0.2, 50)
    assert b.scenario.lam == 0.3


def test_duplicate_outputs_are_an_error(tmp_path, capsys):
    path = manifest(tmp_path, """
        [[job]]
        lam = [0.1, 0.2]
        out = "same.gif"
    """)
    status, out, err = batch(capsys, path)
    assert status == 2 and "jobs 1 and 2 both write same.gif" in err and out == ""


def test_second_run_skips_and_a_changed_job_alone_rerenders(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = """
        [[job]]
        lam = [0.2, 0.5]
        out = "out/lam{lam}.gif"

        [[job]]
        lr = {lr}
        out = "out/lr.gif"
    """
    path = manifest(tmp_path, body.replace("{lr}", "0.1"))
    status, out, _ = batch(capsys, path, "--jobs", "2")
    assert status == 0 and out.count("rendered") == 4  # three rows and the count
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}

    status, out, _ = batch(capsys, path, "--jobs", "2")
    assert status == 0 and "3 jobs: 3 skipped" in out
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == stamps

    path.write_text(path.read_text().replace("lr = 0.1", "lr = 0.05"))
    status, out, _ = batch(capsys, path, "--jobs", "1")
    assert "3 jobs: 1 rendered, 2 skipped" in out
    assert "rendered      out/lr.gif" in out

    status, out, _ = batch(capsys, path, "--force", "--jobs", "1")
    assert "3 jobs: 3 rendered" in out


def test_dry_run_lists_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = manifest(tmp_path, '[[job]]\nlam = [0.2, 0.5]\nout = "out/lam{lam}.gif"\n')
    status, out, _ = batch(capsys, path, "--dry-run")
    assert status == 0 and "2 jobs: 2 would render" in out and "out/lam0.2.gif" in out
    assert not (tmp_path / "out").exists()


def test_one_failing_job_does_not_stop_the_others(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = manifest(tmp_path, """
        [[job]]
        lam = [0.2, 0.5]
        out = "out/lam{lam}.gif"

        [[job]]
        lr = 1.5
        out = "out/too-fast.gif"
    """)
    status, out, _ = batch(capsys, path, "--jobs", "2")
    assert status == 1
    assert "3 jobs: 2 rendered, 1 failed" in out
    failed = next(line for line in out.splitlines() if line.startswith("failed"))
    assert "out/too-fast.gif" in failed and "stable only for lr < 1/(a+0.5)" in failed
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "lam0.2.gif", "lam0.2.gif.json", "lam0.5.gif", "lam0.5.gif.json"]


@pytest.mark.parametrize("body, fragment", [
    ('[[job]]\nlam = 0.5\nout = "a.gif"\n[[job]\n', "not valid TOML: "),
    ('[[job]]\nlamda = 0.5\nout = "a.gif"\n', "job 1: unknown key 'lamda'"),
    ('[[job]]\nlam = -1\nout = "a.gif"\n', "job 1: lam = -1: must be a finite number >= 0"),
    ('[[job]]\nlam = 0.5\nout = "a.gif"\n[[job]]\nfps = 30\nout = "b.gif"\n', "job 2: fps = 30: a GIF plays"),
    ('[[job]]\nout = "a.avi"\n', "suffix must be one of .gif, .mp4"),
    ('[[job]]\nout = "{lamb}.gif"\n', "cannot fill the template"),
    ('[[job]]\nlam = 0.5\n', "no 'out'"),
    ('[[job]]\npreset = "nope"\nout = "a.gif"\n', "preset = 'nope': must be one of seed"),
    ('[jobs]\nout = "a.gif"\n', "unknown table 'jobs'"),
])
def test_malformed_manifest_is_exit_2_before_anything_renders(tmp_path, capsys, monkeypatch, body, fragment):
    monkeypatch.chdir(tmp_path)
    path = manifest(tmp_path, body)
    status, out, err = batch(capsys, path)
    assert status == 2 and out == ""
    assert err.startswith(f"regviz-anim: error: {path}: ") and fragment in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.toml"]


def test_broken_toml_names_the_line(tmp_path, capsys):
    path = manifest(tmp_path, '[[job]]\nlam = 0.5 0.6\nout = "a.gif"\n')
    assert "line 6" in batch(capsys, path)[2]


def test_missing_manifest_and_bad_jobs_count(tmp_path, capsys):
    status, _, err = batch(capsys, tmp_path / "nope.toml")
    assert status == 2 and "cannot read the manifest" in err
    path = manifest(tmp_path, '[[job]]\nout = "a.gif"\n')
    status, _, err = batch(capsys, path, "--jobs", "0")
    assert status == 2 and "--jobs 0: must be a whole number from 1 to 64" in err


def test_manifest_error_type(tmp_path):
    with pytest.raises(ManifestError):
        load_manifest(manifest(tmp_path, '[[job]]\nout = 3\nsteps = "many"\n'))


@pytest.mark.slow
def test_ctrl_c_stops_every_worker_and_leaves_no_partial_files(tmp_path):
    path = manifest(tmp_path, """
        [[job]]
        lam = [0.2, 0.5, 0.8]
        out = "out/lam{lam}.gif"
    """, defaults='[defaults]\nsize = "640x360"\nframes = 600\nsteps = 600\n')
    proc = subprocess.Popen([sys.executable, "-m", "regviz_anim", "batch", str(path), "--jobs", "2", "--no-progress"],
                            cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out").glob(".*.part*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert [p.name for p in (tmp_path / "out").iterdir() if ".part" in p.name] == []
    finished = {p.name for p in (tmp_path / "out").iterdir()}
    assert all(name.endswith((".gif", ".gif.json")) for name in finished)


def test_a_list_of_presets_expands_like_any_other_list(tmp_path):
    path = manifest(tmp_path, '[[job]]\npreset = ["seed", "chatter"]\nlr = 0.05\nout = "{preset}.gif"\n')
    seed, chatter = load_manifest(path)
    assert (str(seed.out), str(chatter.out)) == ("seed.gif", "chatter.gif")
    assert chatter.scenario.l1_update == ("subgradient", "proximal") and chatter.scenario.lr == 0.05

"""Batch on a Dask cluster: a LocalCluster of 2 worker processes, started here."""
import importlib.util
import os
import signal
import threading
import time
from pathlib import Path

import pytest


distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def cluster():
    # a worker that dies fails its job at once (the default retries it on another worker)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as local:
            yield local



MANIFEST = ('[defaults]\nsize = "320x180"\nframes = 8\n'
            '[[job]]\nlam = [0.2, 0.5]\nout = "{where}/l{lam}.gif"\nposter = "{where}/l{lam}.png"\n'
            'frames_dir = "{where}/f{lam}"\n'
            '[[job]]\nlr = 1.5\nout = "{where}/too-fast.gif"\n')


@pytest.mark.slow
def test_the_cluster_renders_what_a_local_batch_renders(tmp_path, cli, monkeypatch, cluster):
    monkeypatch.chdir(tmp_path)
    for where in ("here", "there"):
        Path(f"{where}.toml").write_text(MANIFEST.replace("{where}", where))
    assert cli("batch", "here.toml", "--no-progress")[0] == 1
    status, out, _ = cli("batch", "there.toml", "--scheduler", cluster.scheduler_address, "--no-progress")
    assert status == 1 and "3 jobs: 2 rendered, 1 failed" in out and "on a worker" in out
    failed = next(line for line in out.splitlines() if line.startswith("failed"))
    assert "there/too-fast.gif" in failed and "stable only for lr < 1/(a+0.5)" in failed
    for name in ("l0.2.gif", "l0.5.png", "f0.5/frame_00007.png"):
        assert (Path("there") / name).read_bytes() == (Path("here") / name).read_bytes()
    status, out, _ = cli("batch", "there.toml", "--scheduler", cluster.scheduler_address, "--no-progress")
    assert "2 skipped" in out and "1 failed" in out  # up to date: the sidecars name this machine's files
    assert not [p for p in Path("there").rglob(".*")]  # no temporary file left


@pytest.mark.slow
def test_a_worker_killed_mid_job_fails_that_job_only(tmp_path, cli, monkeypatch, cluster):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 300\nsteps = 300\n'
                              '[[job]]\nlam = [0.2, 0.4, 0.6]\nout = "out/l{lam}.gif"\n')
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = client.run(os.getpid)

    def kill_a_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [address for address, tasks in client.processing().items() if tasks]
            if busy:
                time.sleep(0.3)  # well into the job
                os.kill(pids[busy[0]], signal.SIGKILL)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    status, out, err = cli("batch", "m.toml", "--scheduler", cluster.scheduler_address, "--no-progress")
    killer.join()
    client.close()
    assert status == 1 and "Traceback" not in err
    assert "3 jobs: 2 rendered, 1 failed" in out
    failed = [line for line in out.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and "worker died (KilledWorker)" in failed[0]
    assert not [p for p in Path("out").rglob(".*")]


def test_without_dask_scheduler_names_the_install_command(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[[job]]\nout = "a.gif"\n')
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "dask" else real(name, *a))
    status, out, err = cli("batch", "m.toml", "--scheduler", "tcp://127.0.0.1:8786")
    assert status == 2 and out == ""
    assert err == ('regviz-anim: error: --scheduler tcp://127.0.0.1:8786: needs dask.distributed: '
                   'pip install "regviz-anim[dask]"\n')


def test_scheduler_belongs_in_defaults(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[[job]]\nout = "a.gif"\nscheduler = "tcp://x:1"\n')
    status, _, err = cli("batch", "m.toml")
    assert status == 2 and "job 1: scheduler belongs in [defaults]" in err

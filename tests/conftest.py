"""Shared fixtures. Tests force matplotlib's headless Agg backend; markers: ``slow`` (processes
started and killed, clusters, whole notebooks: ``pytest -m "not slow"`` is the quick loop) and
``fork`` (drawing processes; skipped where the platform cannot fork)."""
import os

import pytest
from hypothesis import settings

from helpers import can_fork

os.environ.setdefault("MPLBACKEND", "Agg")  # headless, also in subprocesses

# The same examples on every run, so that CI is reproducible; HYPOTHESIS_PROFILE=explore draws
# new ones (and keeps what fails in .hypothesis/, replayed until fixed).
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("fork") and not can_fork():
            item.add_marker(pytest.mark.skip(reason="drawing processes are forked; this platform cannot fork"))


@pytest.fixture
def zh_font():
    """The [zh] extra's font, or the test is skipped saying how to install it."""
    pytest.importorskip("pylopdf_fonts_zh_cn", reason='--lang zh needs the [zh] extra: pip install ".[zh]"')


@pytest.fixture
def pptx():
    """python-pptx (the [pptx] extra), or the test is skipped saying how to install it."""
    return pytest.importorskip("pptx", reason='decks need the [pptx] extra: pip install ".[pptx]"')


@pytest.fixture
def cli(capsys):
    """``cli(*argv)``: the command run here, its ``(exit status, stdout, stderr)``."""
    from regviz_anim.cli import main

    def run(*argv):
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err
    return run


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A new empty folder as the current one."""
    monkeypatch.chdir(tmp_path)
    return tmp_path

"""The code as ruff reads it (the settings in pyproject.toml): part of the suite, so CI runs it."""
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip('ruff is a test dependency: pip install -e ".[test]"')
    proc = subprocess.run([ruff, "check", "regviz_anim", "tests", "scripts"], cwd=TOP, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

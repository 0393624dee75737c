"""The README and docs/ say what the code does: the options reference is the option table's, every
link resolves, every preset, panel and command is documented, and the examples run as shown."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from regviz_anim.cli import build_parser
from regviz_anim.options import render_config
from regviz_anim.panels import PANELS
from regviz_anim.presets import PRESETS, preset_options

TOP = Path(__file__).parents[1]
PAGES = [TOP / "README.md", *sorted((TOP / "docs").glob("*.md"))]


def test_the_options_reference_is_the_option_table():
    proc = subprocess.run([sys.executable, str(TOP / "scripts" / "options_reference.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def anchors(page: Path) -> set[str]:
    return {re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
            for title in re.findall(r"(?m)^#+ (.+)$", page.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_resolves(page):
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if target.startswith("http"):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name}: {target}"
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{page.name}: {target}"


def test_every_preset_panel_and_command_is_documented():
    presets = (TOP / "docs" / "presets.md").read_text(encoding="utf-8")
    frames = (TOP / "docs" / "frames.md").read_text(encoding="utf-8")
    commands = (TOP / "docs" / "commands.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in presets for name in PRESETS)
    assert all(f"**{name}**" in frames for name in PANELS)
    assert all(f"`{name}" in commands for name in ("render", "simulate", "batch", "presets"))


def readme_commands() -> list[list[str]]:
    text = (TOP / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [shlex.split(line.split("#")[0]) for block in blocks for line in block.splitlines()
            if line.startswith("regviz-anim ")]


@pytest.mark.parametrize("argv", readme_commands(), ids=lambda argv: " ".join(argv[1:4]))
def test_the_readmes_commands_parse_and_validate(argv):
    args = build_parser().parse_args(argv[1:])
    if args.command in ("render", "simulate"):
        raw = preset_options(args.preset) if args.preset else {}
        raw.update({k: v for k, v in vars(args).items() if k not in ("command", "out", "preset", "no_progress")})
        render_config(raw)
    elif args.command == "batch":
        from regviz_anim.batch import load_manifest
        assert len(load_manifest(TOP / args.manifest)) > 0


def test_the_readmes_python_prints_what_it_says():
    import regviz_anim as ra

    sim = ra.simulate(lam=0.5, reg="l1,l2")
    shown = str([(run.label, run.zero_step, run.w_star) for run in sim.runs])
    assert f"# {shown}" in (TOP / "README.md").read_text(encoding="utf-8")

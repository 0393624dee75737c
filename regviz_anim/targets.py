"""Where a render writes, checked before anything is drawn: names that fit, folders that can be
made, files that can be replaced, formats that can take the settings, outputs that do not collide.
Creates nothing."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from .encoders import ENCODERS, encoder_for
from .errors import ConfigError
from .options import RenderSettings
from .outputs.transaction import file_target_problem, frames_folder_problem


def _nearest_folder(path: Path) -> Path:
    """The nearest folder of ``path``'s parents that exists (``path`` itself excluded)."""
    for parent in [path.parent, *path.parent.parents]:
        if parent.exists():
            return parent
    return Path(".")


def name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def output_path(option: str, raw: Any, suffixes: Iterable[str]) -> Path:
    """``raw`` as a path to write, if it is one (a str or an os.PathLike naming one); else ConfigError."""
    value = os.fspath(raw) if isinstance(raw, os.PathLike) else raw
    if not isinstance(value, str) or not value:
        raise ConfigError(option, raw, f"must be a file path (a str or os.PathLike) ending in {', '.join(suffixes)}")
    return Path(value)


def check_output(option: str, out: Path, suffixes: Iterable[str] | None = None, *, extra_name: str = "") -> None:
    """``out`` can be written: a suffix we write, a name that fits, a folder that exists or can
    be made (a file in the way, or a folder not writable, is an error). Creates nothing."""
    if suffixes is not None:
        suffixes = tuple(suffixes)
        if out.suffix.lower() not in suffixes:
            raise ConfigError(option, str(out), f"the suffix must be one of {', '.join(suffixes)}")
        if out.is_dir():
            raise ConfigError(option, str(out), "is a folder; give a file name")
    folder = _nearest_folder(out)
    if not folder.is_dir():
        raise ConfigError(option, str(out), f"{str(folder)} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(option, str(out), f"the folder {str(folder) + os.sep} is not writable")
    limit, length = name_max(folder), len((out.name + extra_name).encode("utf-8", "surrogateescape"))
    if length > limit:
        also = f" with its sidecar's {extra_name!r}" if extra_name else ""
        raise ConfigError(option, str(out), f"the name is {length} bytes{also}; the file system allows {limit}")


def check_format(out: Path, settings: RenderSettings) -> None:
    """What the format of ``out`` (its encoder) says of the settings: a GIF's frame rates, a deck's
    package. A ConfigError naming the option."""
    problem = encoder_for(out).problem(fps=settings.fps)
    if problem:
        option, allowed = problem
        raise ConfigError(option, settings.fps if option == "fps" else str(out), allowed)


def render_targets(out: Path, settings: "RenderSettings") -> list[tuple[str, Path]]:
    """Every path a render writes, with the option that names it; the sidecar ``OUT.json`` last."""
    targets = [("out", out)]
    if settings.poster is not None:
        targets.append(("poster", settings.poster))
    if settings.frames_dir is not None:
        targets.append(("frames_dir", settings.frames_dir))
    targets.append(("out", out.with_name(out.name + ".json")))
    return targets


def real_path(path: Path) -> Path:
    """``path`` with every link resolved, so that two spellings of one file compare equal."""
    return Path(os.path.realpath(path))


def first_collision(outputs: Iterable[tuple[Any, Path, bool]]) -> tuple[Any, Any] | None:
    """Two outputs ``(label, path, is_folder)`` that are one file after resolving links, or where
    one lies inside the other's folder; None if there are none. Linear in the number of outputs."""
    seen: dict[Path, Any] = {}
    folders: dict[Path, Any] = {}
    resolved = []
    for label, path, is_folder in outputs:
        real = real_path(path)
        if real in seen:
            return seen[real], label
        seen[real] = label
        if is_folder:
            folders[real] = label
        resolved.append((label, real))
    for label, real in resolved:
        for parent in real.parents:
            if parent in folders:
                return folders[parent], label
    return None


def check_render_target(out: Path, settings: RenderSettings) -> None:
    """Everything about where and how a render is written that can be checked before drawing.

    Creates nothing: missing folders are made only once the render starts.
    """
    check_output("out", out, ENCODERS, extra_name=".json")
    for option, target in render_targets(out, settings):
        problem = None if option == "frames_dir" else file_target_problem(target)
        if problem:
            raise ConfigError(option, str(out if option == "out" else target), f"{target} {problem}")
    check_format(out, settings)
    if settings.poster is not None:
        check_output("poster", settings.poster, (".png",))
    if settings.frames_dir is not None:
        folder = settings.frames_dir
        check_output("frames_dir", folder)
        problem = frames_folder_problem(folder)
        if problem:
            raise ConfigError("frames_dir", str(folder), problem)
    clash = first_collision(((option, path), path, option == "frames_dir")
                            for option, path in render_targets(out, settings))
    if clash:
        (first, first_path), (option, path) = clash
        raise ConfigError(option, str(path), f"collides with --{first.replace('_', '-')} {first_path} "
                          "(the same file, or inside the frames folder)")

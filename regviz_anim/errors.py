"""The errors that cross layers, below every module that raises them (so that none imports
another to raise or catch them)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .formatting import for_error


class ConfigError(ValueError):
    """A value a user gave that is not allowed: names the option, the value and what is.

    It reads as the command line spells it (``--lam -1: ...``); :meth:`in_python` gives the
    same error as Python spells it (``lam=-1: ...``), for the API."""

    def __init__(self, option: str, value: Any, allowed: str, *, python: bool = False):
        self.option, self.value, self.allowed, self.python = option, value, allowed, python
        where = f"{option}={value!r}" if python else f"--{option.replace('_', '-')} {for_error(value)}"
        super().__init__(f"{where}: {allowed}")

    def in_python(self) -> "ConfigError":
        return ConfigError(self.option, self.value, self.allowed, python=True)


class OutputError(Exception):
    """Writing an output failed (full disk, encoder error). ``kept`` says whether every earlier
    output is as it was; when it is not, ``replaced`` names the targets that hold new files."""

    def __init__(self, message: str, *, kept: bool = True, replaced: tuple[Path, ...] = ()):
        super().__init__(message)
        self.kept, self.replaced = kept, replaced

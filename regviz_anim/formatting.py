"""Option values as text: for error messages, the command line, TOML, file-name templates, speaker
notes and help. One module, so that a value reads the same wherever it is shown, and each place
keeps the form it has always had where that form is part of an output (a file name, a note)."""
from __future__ import annotations

from typing import Any


def exact(value: Any) -> str:
    """The shortest text that gives ``value`` back: ``0.1``, ``2`` (for 2.0), ``true``, ``1,2``."""
    if isinstance(value, (list, tuple)):
        return ",".join(exact(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def for_error(value: Any) -> str:
    """As an error message quotes a value: as given, a string quoted when empty or spaced."""
    if isinstance(value, (list, tuple)):
        return ",".join(for_error(v) for v in value)
    if isinstance(value, str):
        return repr(value) if (not value or " " in value) else value
    return str(value).lower() if isinstance(value, bool) else str(value)


def for_template(value: Any) -> str:
    """As a manifest's ``{name}`` fills a file name (``lam1`` for 1.0, ``lam0.5``)."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(for_template, value))
    return str(value)


def for_notes(value: Any) -> str:
    """As a deck's speaker notes list a parameter."""
    return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def notes(values: dict) -> str:
    """Speaker notes: one ``name = value`` line per parameter that is set."""
    return "\n".join(f"{name} = {for_notes(value)}" for name, value in values.items() if value is not None)


def for_help(name: str, value: Any) -> str:
    """A default as ``--help`` shows it (``1280x720`` for the size)."""
    if isinstance(value, tuple):
        return "x".join(map(str, value)) if name == "size" else ",".join(map(str, value))
    return str(value)


def argv(name: str, value: Any) -> list[str]:
    """The command-line words that set option ``name`` to ``value`` (none for a false flag)."""
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return [flag] if value else []
    if name == "size":
        return [f"{flag}={'x'.join(map(str, value))}"]
    return [f"{flag}={exact(value)}"]


def toml(name: str, value: Any) -> str:
    """A manifest line that sets option ``name`` to ``value``."""
    if isinstance(value, bool):
        return f"{name} = {exact(value)}"
    if isinstance(value, (int, float)):
        return f"{name} = {exact(value)}"
    if name == "size":
        return f'{name} = "{"x".join(map(str, value))}"'
    return f'{name} = "{exact(value)}"'

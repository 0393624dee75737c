"""Every text a frame shows, one catalogue per language. Another language is one new module here
(with the same keys as ``en``) and one line in ``LANGS``.

A catalogue module has ``TEXTS`` (format strings by key), ``TERMS`` (names inside run labels, such
as "Elastic net" or "proximal"), ``PRESETS`` (preset summaries), ``DECIMAL`` (the decimal mark),
and optionally ``FONT``: (the font's family, the package that ships it, the module function that
returns its path) when the language needs a font matplotlib does not have.
"""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from . import en, zh

LANGS = {"en": en, "zh": zh}


class Texts:
    """The catalogue of one language, with numbers written as that language writes them."""

    def __init__(self, lang: str = "en"):
        self.lang = lang  # only the name: a Texts travels to worker processes

    @property
    def module(self):
        return LANGS[self.lang]

    def __call__(self, key: str, **fields) -> str:
        return self.module.TEXTS[key].format(**fields)

    def get(self, key: str, default: str) -> str:
        """The text ``key``, or ``default`` where the catalogue has none (a regularizer added
        without a name for its ball, say)."""
        return self.module.TEXTS.get(key, default)

    def num(self, value: float, spec: str = ".4g") -> str:
        return format(value, spec).replace(".", self.module.DECIMAL)

    def label(self, english: str) -> str:
        """A run's label ("Elastic net · proximal") in this language, term by term."""
        terms = self.module.TERMS
        return " · ".join(" + ".join(terms.get(word, word) for word in part.split(" + "))
                          for part in english.split(" · "))

    def preset(self, name: str, english: str) -> str:
        return self.module.PRESETS.get(name, english)

    def font(self) -> tuple[str, Path] | None:
        """The family and file of the font this language needs, or None: matplotlib's own will do."""
        font = getattr(self.module, "FONT", None)
        if font is None:
            return None
        family, package, function = font
        return family, Path(getattr(importlib.import_module(package), function)())


def missing_font(lang: str) -> str | None:
    """The install command when the language's font package is missing, else None."""
    font = getattr(LANGS[lang], "FONT", None)
    if font is None or importlib.util.find_spec(font[1]) is not None:
        return None
    return f'pip install "regviz-anim[{lang}]"'

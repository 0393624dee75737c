"""The panels a frame can show, by name. A panel is one small module that draws on the axes it is
handed (it imports numpy only) and meets the :class:`Panel` contract:

- ``FEATURES``: the numbers of weights it can show;
- ``KINDS``: the kinds of animation it can show: ``"steps"`` (gradient descent at one λ), ``"lam"``
  (the path);
- ``BIG`` (optional, False if absent): it wants the largest cell of the layout;
- ``draw(ax, data, style)``: draws its static part on ``ax`` from the
  :class:`~regviz_anim.scenedata.SceneData` and returns ``update(k)``, which moves its moving
  artists (made through ``style.animated``, ``style.dot``, ``style.marker``) to tick ``k`` (a step,
  or a λ of the grid). Colours, lines and legends come from the
  :class:`~regviz_anim.style.Style`.

A panel whose artists can show other data (a parameter change in ``explore()``: another λ) makes
them once and sets what follows from the data apart, through :func:`regviz_anim.style.in_place`: its update then
has ``restage(data, style)``, which shows the new data on the same artists, or says it cannot
(None) where the artists it would make differ.

A new view is a new module and one line here; ``tests/test_panels.py`` draws every panel for every
(number of weights, kind) it claims.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, runtime_checkable

from . import bars, coefficients, count, curves, fit, gap, gradient, histogram, lam_path, loss, plane, scatter, \
    sparsity, weight

Update = Callable[[int], None]


@runtime_checkable
class Panel(Protocol):
    FEATURES: tuple[int, ...]
    KINDS: tuple[str, ...]

    def draw(self, ax: Any, data: Any, style: Any) -> Update: ...


PANELS: dict[str, Panel] = {
    "loss": loss,
    "weight": weight,
    "fit": fit,
    "gradient": gradient,
    "plane": plane,
    "gap": gap,
    "curves": curves,
    "path": lam_path,
    "coefficients": coefficients,
    "bars": bars,
    "sparsity": sparsity,
    "scatter": scatter,
    "count": count,
    "histogram": histogram,
}

DEFAULTS = {
    ("steps", 1): ("loss", "weight", "fit", "gradient"),
    ("steps", 2): ("plane", "weight", "gap", "gradient"),
    ("steps", 3): ("coefficients", "bars", "sparsity", "gap"),  # three weights or more
    ("lam", 1): ("curves", "path", "fit"),
    ("lam", 2): ("plane", "path"),
    ("lam", 3): ("coefficients", "bars", "sparsity"),
    ("trials", 1): ("count",),
    ("trials", 2): ("scatter", "count"),
    ("trials", 3): ("count", "histogram"),
}


def default_panels(kind: str, features: int) -> tuple[str, ...]:
    """The panels shown unless ``--panels`` says otherwise."""
    return DEFAULTS[kind, min(features, 3)]


def is_big(panel: Panel) -> bool:
    return getattr(panel, "BIG", False)


def suits(panel: Panel, features: int, kind: str) -> bool:
    return features in panel.FEATURES and kind in panel.KINDS

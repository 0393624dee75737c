"""The Python API: the command line's options as keyword arguments, validated the same way.

    >>> import regviz_anim as ra
    >>> sim = ra.simulate(lam=0.5, reg="l1,l2")
    >>> [run.zero_step for run in sim.runs]
    [24, None]
    >>> ra.render("outputs/seed.gif", lam=0.5)           # doctest: +SKIP
    >>> ra.animate(preset="chatter")                      # in Jupyter: shows inline  # doctest: +SKIP
"""
from __future__ import annotations

import base64
import functools
import html
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError
from .numerics import Simulation
from .numerics import simulate as _simulate
from .options import RenderSettings, Scenario, render_config, scenario_from
from .presets import preset_options
from .scenedata import caption
from .targets import check_format

__all__ = ["simulate", "render", "animate", "Animation"]


def _options(preset: str | None, options: dict[str, Any]) -> dict[str, Any]:
    return {**(preset_options(preset) if preset else {}), **options}


def _python_errors(function):
    """Bad values raise ConfigError naming the keyword, as Python spells it: ``lam=-1: ...``."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ConfigError as error:
            raise (error if error.python else error.in_python()) from None
    return wrapper


@_python_errors
def simulate(*, preset: str | None = None, **options: Any) -> Simulation:
    """Run gradient descent; ``options`` are the command line's (``lam=0.5``, ``reg="l1,l2"`` ...).

    Returns a :class:`~regviz_anim.numerics.Simulation` whose ``runs`` have ``w``, ``loss``,
    ``w_star``, ``zero_step`` (``zero_lam`` for the λ path) and ``diverged``. Bad values raise
    ConfigError.
    """
    from_preset = {k: v for k, v in _options(preset, {}).items() if k in Scenario.__dataclass_fields__}
    return _simulate(scenario_from({**from_preset, **options}, only=True))  # a preset's playback is not asked


@_python_errors
def render(out: str | Path = "outputs/l1_vs_l2.gif", *, preset: str | None = None,
           progress: Callable[[int, int], None] | None = None, **options: Any):
    """Render to ``out`` (``.gif`` or ``.mp4``) and its sidecar; returns a RenderResult."""
    from .renderer import render as render_options  # matplotlib: only when a render is asked for

    return render_options(_options(preset, options), out, progress=progress)


@dataclass
class Animation:
    """A render that shows itself inline in Jupyter, drawn into a temporary file on first display.

    Nothing is written into your folders unless you call :meth:`save`.
    """

    simulation: Simulation
    settings: RenderSettings
    format: str = "mp4"
    _data: bytes | None = field(default=None, repr=False)

    @_python_errors
    def save(self, out: str | Path, *, progress: Callable[[int, int], None] | None = None):
        """Write the animation to ``out`` (format from its suffix); returns a RenderResult."""
        from .renderer import render_simulation

        return render_simulation(self.simulation, self.settings, out, progress=progress)

    @property
    def data(self) -> bytes:
        """The encoded file's bytes, rendered once."""
        if self._data is None:
            from .renderer import render_simulation

            from .outputs import scratch

            folder = scratch.new_folder("display")  # swept by the next one if this kernel is killed
            try:  # poster and frames only on save
                path = folder / f"animation.{self.format}"
                render_simulation(self.simulation, replace(self.settings, poster=None, frames_dir=None), path)
                self._data = path.read_bytes()
            finally:
                scratch.release(folder)
        return self._data

    @property
    def caption(self) -> str:
        """The result in words, as the frame's caption says it."""
        return caption(self.simulation)

    def __repr__(self) -> str:
        width, height = self.settings.even_size
        labels = ", ".join(r.label for r in self.simulation.runs)
        return f"<regviz_anim Animation {self.format.upper()} {width}x{height} of {labels}: {self.caption}>"

    def _repr_html_(self) -> str:
        encoded = base64.b64encode(self.data).decode("ascii")
        alt = html.escape(f"Animation of gradient descent: {self.caption}", quote=True)
        if self.format == "gif":
            return f'<img src="data:image/gif;base64,{encoded}" alt="{alt}" style="max-width:100%"/>'
        return (f'<video controls autoplay loop muted playsinline style="max-width:100%" aria-label="{alt}">'
                f'<source type="video/mp4" src="data:video/mp4;base64,{encoded}"/>{alt}</video>')


@_python_errors
def animate(*, preset: str | None = None, format: str = "mp4", **options: Any) -> Animation:
    """An :class:`Animation` of the runs, for a notebook. ``format`` is ``"mp4"`` or ``"gif"``."""
    if format not in ("mp4", "gif"):
        raise ConfigError("format", format, "must be one of mp4, gif")
    scenario, settings = render_config(_options(preset, options))
    check_format(Path(f"animation.{format}"), settings)
    return Animation(_simulate(scenario), settings, format)

"""``explore()``: the animation live in Jupyter, with sliders for λ and η and a step slider that plays.

The frame is drawn by the same :class:`~regviz_anim.scene.Scene` that ``render`` uses, so what
you see is what a render writes. Moving the step blits one frame; changing a parameter simulates
again and shows the new runs on the same figure (:meth:`Scene.restage`: the same canvas, axes
and, where the panels allow, artists, given the new data; the layout worked out again only where
the labels changed), and only a change of panels (one weight to two, another kind) builds a new
one. The sliders update while they move; changes that arrive faster than they are drawn are
drawn once, at the latest value, so the picture keeps up with the hand. From the current state
you get the equivalent command line, a manifest ``[[job]]`` table, or a render to a file. Needs
the ``[notebook]`` extra (ipywidgets).
"""
from __future__ import annotations

import asyncio
import html
import shlex
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError, OutputError
from .formatting import argv, toml
from .numerics import KINDS, simulate
from .numerics.optimizers import OPTIMIZERS
from .numerics.penalties import REGULARIZERS
from .numerics.problem import BUILT_IN, read_table
from .numerics.rules import L1_RULES, SCHEDULES
from .options import OPTIONS, MAX_FEATURES, Scenario, applies, render_config
from .presets import preset_options

INSTALL = 'pip install "regviz-anim[notebook]"'
VIEW_SIZE = (960, 540)

# The controls: option name -> how to build its widget.
SLIDERS = {
    "lam": dict(kind="FloatSlider", min=0.0, max=2.0, step=0.005, description="λ"),
    "lr": dict(kind="FloatLogSlider", min=-3, max=0.3, step=0.01, base=10, description="η"),
    "steps": dict(kind="IntSlider", min=5, max=1000, step=5, description="steps"),
    "features": dict(kind="IntSlider", min=1, max=MAX_FEATURES, step=1, description="weights"),
}
STARTS = 2  # a start slider for each of up to this many weights; with more, one sets them all
# The choices, from the records they name (read when a widget is built).
CHOICES = {
    "optimizer": lambda: tuple(OPTIMIZERS),
    "animate": lambda: tuple(KINDS),
    "l1_update": lambda: tuple(L1_RULES),
    "schedule": lambda: tuple(SCHEDULES),
}


def _widgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(f"explore() needs ipywidgets: {INSTALL}") from None
    return ipywidgets


class Explorer:
    """The widget and its state. ``options`` holds the option values that differ from the defaults."""

    def __init__(self, options: dict[str, Any], *, size: tuple[int, int] = VIEW_SIZE):
        self.w = _widgets()
        self.size = size
        self.options = dict(options)
        scenario, _ = render_config({**self.options, "size": size})  # validate before building anything
        self._build_controls(scenario)
        self.image = self.w.Image(format="png", layout=self.w.Layout(width=f"{size[0]}px", height=f"{size[1]}px"))
        self.message = self.w.HTML()
        self.command_text = self.w.Textarea(layout=self.w.Layout(width="100%", height="4.5em"))
        self.job_text = self.w.Textarea(layout=self.w.Layout(width="100%", height="9em"))
        self.out_name = self.w.Text(value="outputs/explored.gif", description="file")
        self.render_button = self.w.Button(description="render to file", icon="film")
        self.progress = self.w.IntProgress(min=0, max=1, value=0, layout=self.w.Layout(width="40%"))
        self.render_button.on_click(self._on_render)
        self._scene = self._simulation = self._settings = None
        self.rebuilt = self.restaged = 0  # how parameter changes were drawn: a new figure, or the same
        self._waiting: set[str] = set()  # what is to be drawn once the changes that came meanwhile are in
        self._quiet = False
        self._show_starts()
        self._rebuild()
        for control in self.controls.values():
            control.observe(self._on_option, names="value")
        self.step.observe(self._on_step, names="value")

    # --- controls --------------------------------------------------------------------------

    def _build_controls(self, scenario: Scenario) -> None:
        w = self.w
        controls = {}
        for name, spec in SLIDERS.items():
            spec = dict(spec)
            kind = spec.pop("kind")
            value = getattr(scenario, name)
            controls[name] = getattr(w, kind)(value=value, continuous_update=True, **spec)
        # A start slider per weight for one or two weights; with more, the first sets every weight.
        starts = (scenario.w0,) * STARTS if isinstance(scenario.w0, float) else scenario.w0
        for j in range(STARTS):
            controls[f"w0_{j + 1}"] = w.FloatSlider(value=starts[min(j, len(starts) - 1)], min=-2.0, max=2.0,
                                                    step=0.05, continuous_update=True, description=f"w0 of w{j + 1}")
        # The data: generated, or a data set (the built-in ones, and a file the explorer was given)
        sets = [("generated", None), *((name, name) for name in BUILT_IN)]
        if scenario.data is not None and scenario.data not in BUILT_IN:
            sets.append((scenario.data, scenario.data))
        controls["data"] = w.Dropdown(options=sets, value=scenario.data, description="data")
        sizes = [("all", None)] + [(str(b), b) for b in (1, 2, 5, 10, 20, 50) if b < scenario.n_points]
        if scenario.batch_size not in [b for _, b in sizes]:
            sizes.append((str(scenario.batch_size), scenario.batch_size))
        controls["batch_size"] = w.Dropdown(options=sizes, value=scenario.batch_size, description="batch")
        controls["reg"] = w.SelectMultiple(options=tuple(REGULARIZERS), value=scenario.reg, description="reg",
                                           rows=len(REGULARIZERS))
        for name, options in ((name, known()) for name, known in CHOICES.items()):
            value = getattr(scenario, name)
            value = value[0] if isinstance(value, tuple) else value
            controls[name] = w.ToggleButtons(options=options, value=value, description=name.replace("_", " "))
        self.controls = controls
        self.step = w.IntSlider(value=0, min=0, max=1, description="step", continuous_update=True,
                                layout=w.Layout(width="60%"))
        self.play = w.Play(value=0, min=0, max=1, interval=50)
        w.jslink((self.play, "value"), (self.step, "value"))  # played in the browser, no kernel round trip

    def state(self) -> dict[str, Any]:
        """The current option values, as ``render`` and ``simulate`` take them."""
        state = dict(self.options)
        for name, control in self.controls.items():
            if not name.startswith("w0_"):
                state[name] = control.value
        if state["data"] is None:
            for name in ("data", "target", "columns"):
                state.pop(name, None)
            weights = state["features"]
        else:  # the file gives the points and the number of weights
            for name in ("features", "w_true", "corr", "n_points", "x_range", "noise", "seed"):
                state.pop(name, None)
            weights = read_table(state["data"], state.get("target"), state.get("columns")).features
        starts = [self.controls[f"w0_{j + 1}"].value for j in range(min(weights, STARTS))]
        state["w0"] = starts[0] if weights != 2 else tuple(starts)
        state["reg"] = tuple(state["reg"]) or ("l1",)
        return state

    def _on_option(self, change) -> None:
        self._later("rebuild")

    def _later(self, what: str) -> None:
        """Draw the latest state. In a kernel (an event loop runs) the drawing waits for the loop's
        next turn, so that the slider's changes that arrived meanwhile are all in and the picture
        is drawn once, for the last of them; without one (a script, the tests), at once."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._draw_now({what})
            return
        if not self._waiting:
            loop.call_soon(self._drain)
        self._waiting.add(what)

    def _drain(self) -> None:
        waiting, self._waiting = self._waiting, set()
        if waiting:
            self._draw_now(waiting)

    # What code reads is the state as set, drawn: a change made from a cell (inside the kernel's
    # loop, so waiting for its next turn) is drawn first.
    @property
    def scene(self):
        self._drain()
        return self._scene

    @property
    def simulation(self):
        self._drain()
        return self._simulation

    @property
    def settings(self):
        self._drain()
        return self._settings

    def _draw_now(self, what: set[str]) -> None:
        if "rebuild" in what:
            self._show_starts()
            self._rebuild()  # it shows the frame
        elif "step" in what:
            self._show(self.step.value)

    def _show_starts(self) -> None:
        """A start slider for each of two weights; one for every weight otherwise; no weights
        slider while a data set gives them."""
        data = self.controls["data"].value is not None
        weights = 3 if data else self.controls["features"].value
        self.controls["features"].layout.display = "none" if data else None
        self.controls["w0_1"].description = "w0" if weights == 1 else ("w0 of w1" if weights == 2 else "w0 (all)")
        for j in range(1, STARTS):
            self.controls[f"w0_{j + 1}"].layout.display = None if j < weights <= STARTS else "none"

    def _on_step(self, change) -> None:
        if not self._quiet:
            self._later("step")

    # --- drawing ---------------------------------------------------------------------------

    def _rebuild(self) -> None:
        """Simulate the current state and build its scene; a bad combination is said, not raised."""
        from .scene import Scene  # matplotlib: only once there is something to draw
        from .scenedata import scene_data

        try:
            scenario, settings = render_config({**self.state(), "size": self.size})
            sim = simulate(scenario)
        except ConfigError as error:
            self.message.value = f"<b>Not shown:</b> {html.escape(str(error.in_python()))}"
            return
        self.message.value = ""
        n = sim.ticks  # one frame a tick (a step, or a λ): the step slider is the clock
        self._simulation, self._settings = sim, settings
        data = scene_data(sim, n, "even", settings.lang, settings.caption)
        if self._scene is not None and self._scene.restage(data, theme=settings.theme, panels=settings.panels):
            self.restaged += 1
        else:
            self._scene = Scene(data, size=self.size, theme=settings.theme, panels=settings.panels,
                               counter_cells=False)  # one frame at a time: the text is quicker
            self.rebuilt += 1
        last = self._scene.frame_count - 1
        self.step.max = self.play.max = last
        self.step.description = self._scene.data.clock.name
        self.command_text.value = self.command()
        self.job_text.value = self.job()
        if self.step.value > last:
            self._quiet = True  # shown just below
            try:
                self.step.value = last
            finally:
                self._quiet = False
        self._show(self.step.value)

    def frame(self) -> np.ndarray:
        """The frame on show, as an RGB array."""
        return self.scene.frame(self.step.value)

    def _show(self, k: int) -> None:
        from .encoders.png import png_bytes

        self.image.value = png_bytes(self._scene.frame(k))

    # --- keep what you find ----------------------------------------------------------------

    def _changed(self) -> dict[str, Any]:
        """The state's values that differ from the defaults, in the option table's order."""
        defaults = {f.name: f.default for f in fields(Scenario)}
        state = {name: (value,) if isinstance(value, str) and isinstance(defaults.get(name), tuple) else value
                 for name, value in self.state().items()}  # a choice of one, as the option table gives it
        return {name: state[name] for name in OPTIONS
                if name in state and applies(name, state) and state[name] != defaults.get(name, None)}

    def command(self, out: str = "outputs/explored.gif") -> str:
        """The command line that renders the current state."""
        parts = ["regviz-anim", "render", "-o", out]
        for name, value in self._changed().items():
            parts += argv(name, value)
        return shlex.join(parts)

    def job(self, out: str = "outputs/explored.gif") -> str:
        """The manifest ``[[job]]`` table that renders the current state."""
        lines = ["[[job]]"] + [toml(name, value) for name, value in self._changed().items()]
        lines.append(f'out = "{out}"')
        return "\n".join(lines) + "\n"

    def _on_render(self, _button) -> None:
        """The button: a render whose file or options are refused says why under the picture."""
        try:
            self.render(self.out_name.value)
        except (ConfigError, OutputError) as error:
            self.message.value = f"<b>Not written:</b> {html.escape(str(error))}"

    def render(self, out: str | Path, **options: Any):
        """Render the current state to ``out`` (full size unless ``size=`` is given), with progress.
        Bad values raise ConfigError naming the keyword."""
        from .renderer import render  # matplotlib: only when a render is asked for

        def progress(done: int, total: int) -> None:
            self.progress.max, self.progress.value = total, done

        try:
            result = render({**self.state(), **options}, out, progress=progress)
        except ConfigError as error:
            raise error.in_python() from None
        self.message.value = f"wrote {result.path} ({result.frames} frames)"
        return result

    # --- display ---------------------------------------------------------------------------

    @property
    def widget(self):
        w = self.w
        c = self.controls
        starts = [c[f"w0_{j + 1}"] for j in range(STARTS)]
        left = w.VBox([c["lam"], c["lr"], *starts, c["steps"], c["reg"]])
        right = w.VBox([c["data"], c["features"], c["animate"], c["optimizer"], c["batch_size"], c["l1_update"],
                        c["schedule"]])
        keep = w.VBox([w.HTML("<b>the same as a command</b>"), self.command_text,
                       w.HTML("<b>as a manifest job</b>"), self.job_text,
                       w.HBox([self.out_name, self.render_button, self.progress])])
        return w.VBox([w.HBox([left, right]), w.HBox([self.play, self.step]), self.image, self.message,
                       w.Accordion(children=[keep], titles=("keep what you find",))])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<regviz_anim Explorer: {self.command()}>"


def explore(*, preset: str | None = None, size: tuple[int, int] = VIEW_SIZE, **options: Any) -> Explorer:
    """A live view for Jupyter: sliders for λ, η, w0 and the steps, choices for the regularizers,
    the L1 rule, the schedule, one or two weights and the kind of animation, and a step slider
    that plays. Options are the command line's, as keywords. Needs ``pip install "regviz-anim[notebook]"``."""
    _widgets()
    try:
        return Explorer({**(preset_options(preset) if preset else {}), **options}, size=size)
    except ConfigError as error:
        raise error.in_python() from None

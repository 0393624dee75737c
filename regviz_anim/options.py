"""Every option, validated once at the edge, into frozen dataclasses.

One table (``OPTIONS``) drives the command line, the batch manifest, the Python API and the
options reference (``docs/options.md``, checked against it by a test), so an option has one name,
one default and one error message wherever it is given. The choices come from the records they
name: regularizers, L1 rules, schedules, kinds of animation, panels, languages.
"""
from __future__ import annotations

import decimal
import math
import numbers
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import ConfigError
from .lang import LANGS, missing_font
from .numerics import KINDS
from .numerics.path import LAM_SCALES
from .numerics.penalties import REGULARIZERS
from .numerics.problem import MAX_FEATURES, DataError, read_table, sparse_truth
from .numerics.optimizers import OPTIMIZERS
from .numerics.rules import L1_RULES, ONLY_GD, SCHEDULES
from .numerics.steps import batch_sizes
from .panels import PANELS, default_panels, suits
from .scenedata import CAPTIONS

__all__ = ["OPTIONS", "Option", "Scenario", "RenderSettings", "ConfigError", "parse_options", "scenario_from",
           "settings_from", "render_config", "parameters"]

THEMES = ("light", "dark")
TIMINGS = ("even", "motion")
MAX_FRAMES = 100_000
# Bounds on magnitudes, so that no loss, gradient or minimiser can overflow a float:
# |w|, |x|, λ and the noise up to 1e6 keep every square far below 1e308.
MAGNITUDE = 1e6
MIN_X_WIDTH = 1e-6


# --- parsers: raw value (a CLI string or a TOML value) -> python value, or ValueError(allowed)

# Plain ASCII numbers only: Python's float() and int() would also take "1_0" and other scripts' digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def _real(raw: Any, pattern: re.Pattern) -> float | int:
    """A number from a string of that form or a Python number (not a bool); else ValueError."""
    if isinstance(raw, str):
        if not pattern.fullmatch(raw.strip()):
            raise ValueError
        return int(raw) if pattern is _INTEGER else float(raw)
    if isinstance(raw, bool) or not isinstance(raw, (numbers.Real, decimal.Decimal)):
        raise ValueError
    return raw


def number(*, low: float | None = None, high: float | None = None, low_open: bool = False,
           high_open: bool = False):
    def parse(raw: Any) -> float:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            bounds.append(f"{'<' if high_open else '<='} {high:g}")
        allowed = "must be a finite number" + (" " + " and ".join(bounds) if bounds else "")
        try:
            value = float(_real(raw, _NUMBER))
        except (TypeError, ValueError, OverflowError):
            raise ValueError(allowed) from None
        if (not math.isfinite(value) or (low is not None and (value < low or (low_open and value == low)))
                or (high is not None and (value > high or (high_open and value == high)))):
            raise ValueError(allowed)
        return value
    return parse


def weights(*, low: float, high: float):
    """One number for every weight, or one per weight, comma separated (a tuple then)."""
    one = number(low=low, high=high)

    def parse(raw: Any) -> float | tuple[float, ...]:
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, (list, tuple)):
            return one(items)
        try:
            values = tuple(one(item) for item in items)
        except ValueError as error:
            raise ValueError(f"{error}, one number or one per weight (comma separated)") from None
        if not 1 <= len(values) <= MAX_FEATURES:
            raise ValueError(f"give one number, or one per weight (at most {MAX_FEATURES})")
        return values[0] if len(values) == 1 else values
    return parse


def integer(*, low: int, high: int):
    def parse(raw: Any) -> int:
        allowed = f"must be a whole number from {low} to {high}"
        try:
            value = _real(raw, _INTEGER)
            if not isinstance(value, numbers.Integral):
                if not math.isfinite(value) or value != int(value):
                    raise ValueError
            value = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(allowed) from None
        if not low <= value <= high:
            raise ValueError(allowed)
        return value
    return parse


def choice(known: Iterable[str]):
    """One of ``known``: a tuple, or a registry (a dict, read when a value is parsed, so that an
    entry added to it is an allowed value at once)."""
    def parse(raw: Any) -> str:
        names = tuple(known)
        if raw not in names:
            raise ValueError(f"must be one of {', '.join(names)}")
        return raw
    return parse


def choices(known: Iterable[str]):
    """A comma-separated string or a list of names, each one of ``known`` (see :func:`choice`),
    none twice."""
    def parse(raw: Any) -> tuple[str, ...]:
        names = tuple(known)
        allowed = f"must be one or more of {', '.join(names)}, comma separated"
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, (list, tuple)) or not items:
            raise ValueError(allowed)
        items = tuple(item.strip() if isinstance(item, str) else item for item in items)
        if any(item not in names for item in items) or len(set(items)) != len(items):
            raise ValueError(allowed)
        return items
    return parse


ORDERS = ("shuffled", "cyclic")


def batch_size_values(raw: Any):
    """A batch size, or several to compare (a tuple): whole numbers from 1, or ``all`` (None)."""
    allowed = "must be whole numbers from 1 to 100000 or all, comma separated"
    items = raw.split(",") if isinstance(raw, str) else raw
    items = items if isinstance(items, (list, tuple)) else [items]
    out = []
    for item in items:
        if isinstance(item, str) and item.strip() == "all":
            out.append(None)
            continue
        try:
            out.append(integer(low=1, high=100_000)(item.strip() if isinstance(item, str) else item))
        except ValueError:
            raise ValueError(allowed) from None
    if not out or len(set(out)) != len(out):
        raise ValueError(allowed + ", none twice")
    return out[0] if len(out) == 1 else tuple(out)


def pair(*, low: float, high: float):
    """Two numbers in [low, high), comma separated."""
    one = number(low=low, high=high, high_open=True)

    def parse(raw: Any) -> tuple[float, float]:
        items = raw.split(",") if isinstance(raw, str) else raw
        try:
            first, second = (one(item) for item in items)
        except (TypeError, ValueError):
            raise ValueError(f"must be two numbers A,B, each >= {low:g} and < {high:g}") from None
        return first, second
    return parse


def names(raw: Any) -> tuple[str, ...]:
    """Column names, comma separated, none twice."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("must be column names, comma separated")
    items = tuple(item.strip() for item in items)
    if len(set(items)) != len(items):
        raise ValueError("names a column twice")
    return items


def text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a name")
    return raw.strip()


def x_range(raw: Any) -> tuple[float, float]:
    allowed = (f"must be two numbers LO,HI with LO < HI, within ±{MAGNITUDE:g} and at least "
               f"{MIN_X_WIDTH:g} apart")
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        lo, hi = (number(low=-MAGNITUDE, high=MAGNITUDE)(item) for item in items)
    except (TypeError, ValueError):
        raise ValueError(allowed) from None
    if not hi - lo >= MIN_X_WIDTH:
        raise ValueError(allowed)
    return lo, hi


def lam_range(raw: Any) -> tuple[float, float]:
    allowed = f"must be two numbers LO,HI with 0 <= LO < HI <= {MAGNITUDE:g}"
    items = raw.split(",") if isinstance(raw, str) else raw
    try:
        lo, hi = (number(low=0, high=MAGNITUDE)(item) for item in items)
    except (TypeError, ValueError):
        raise ValueError(allowed) from None
    if not lo < hi:
        raise ValueError(allowed)
    return lo, hi


def size(raw: Any) -> tuple[int, int]:
    allowed = "must be WIDTHxHEIGHT, each from 160 to 3840 pixels (for example 1280x720)"
    items = raw.lower().split("x") if isinstance(raw, str) else raw
    try:
        width, height = (integer(low=160, high=3840)(item) for item in items)
    except (TypeError, ValueError):
        raise ValueError(allowed) from None
    return width, height


def flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("must be true or false")
    return raw


def optional(parse: Callable[[Any], Any]):
    return lambda raw: None if raw is None else parse(raw)


def path(raw: Any) -> Path:
    if not isinstance(raw, (str, Path)) or not str(raw):
        raise ValueError("must be a file path")
    return Path(raw)


@dataclass(frozen=True)
class Option:
    name: str
    parse: Callable[[Any], Any]
    help: str
    metavar: str | None = None


SCENARIO_OPTIONS = (
    Option("reg", choices(REGULARIZERS), "regularizers to compare, comma separated", "REGS"),
    Option("lam", number(low=0, high=MAGNITUDE), "regularization strength λ", "λ"),
    Option("lr", number(low=0, low_open=True), "learning rate η (the first step's, under a schedule)", "η"),
    Option("steps", integer(low=1, high=1_000_000), "gradient steps per run", "N"),
    Option("w0", weights(low=-MAGNITUDE, high=MAGNITUDE), "starting weight; one per weight, or one for all", "W"),
    Option("l1_update", choices(L1_RULES), "update rule for the L1 term; comma separated to compare several",
           "RULES"),
    Option("optimizer", choices(OPTIMIZERS), "how a step is taken, comma separated to compare: gd (w ← w − ηg), "
           "momentum (v ← βv + g, w ← w − ηv), nesterov (w ← w − η(g + βv)), adam (bias-corrected, "
           "w ← w − η·m̂/(√v̂ + ε))", "NAMES"),
    Option("momentum", number(low=0, high=1, high_open=True), "with --optimizer momentum or nesterov: β", "β"),
    Option("betas", pair(low=0, high=1), "with --optimizer adam: β1,β2, each in [0, 1)", "β1,β2"),
    Option("eps", number(low=0, low_open=True, high=1), "with --optimizer adam: ε", "ε"),
    Option("batch_size", optional(batch_size_values),
           "points in each step's gradient (default: all of them, full-batch gradient descent); comma "
           "separated to compare, with all for the full batch: 1,all", "B"),
    Option("order", choice(ORDERS), "with --batch-size: the points in a fresh random order each epoch (from "
           "--seed), or in order", "NAME"),
    Option("schedule", choice(SCHEDULES), "the step size at step t: "
           + ", ".join(f"{s.name} ({s.help})" for s in SCHEDULES.values()), "NAME"),
    Option("l1_ratio", number(low=0, high=1), "elastic net's share of L1: λ(α|w| + (1-α)w²)", "α"),
    Option("animate", choice(KINDS), "what moves: the gradient steps at one λ (steps), λ itself (lam: the path of "
           "exact minimisers), or random problems, one a frame (trials: how often a weight is exactly 0)", "WHAT"),
    Option("lam_range", optional(lam_range),
           "with --animate lam: the λ range (default: 0 to 1.5 times the λ that zeroes every L1 weight)", "LO,HI"),
    Option("lam_scale", choice(LAM_SCALES), "with --animate lam: λ spaced evenly (linear) or on a log scale", "NAME"),
    Option("lam_steps", integer(low=2, high=100_000), "with --animate lam: how many values of λ", "N"),
    Option("trials", integer(low=1, high=100_000), "with --animate trials: how many random problems, one a frame "
           "(or a few a frame, when there are more trials than frames)", "N"),
    Option("allow_divergence", flag, "keep a diverging run (truncated, marked) instead of failing"),
    Option("w_true", weights(low=-MAGNITUDE, high=MAGNITUDE),
           "the true weight that made the data; one per weight, or one for all", "W"),
    Option("features", integer(low=1, high=MAX_FEATURES),
           f"number of weights, 1 to {MAX_FEATURES}: 1 (y = w·x), 2 (y = w1·x1 + w2·x2) or more; without --w-true, "
           "3 or more get a sparse truth (Tibshirani's for 8)", "N"),
    Option("corr", number(low=-1, high=1, low_open=True, high_open=True),
           "correlation ρ^|i-j| between features i and j (two weights or more)", "ρ"),
    Option("data", optional(text), "the data from a CSV file with a header row (or the built-in diabetes): "
           "features standardised, the target centred; --features, --w-true and the generator's options "
           "do not apply", "FILE"),
    Option("target", optional(text), "with --data: the column to predict (diabetes: progression)", "COLUMN"),
    Option("columns", optional(names), "with --data: the feature columns (default: every column but the target)",
           "A,B,..."),
    Option("n_points", integer(low=2, high=100_000), "number of data points", "N"),
    Option("x_range", x_range, "x is evenly spaced on [LO, HI)", "LO,HI"),
    Option("noise", number(low=0, high=MAGNITUDE), "standard deviation of Gaussian noise added to y", "SD"),
    Option("seed", integer(low=0, high=2**32 - 1), "random seed for the noise", "N"),
)

RENDER_OPTIONS = (
    Option("fps", integer(low=1, high=60),
           "frames per second (a GIF plays exactly only at 1, 2, 4, 5, 10, 20, 25 or 50)", "N"),
    Option("duration", optional(number(low=0, low_open=True)),
           "seconds of motion before the hold (default: a frame a step, at most 10 s)", "SEC"),
    Option("frames", optional(integer(low=2, high=MAX_FRAMES)), "number of frames of motion", "N"),
    Option("hold", number(low=0, high=60), "seconds the last frame is held (with --bounce: the turning frame)",
           "SEC"),
    Option("hold_start", number(low=0, high=60), "seconds the first frame is held before the motion", "SEC"),
    Option("bounce", flag, "play forward, then back to the start"),
    Option("size", size, "frame size in pixels, rounded down to even numbers", "WxH"),
    Option("theme", choice(THEMES), "colour theme", "NAME"),
    Option("lang", choice(LANGS), "the language of every text in the frame: en or zh (Chinese)", "LANG"),
    Option("caption", choice(CAPTIONS), "the result in words below the panels: reveal (each run's outcome "
           "from the frame it happens on, its current value before), always (the outcome from the first frame), "
           "or off", "MODE"),
    Option("panels", optional(choices(PANELS)),
           "panels to show, in order, comma separated (default: loss,weight,fit,gradient for one weight, "
           "plane,weight,gap,gradient for two)", "NAMES"),
    Option("video_text", flag, "on a slide or a page (a .pptx, a batch's deck, an .html), draw the title and "
           "caption in the video too, not only as its text"),
    Option("loop", integer(low=0, high=65535),
           "GIF loop count; 0 loops forever (a page: 0 starts with looping on, else off)", "N"),
    Option("timing", choice(TIMINGS),
           "which steps the frames show when steps and frames differ: evenly, or more where w moves fast", "MODE"),
    Option("poster", optional(path), "also write the last frame as a PNG", "PNG"),
    Option("frames_dir", optional(path), "also write every frame as a PNG into this folder", "DIR"),
    Option("workers", optional(integer(low=0, high=64)),
           "processes drawing frames while this one encodes; 0 draws here (default: one a core, for 40 "
           "frames or more, where the platform can fork and no other thread runs)", "N"),
)

OPTIONS = {option.name: option for option in SCENARIO_OPTIONS + RENDER_OPTIONS}


@dataclass(frozen=True)
class Scenario:
    """What to simulate: the data, the regularizers and how gradient descent runs."""

    reg: tuple[str, ...] = ("l1", "l2")
    lam: float = 0.5
    lr: float = 0.1
    steps: int = 200
    w0: float | tuple[float, ...] = 1.0
    l1_update: tuple[str, ...] = ("clipped",)
    optimizer: tuple[str, ...] = ("gd",)
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    batch_size: int | tuple[int | None, ...] | None = None  # several: compared
    order: str = "shuffled"
    schedule: str = "constant"
    l1_ratio: float = 0.5
    animate: str = "steps"
    lam_range: tuple[float, float] | None = None
    lam_scale: str = "linear"
    lam_steps: int = 200
    trials: int = 300
    allow_divergence: bool = False
    w_true: float | tuple[float, ...] = 0.5
    features: int = 1
    corr: float = 0.0
    data: str | None = None
    target: str | None = None
    columns: tuple[str, ...] | None = None
    n_points: int = 20
    x_range: tuple[float, float] = (-1.0, 1.0)
    noise: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class RenderSettings:
    """How to draw and time the animation."""

    fps: int = 20
    duration: float | None = None
    frames: int | None = None
    hold: float = 2.0
    hold_start: float = 0.0
    bounce: bool = False
    size: tuple[int, int] = (1280, 720)
    theme: str = "light"
    lang: str = "en"
    caption: str = "reveal"
    panels: tuple[str, ...] | None = None  # None: the default for the number of weights
    video_text: bool = False
    loop: int = 0
    timing: str = "motion"
    poster: Path | None = None
    frames_dir: Path | None = None
    workers: int | None = None  # None: regviz_anim.drawing decides
    for_slide: bool = False     # drawn for a slide that carries its title (a .pptx, a batch's deck): not an option

    @property
    def text_in_video(self) -> bool:
        """The title (and a caption that does not reveal) are drawn in the video, not left to a slide."""
        return not self.for_slide or self.video_text

    @property
    def even_size(self) -> tuple[int, int]:
        """The size in pixels, rounded down to even numbers as H.264 requires."""
        return self.size[0] // 2 * 2, self.size[1] // 2 * 2

    def frame_count(self, steps: int) -> int:
        """Frames of motion: ``--frames``, else ``--duration``·fps, else one a step up to 10 s."""
        if self.frames is not None:
            return self.frames
        if self.duration is not None:
            return max(2, round(self.duration * self.fps))
        return max(2, min(steps + 1, 10 * self.fps))


def parse_options(raw: dict[str, Any], names: Iterable[str] | None = None, *, what: str = "") -> dict[str, Any]:
    """Validate raw values by the table; unknown names and bad values raise ConfigError."""
    allowed = set(OPTIONS if names is None else names)
    parsed = {}
    for name, value in raw.items():
        if name not in allowed:
            of = f" of {what}" if what else ""
            raise ConfigError(name, value, f"is not an option{of}; use one of {', '.join(sorted(allowed))}")
        try:
            parsed[name] = OPTIONS[name].parse(value)
        except ValueError as error:
            raise ConfigError(name, value, str(error)) from None
    return parsed


def _build(cls, values: dict[str, Any]):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


def scenario_from(raw: dict[str, Any], *, only: bool = False) -> Scenario:
    """The scenario from raw values; with ``only``, a render option is an error (for simulate)."""
    allowed = Scenario.__dataclass_fields__ if only else None
    values = parse_options(raw, allowed, what="simulate" if only else "")
    if values.get("data") is not None:
        for name in ("features", "w_true", "corr", "n_points", "x_range", "noise") + (() if values.get("batch_size")
                                                                                      else ("seed",)):
            if name in values:
                raise ConfigError(name, values[name], "does not apply with --data: the file gives the points")
        try:
            table = read_table(values["data"], values.get("target"), values.get("columns"))
        except DataError as error:
            raise ConfigError("data", values["data"], str(error)) from None
        values.update(features=table.features, n_points=len(table.y))
    else:
        for name in ("target", "columns"):
            if values.get(name) is not None:
                raise ConfigError(name, values[name], "needs --data FILE")
        if values.get("features", 1) >= 3 and "w_true" not in values:
            values["w_true"] = sparse_truth(values["features"])
    scenario = _build(Scenario, values)
    d = scenario.features
    for name in ("w_true", "w0"):
        value = getattr(scenario, name)
        if isinstance(value, tuple) and len(value) != d:
            raise ConfigError(name, value, f"give one number, or {d} (one per weight) with --features {d}")
    if d == 1 and scenario.corr != 0.0:
        raise ConfigError("corr", scenario.corr, "the correlation of two features needs --features 2 or more")
    if d <= 2 and scenario.n_points < d + 1:
        option, value = ("data", scenario.data) if scenario.data is not None else ("n_points", scenario.n_points)
        raise ConfigError(option, value, f"needs at least {d + 1} points for {d} weights")
    sizes = batch_sizes(scenario)
    if any(b is not None and b > scenario.n_points for b in sizes):
        raise ConfigError("batch_size", scenario.batch_size,
                          f"must be at most the number of points, {scenario.n_points}")
    if any(o != "gd" for o in scenario.optimizer):
        wrong = [u for u in scenario.l1_update if u in ONLY_GD]
        if wrong and any(REGULARIZERS[r].l1_part for r in scenario.reg):
            raise ConfigError("l1_update", ",".join(scenario.l1_update), f"{wrong[0]} steps need --optimizer gd; "
                              f"with {', '.join(o for o in scenario.optimizer if o != 'gd')} use subgradient "
                              "or clipped")
    if None in sizes and scenario.n_points in sizes:
        raise ConfigError("batch_size", scenario.batch_size, f"names the full batch twice ({scenario.n_points} is all)")
    if scenario.animate != "steps":
        for name in ("optimizer", "batch_size", "order", "momentum", "betas", "eps"):
            if getattr(scenario, name) != ONLY_WHEN_SET[name]:
                raise ConfigError(name, getattr(scenario, name), f"does not apply with --animate {scenario.animate}: "
                                  "it shows exact minimisers, which no optimizer takes steps to")
    if scenario.animate == "trials" and scenario.data is not None:
        raise ConfigError("data", scenario.data, "does not apply with --animate trials: each trial draws its own "
                          "random problem")
    if scenario.lam_scale == "log" and scenario.lam_range is not None and scenario.lam_range[0] == 0.0:
        raise ConfigError("lam_range", scenario.lam_range, "a log scale needs LO > 0")
    return scenario


def settings_from(raw: dict[str, Any]) -> RenderSettings:
    values = parse_options(raw)
    if values.get("duration") is not None and values.get("frames") is not None:
        raise ConfigError("duration", values["duration"], "give --duration or --frames, not both")
    settings = _build(RenderSettings, values)
    install = missing_font(settings.lang)
    if install:
        raise ConfigError("lang", settings.lang, f"needs a font that is not installed: {install}")
    if settings.duration is not None and round(settings.duration * settings.fps) > MAX_FRAMES:
        raise ConfigError("duration", settings.duration,
                          f"at {settings.fps} fps must be at most {MAX_FRAMES / settings.fps:g} s "
                          f"({MAX_FRAMES} frames)")
    return settings


def render_config(raw: dict[str, Any]) -> tuple[Scenario, RenderSettings]:
    """The scenario and the render settings from one dict of raw option values."""
    scenario = scenario_from({k: v for k, v in raw.items() if k in Scenario.__dataclass_fields__})
    rest = {k: v for k, v in raw.items() if k not in Scenario.__dataclass_fields__}
    settings = settings_from(rest)
    d, mode = scenario.features, scenario.animate
    if settings.panels is None:
        return scenario, replace(settings, panels=default_panels(mode, d))

    wrong = [name for name in settings.panels if not suits(PANELS[name], d, mode)]
    if wrong:
        fitting = ", ".join(name for name, panel in PANELS.items() if suits(panel, d, mode))
        shows = f"{d} weight{'s' * (d > 1)}" + (" as λ grows" if mode == "lam" else "")
        raise ConfigError("panels", settings.panels, f"{wrong[0]} does not show {shows}; "
                          f"with --features {d} --animate {mode} use any of {fitting}")
    return scenario, settings


STEPS_ONLY = {"lr", "steps", "w0", "l1_update", "schedule", "allow_divergence", "timing", "lam", "optimizer",
              "momentum", "betas", "eps", "batch_size", "order"}
LAM_ONLY = {"lam_range", "lam_scale", "lam_steps"}
TRIALS_ONLY = {"trials"}


def applies(name: str, values: dict[str, Any]) -> bool:
    """Whether option ``name`` changes what is drawn, given the other ``values`` (by name, as
    ``parameters`` gives them): ``lam_steps`` only along the λ path, ``l1_update`` only with an
    L1 term, ``corr`` only with two weights or more, ``l1_ratio`` only with a regularizer it mixes."""
    kind = values.get("animate", "steps")
    regs = [REGULARIZERS[r] for r in values.get("reg", ()) if r in REGULARIZERS]
    if name in STEPS_ONLY and kind != "steps" and not (name == "lam" and kind == "trials") \
            or name in LAM_ONLY and kind != "lam" or name in TRIALS_ONLY and kind != "trials":
        return False
    if name == "l1_update":
        return any(r.l1_part for r in regs)
    if name == "l1_ratio":
        return any(r.split(1.0, 0.25) != r.split(1.0, 0.75) for r in regs)
    if name == "corr":
        return values.get("features", 1) >= 2 and values.get("data") is None
    if name in ("target", "columns"):
        return values.get("data") is not None
    if name == "x_range":  # several weights are standardised features: no x range
        return values.get("features", 1) == 1 and values.get("data") is None
    if name == "seed" and values.get("batch_size") is not None and values.get("order", "shuffled") == "shuffled":
        return True  # it orders the batches
    if name in ("w_true", "n_points", "x_range", "noise", "seed", "features") and values.get("data") is not None:
        return False
    optimizers = values.get("optimizer", ("gd",))
    if name == "momentum":
        return any(o in ("momentum", "nesterov") for o in optimizers)
    if name in ("betas", "eps"):
        return "adam" in optimizers
    if name == "order":
        return values.get("batch_size") is not None
    if name == "loop":
        return values.get("format", "gif") == "gif"
    if name in ("video_text", "for_slide"):
        return bool(values.get("for_slide"))
    return True


# Left out of the documents while they have their defaults, so that documents of runs that use
# none of them stay as they were: the data set, and the optimizers and batches.
ONLY_WHEN_SET = {"data": None, "target": None, "columns": None, "trials": 300, "optimizer": ("gd",), "momentum": 0.9,
                 "betas": (0.9, 0.999), "eps": 1e-8, "batch_size": None, "order": "shuffled"}


def parameters(obj: Any) -> dict[str, Any]:
    """A frozen config dataclass as JSON-ready values (tuples as lists, paths as strings)."""
    out = {}
    for key, value in asdict(obj).items():
        if key in ONLY_WHEN_SET and value == ONLY_WHEN_SET[key]:
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif value is not None and not isinstance(value, (bool, int, float, str)):
            value = str(value)
        out[key] = value
    return out

"""The ``regviz-anim`` command: the only place that knows about tqdm and exit statuses."""
from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

from .version import __version__
from .errors import ConfigError, OutputError
from .formatting import for_help
from .options import (OPTIONS, RENDER_OPTIONS, SCENARIO_OPTIONS, RenderSettings, Scenario, integer, render_config,
                      scenario_from)
from .interrupts import Terminated, checkpoint, keep_stops
from .presets import PRESETS, preset_options

PROG = "regviz-anim"
DEFAULT_RENDER = Path("outputs") / "l1_vs_l2.gif"


class UsageError(Exception):
    """Bad input that argparse itself caught (unknown option, missing value)."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump; main() turns it into exit 2
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _default(name: str) -> str | None:
    for cls in (Scenario, RenderSettings):
        if name in cls.__dataclass_fields__:
            value = getattr(cls(), name)
            return None if value is None else for_help(name, value)
    return None


def _add_options(parser: argparse.ArgumentParser, options) -> None:
    for option in options:
        flag = "--" + option.name.replace("_", "-")
        default = _default(option.name)
        if option.parse.__name__ == "flag":
            parser.add_argument(flag, dest=option.name, action="store_true", default=argparse.SUPPRESS,
                                help=option.help)
        else:
            shown = "" if default is None else f" (default: {default})"
            parser.add_argument(flag, dest=option.name, metavar=option.metavar, default=argparse.SUPPRESS,
                                help=option.help + shown)


def build_parser() -> Parser:
    parser = Parser(prog=PROG, description="Animations of gradient descent with L1 and L2 regularization.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    render = sub.add_parser("render", help="render the animation (.gif, .mp4, .pptx or .html)",
                            description="Render the runs as an animation; the format comes from OUT's suffix.")
    render.add_argument("-o", "--out", default=str(DEFAULT_RENDER), help=f"output file (default: {DEFAULT_RENDER})")
    render.add_argument("--preset", help="start from a named scenario (see `presets`)")
    render.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_options(render, SCENARIO_OPTIONS)
    _add_options(render, RENDER_OPTIONS)

    simulate = sub.add_parser("simulate", help="write the trajectories (.json or .csv, - for JSON on stdout)",
                              description="Run gradient descent and write every run's w and loss at every step.")
    simulate.add_argument("-o", "--out", default="-", help="output file, .json or .csv; - for JSON on stdout")
    simulate.add_argument("--preset", help="start from a named scenario (see `presets`)")
    _add_options(simulate, SCENARIO_OPTIONS)

    batch = sub.add_parser("batch", help="render many variants from one TOML manifest",
                           description="Render every job of a TOML manifest in parallel, skipping what is up to date.")
    batch.add_argument("manifest", help="the manifest, a .toml file")
    batch.add_argument("--jobs", default=None, help="parallel renders (default: the number of cores)")
    batch.add_argument("--force", action="store_true", help="render even what is up to date")
    batch.add_argument("--dry-run", action="store_true", help="list what would be rendered and skipped")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       help="run the jobs on a Dask cluster, e.g. tcp://HOST:8786 (needs the [dask] extra)")

    presets = sub.add_parser("presets", help="list the named scenarios", description="List the named scenarios.")
    presets.add_argument("--lang", default="en", help="the language of the summaries: en or zh")
    return parser


def _options_of(args: argparse.Namespace, names) -> dict[str, Any]:
    raw = preset_options(args.preset) if getattr(args, "preset", None) else {}
    raw.update({name: getattr(args, name) for name in names if hasattr(args, name)})
    return raw


def _say_created(folders) -> None:
    for folder in folders:
        print(f"created the folder {folder}{os.sep}", file=sys.stderr)


def cmd_simulate(args: argparse.Namespace) -> int:
    from .export import SIMULATE_SUFFIXES, csv_chunks, json_stream
    from .numerics import simulate
    from .outputs.transaction import write_chunks
    from .targets import check_output

    out = None if args.out == "-" else Path(args.out)
    if out is not None:
        check_output("out", out, SIMULATE_SUFFIXES)
    sim = simulate(scenario_from(_options_of(args, OPTIONS)))
    if out is None:
        for chunk in json_stream(sim):
            sys.stdout.write(chunk)
    else:
        _say_created(write_chunks(out, csv_chunks(sim) if out.suffix.lower() == ".csv" else json_stream(sim)))
        print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from .lang import Texts

    try:
        lang = OPTIONS["lang"].parse(args.lang)
    except ValueError as error:
        raise ConfigError("lang", args.lang, str(error)) from None
    t = Texts(lang)
    width = max(map(len, PRESETS))
    for preset in PRESETS.values():
        print(f"{preset.name:<{width}}  {t.preset(preset.name, preset.summary)}")
    return 0


def tqdm_progress(enabled: bool, desc: str, unit: str):
    """A progress callback ``(done, total)`` drawing a tqdm bar, quiet when not on a terminal."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: a render forks its drawing processes only with none running
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        checkpoint()  # a Ctrl-C or SIGTERM that landed in a finaliser stops the render here
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit=unit, disable=not enabled or None, leave=False,
                       dynamic_ncols=True)
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import ManifestError, load_manifest, run_batch, summary
    from .batch.cluster import scheduler_address
    from .batch.deck import write_batch_deck
    from .batch.gallery import write_batch_gallery

    jobs_arg = args.jobs if args.jobs is not None else os.cpu_count() or 1
    try:
        workers = integer(low=1, high=64)(jobs_arg)
    except ValueError as error:
        raise ConfigError("jobs", jobs_arg, str(error)) from None
    try:
        jobs = load_manifest(args.manifest)
    except ManifestError as error:
        raise UsageError(str(error)) from None
    scheduler = args.scheduler or jobs.scheduler
    if scheduler is not None:
        import importlib.util

        scheduler_address(scheduler, tls_settings=False)
        if not args.dry_run:
            if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
                raise ConfigError("scheduler", scheduler, 'needs dask.distributed: pip install "regviz-anim[dask]"')
            scheduler = scheduler_address(scheduler)
    progress = tqdm_progress(not args.no_progress and not args.dry_run, desc="batch", unit="job")
    outcomes = run_batch(jobs, workers=workers, force=args.force, dry_run=args.dry_run, progress=progress,
                         scheduler=scheduler)
    print(summary(outcomes))
    from .outputs.transaction import TargetBusy

    for kind, target, write in (("deck", jobs.deck, write_batch_deck), ("gallery", jobs.gallery, write_batch_gallery)):
        if target is None or args.dry_run:
            continue
        try:
            print(write(jobs, outcomes))
        except (OSError, OutputError, TargetBusy) as error:
            raise OutputError(f"writing the {kind} {target} failed: {error}; the earlier {kind} is kept") from None
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def cmd_render(args: argparse.Namespace) -> int:
    from .numerics import simulate
    from .renderer import render_simulation

    out = Path(args.out)
    scenario, settings = render_config(_options_of(args, OPTIONS))
    sim = simulate(scenario)
    progress = tqdm_progress(not args.no_progress, desc=out.name, unit="frame")
    result = render_simulation(sim, settings, out, progress=progress)
    if result.cleaned:
        print(f"removed {len(result.cleaned)} temporary file(s) left by an earlier, interrupted render of "
              f"{out}", file=sys.stderr)
    _say_created(result.created)
    width, height = result.size
    print(f"wrote {result.path} ({result.frames} frames, {width}x{height}) and {result.sidecar.name}")
    return 0


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with keep_stops():
            return _run(parser, argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(parser: Parser, argv: Sequence[str] | None) -> int:
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        command = {"simulate": cmd_simulate, "presets": cmd_presets, "render": cmd_render,
                   "batch": cmd_batch}[args.command]
        status = command(args)
        checkpoint()
        return status
    except (ConfigError, UsageError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        print(f"{PROG}: interrupted; nothing was left half-written", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    except OutputError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except ConnectionError as error:  # a Dask scheduler out of reach
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"{PROG}: error:{where} {error.strerror or error}{_limit_hint(error)}", file=sys.stderr)
        return 1


def _limit_hint(error: OSError) -> str:
    """For "too many open files": the limit, and what to do about it."""
    if error.errno != errno.EMFILE:
        return ""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return f" (this process may open {soft}; raise it with `ulimit -n`, or run fewer --jobs)"

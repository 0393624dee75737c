#!/usr/bin/env python3
"""Benchmark: regviz-anim against the usual FuncAnimation path, for the same scene.

Renders the default scene as a 1280x720 GIF and MP4 with regviz-anim and with
``matplotlib.animation.FuncAnimation`` saved through ``PillowWriter`` / ``FFMpegWriter``
(every frame fully redrawn), each in a fresh process and all of them in turns, and prints the
median wall time, peak memory (of the process, and the largest of its children: ffmpeg, or the
processes drawing frames) and file size of each, the ratios, peak memory at 200 vs 800 frames, and the PSNR of
the decoded frames against the rendered ones.

    python scripts/bench.py                 # 200 frames, 3 runs each (a few minutes)
    python scripts/bench.py --repeat 1      # quicker, noisier
    python scripts/bench.py --skip-usual    # regviz-anim's own figures only

It also renders the two-weight scene (the ``diamond`` preset, 200 steps) as a GIF and prints
its time against the one-weight GIF's, and the draw-only floor (imports, the scene and drawing
every frame, no encoding): what a render would cost if encoding were free. For many weights it
renders the λ path of 50 weights and of one (the ``lambda-path`` preset) as GIFs, and times the
exact path of 100 weights at 200 λs and 10,000 steps of 50 weights for three runs, in this process.
It renders 1,000 random problems of two weights (``--animate trials``) against 1,000 steps of two
weights, as GIFs of the same frames.

The package's bytecode is compiled first, as ``pip install`` does: each fresh process then
imports it as an installed package would, also from a checkout installed with ``pip install -e``
where ``PYTHONDONTWRITEBYTECODE`` is set (there every process would otherwise compile it again).
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def job(kind: str, out: str, frames: int, steps: int) -> None:
    """Run one render in this process and print its peak memory as JSON."""
    import resource

    from regviz_anim.options import render_config
    from regviz_anim.numerics import simulate
    from regviz_anim.presets import preset_options

    options = {"two": {**preset_options("diamond"), "steps": steps},
               "path1": {k: v for k, v in preset_options("lambda-path").items() if k != "hold_start"},
               "path50": {"features": 50, "n_points": 100, "noise": 0.5, "animate": "lam"},
               "trials": {"animate": "trials", "trials": 1000, "features": 2},
               "steps1000": {"steps": 1000, "features": 2}}.get(kind, {"steps": steps})
    scenario, settings = render_config({**options, "frames": frames, "hold": 0.0})
    sim = simulate(scenario)
    if kind == "floor":  # imports, the scene and drawing every frame: no encoding, nothing written
        from regviz_anim.scenedata import scene_data
        from regviz_anim.scene import Scene

        scene = Scene(scene_data(sim, frames, settings.timing), size=settings.even_size)
        for i in range(frames):
            scene.draw(i)
        Path(out).write_bytes(b"")
    elif kind in ("regviz", "two", "path1", "path50", "trials", "steps1000"):
        from regviz_anim.renderer import render_simulation
        render_simulation(sim, settings, out)
    else:
        import imageio_ffmpeg
        import matplotlib
        from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

        from regviz_anim.scenedata import scene_data
        from regviz_anim.scene import Scene

        matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
        scene = Scene(scene_data(sim, frames, settings.timing), size=settings.even_size, panels=settings.panels)
        for artist in scene.moving:  # the usual way draws everything, every frame
            artist.set_animated(False)
        scene.figure.set_layout_engine("none")  # but keeps the layout from the first draw, to be fair to it
        anim = FuncAnimation(scene.figure, scene.update, frames=frames, blit=False, repeat=False)
        writer = PillowWriter(fps=settings.fps) if out.endswith(".gif") else FFMpegWriter(fps=settings.fps)
        anim.save(out, writer=writer, dpi=scene.figure.dpi)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"python_mb": me.ru_maxrss / 1024, "children_mb": kids.ru_maxrss / 1024}))


def run_once(kind: str, out: Path, frames: int, steps: int) -> tuple[float, dict]:
    """One render in a fresh process: its wall time and peak memory."""
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--job", kind, "--out", str(out), "--frames", str(frames),
                           "--steps", str(steps)], capture_output=True, text=True, env={**os.environ,
                                                                                        "MPLBACKEND": "Agg"})
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{kind} {out.name} failed:\n{proc.stderr}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def measure(jobs: dict, repeat: int) -> dict:
    """Each job ``(kind, out, frames, steps)`` ``repeat`` times, in turns (all of them once, then
    again...), so that a machine whose speed drifts over the minutes slows every figure alike."""
    runs = {key: [] for key in jobs}
    for _ in range(repeat):
        for key, job in jobs.items():
            runs[key].append(run_once(*job))
    return {key: {"wall": statistics.median(w for w, _ in done),
                  "python_mb": statistics.median(m["python_mb"] for _, m in done),
                  "children_mb": statistics.median(m["children_mb"] for _, m in done),
                  "bytes": jobs[key][1].stat().st_size}
            for key, done in runs.items()}


def psnr(path: Path, frames: int) -> tuple[float, float]:
    """Min and median PSNR (dB) of the decoded file's frames against freshly rendered ones."""
    import imageio_ffmpeg
    import numpy as np
    from PIL import Image

    from regviz_anim.options import Scenario
    from regviz_anim.scenedata import scene_data
    from regviz_anim.scene import Scene
    from regviz_anim.numerics import simulate

    scene = Scene(scene_data(simulate(Scenario()), frames))
    picks = range(0, frames, max(1, frames // 20))
    if path.suffix == ".gif":
        with Image.open(path) as im:
            decoded = {}
            for i in picks:
                im.seek(i)
                decoded[i] = np.asarray(im.convert("RGB"))
    else:  # decode with the BT.709 matrix the file is tagged with
        reader = imageio_ffmpeg.read_frames(str(path), output_params=[
            "-vf", "scale=in_color_matrix=bt709:in_range=tv:flags=accurate_rnd+full_chroma_int"])
        meta = next(reader)
        w, h = meta["size"]
        decoded = {i: np.frombuffer(b, np.uint8).reshape(h, w, 3) for i, b in enumerate(reader) if i in picks}
    values = []
    for i, got in decoded.items():
        mse = np.mean((got.astype(float) - scene.frame(i)) ** 2)
        values.append(10 * np.log10(255**2 / mse))
    return min(values), statistics.median(values)


def explore_timings() -> dict[str, list[float]] | None:
    """Milliseconds per step change and per parameter change of ``explore()`` at 960x540: λ set
    to 0.1, 0.2, ..., 1.0 (jumps: the panels' limits move each time), and λ dragged from 0.4 by
    0.01 twenty times (a slider's drag, its changes coalesced: the limits mostly hold)."""
    try:
        import regviz_anim as ra
        explorer = ra.explore(size=(960, 540))
    except ImportError:
        return None
    out = {"step": []}
    for k in range(5, 205, 5):
        start = time.perf_counter()
        explorer.step.value = k
        out["step"].append(1000 * (time.perf_counter() - start))
    for weights, features in (("one weight", 1), ("two weights", 2)):
        explorer.controls["features"].value = features
        for how, values in (("parameter", [0.1 * i for i in range(1, 11)]),
                            ("drag", [0.4 + 0.01 * i for i in range(1, 21)])):
            if how == "drag":
                explorer.controls["lam"].value = 0.4
            out[f"{how}, {weights}"] = times = []
            for lam in values:
                start = time.perf_counter()
                explorer.controls["lam"].value = round(lam, 3)
                times.append(1000 * (time.perf_counter() - start))
    return out


def scene_timings(repeat: int = 7) -> dict[str, tuple[float, float]]:
    """Milliseconds, median of ``repeat``: a render's scene (1280x720, the default options at
    λ = 0.4, 0.5, ...) built new, against the same scene restaged on one built before, as the
    explorer does: what a batch of renders of one layout would save by keeping a scene."""
    from regviz_anim.numerics import simulate
    from regviz_anim.options import render_config
    from regviz_anim.scene import Scene
    from regviz_anim.scenedata import scene_data

    def data(lam: float, features: int):
        scenario, settings = render_config({"lam": lam, "features": features})
        sim = simulate(scenario)
        return scene_data(sim, settings.frame_count(sim.ticks - 1), settings.timing, settings.lang,
                          settings.caption), settings

    out = {}
    for weights, features in (("one weight", 1), ("two weights", 2)):
        first, settings = data(0.3, features)
        options = dict(size=settings.even_size, theme=settings.theme, panels=settings.panels)
        kept = Scene(first, **options, counter_cells=False)
        new, restaged = [], []
        for i in range(repeat):
            shown, _ = data(0.4 + 0.1 * i, features)
            start = time.perf_counter()
            Scene(shown, **options, counter_cells=False)
            new.append(1000 * (time.perf_counter() - start))
            start = time.perf_counter()
            if not kept.restage(shown, theme=settings.theme, panels=settings.panels):
                raise RuntimeError("the scene was not restaged")
            restaged.append(1000 * (time.perf_counter() - start))
        out[weights] = statistics.median(new), statistics.median(restaged)
    return out


def many_weights_timings(repeat: int = 7) -> dict[str, float]:
    """Milliseconds, median of ``repeat``: the exact λ path of 100 weights (200 λs, L1), and
    gradient descent on 50 weights for 10,000 steps and three runs (L1, L2, elastic net)."""
    import regviz_anim as ra

    cases = {"exact lasso path, 100 weights x 200 λs": dict(features=100, n_points=200, noise=0.5, reg="l1",
                                                              animate="lam"),
             "simulate, 50 weights x 10,000 steps x 3 runs": dict(features=50, n_points=100, steps=10_000,
                                                                   reg="l1,l2,elasticnet")}
    out = {}
    for what, options in cases.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            ra.simulate(**options)
            times.append(1000 * (time.perf_counter() - start))
        out[what] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each render; medians are printed")
    parser.add_argument("--skip-usual", action="store_true", help="do not time the FuncAnimation baseline")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        return job(args.job, args.out, args.frames, args.steps)

    import regviz_anim
    compileall.compile_dir(Path(regviz_anim.__file__).parent, quiet=1)

    n = args.frames
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jobs = {(kind, fmt): (kind, tmp / f"{kind}.{fmt}", n, 200) for fmt in ("gif", "mp4")
                for kind in (("regviz",) if args.skip_usual else ("regviz", "usual"))}
        jobs["two"] = ("two", tmp / "two.gif", n, 200)
        jobs["path1"] = ("path1", tmp / "path1.gif", n, 200)
        jobs["path50"] = ("path50", tmp / "path50.gif", n, 200)
        jobs["floor"] = ("floor", tmp / "floor.none", n, 200)
        jobs["trials"] = ("trials", tmp / "trials.gif", n, 200)
        jobs["steps1000"] = ("steps1000", tmp / "steps1000.gif", n, 200)
        jobs.update({("long", fmt): ("regviz", tmp / f"long.{fmt}", 4 * n, 4 * n) for fmt in ("gif", "mp4")})
        rows = measure(jobs, args.repeat)
        two, floor = rows.pop("two"), rows.pop("floor")
        path1, path50 = rows.pop("path1"), rows.pop("path50")
        trials, steps1000 = rows.pop("trials"), rows.pop("steps1000")
        long_runs = {fmt: rows.pop(("long", fmt)) for fmt in ("gif", "mp4")}
        quality = {fmt: psnr(tmp / f"regviz.{fmt}", n) for fmt in ("gif", "mp4")}

    print(f"{n} frames at 1280x720, median of {args.repeat} run(s) each, each a fresh process, in turns "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    print(f"{'render':<34}{'wall s':>8}{'python MB':>11}{'children MB':>12}{'file KB':>10}")
    names = {"regviz": "regviz-anim", "usual": "FuncAnimation + " }
    table = [(names[kind] + ("" if kind == "regviz" else ("PillowWriter" if fmt == "gif" else "FFMpegWriter"))
              + " " + fmt.upper(), r) for (kind, fmt), r in rows.items()]
    table.append(("regviz-anim GIF, two weights", two))
    table.append(("draw-only floor (no encoding)", floor))
    table.append(("λ-path GIF, one weight", path1))
    table.append(("λ-path GIF, 50 weights", path50))
    table.append(("1,000 random problems GIF", trials))
    table.append(("1,000 steps GIF, two weights", steps1000))
    for label, r in table:
        print(f"{label:<34}{r['wall']:>8.2f}{r['python_mb']:>11.0f}{r['children_mb']:>12.0f}"
              f"{r['bytes'] / 1024:>10.0f}")
    print()
    for fmt in () if args.skip_usual else ("gif", "mp4"):
        ours, usual = rows["regviz", fmt], rows["usual", fmt]
        print(f"{fmt.upper()}: {usual['wall'] / ours['wall']:.1f}x faster, "
              f"file {ours['bytes'] / usual['bytes']:.2f}x the usual size, "
              f"python memory {ours['python_mb'] / usual['python_mb']:.2f}x")
    print(f"two-weight GIF: {two['wall'] / rows['regviz', 'gif']['wall']:.2f}x the one-weight GIF's wall time")
    print(f"50-weight λ-path GIF: {path50['wall'] / path1['wall']:.2f}x the one-weight λ-path GIF's wall time "
          "(goal: within 1.3x)")
    print(f"1,000 random problems (two weights) GIF: {trials['wall'] / steps1000['wall']:.2f}x 1,000 steps' wall time "
          "(goal: as fast)")
    for fmt in ("gif", "mp4"):
        print(f"regviz-anim {fmt.upper()}: {rows['regviz', fmt]['wall'] / floor['wall']:.2f}x the draw-only floor "
              f"({floor['wall']:.2f} s: imports, scene, drawing)")
    print()
    for fmt in ("gif", "mp4"):
        short, long = rows["regviz", fmt], long_runs[fmt]
        print(f"regviz-anim {fmt.upper()} peak python memory: {short['python_mb']:.0f} MB at {n} frames, "
              f"{long['python_mb']:.0f} MB at {4 * n} frames ({long['python_mb'] / short['python_mb']:.2f}x); "
              f"wall {long['wall']:.2f} s")
    print()
    for fmt, (low, mid) in quality.items():
        print(f"regviz-anim {fmt.upper()} PSNR of decoded vs rendered frames: median {mid:.1f} dB, min {low:.1f} dB")
    print()
    for what, ms in many_weights_timings().items():
        print(f"{what}: median {ms:.0f} ms of 7")
    print("(goals: the exact path under 50 ms; the simulation under 1 s)")
    print()
    for weights, (new, restaged) in scene_timings().items():
        print(f"a render's scene at 1280x720, {weights}: new {new:.0f} ms, restaged {restaged:.0f} ms, medians of 7 "
              f"(the saving, {new - restaged:.0f} ms, is {(new - restaged) / 10 / rows['regviz', 'gif']['wall']:.1f}% "
              "of a default GIF render)")
    print()
    timings = explore_timings()
    if timings is None:
        print("explore(): not timed (pip install \"regviz-anim[notebook]\")")
    for what, values in (timings or {}).items():
        print(f"explore() at 960x540, {what} change: median {statistics.median(values):.0f} ms, "
              f"max {max(values):.0f} ms over {len(values)}")
    if timings:
        step = statistics.median(timings["step"])
        for how in ("parameter", "drag"):
            one, two = (statistics.median(timings[f"{how}, {w}"]) for w in ("one weight", "two weights"))
            print(f"explore(): a {'λ jump' if how == 'parameter' else 'λ drag'} change is {one / step:.1f}x a step "
                  f"change (one weight), two weights {two / one:.2f}x one")
        print("(goals: a parameter change within 4x a step and under 150 ms; a step under 30 ms; two weights "
              "within 1.3x one)")


if __name__ == "__main__":
    main()

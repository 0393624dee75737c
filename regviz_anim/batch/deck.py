"""A batch's deck: every job's video gathered into one PowerPoint file, in manifest order, with a
sidecar that fingerprints what it is made of (so that it is "up to date" only when it is)."""
from __future__ import annotations

import json
from pathlib import Path

from ..encoders.pptx import Slide, write_deck
from ..export import strict_json
from ..outputs.transaction import Transaction
from ..renderer import slide_text
from ..sidecar import fingerprint, sidecar_path
from ..version import __version__
from .jobs import Outcome
from .manifest import Jobs


def gathered_record(kind: str, path: Path, jobs: Jobs) -> dict:
    """What a gathered output (``kind``: the deck, the gallery) at ``path`` is made of: the jobs in
    order, each by its output and the bytes of its sidecar (which fingerprints its outputs and
    records its parameters). One whose sidecar records this and whose bytes are those it records
    is up to date."""
    return {"regviz_anim": __version__, kind: path.name,
            "items": [{"out": str(job.out), "sidecar": fingerprint(sidecar_path(job.out))["sha256"]}
                      for job in jobs]}


def gathered_up_to_date(kind: str, path: Path, record: dict) -> bool:
    try:
        recorded = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
        return (isinstance(recorded, dict) and {k: recorded.get(k) for k in record} == record
                and recorded.get("outputs") == {kind: {"path": str(path), **fingerprint(path)}})
    except (OSError, ValueError):
        return False


def seal_gathered(tx: Transaction, kind: str, path: Path, staged: Path, record: dict) -> None:
    """Its sidecar, fingerprinting the staged file; then everything is renamed into place."""
    record["outputs"] = {kind: {"path": str(path), **fingerprint(staged)}}
    tx.file(sidecar_path(path)).write_text(strict_json(record), encoding="utf-8")
    tx.commit()


def write_batch_deck(jobs: Jobs, outcomes: list[Outcome]) -> str:
    """Gather the jobs' videos into ``jobs.deck``, one slide per job in manifest order, with a
    sidecar ``DECK.json`` like every other output's; a line to print."""
    import imageio_ffmpeg
    from PIL import Image

    if any(o.status == "failed" for o in outcomes):
        return f"deck {jobs.deck} not written: a job failed; the earlier deck is kept"
    record = gathered_record("deck", jobs.deck, jobs)
    if gathered_up_to_date("deck", jobs.deck, record):
        return f"deck {jobs.deck} up to date"
    with Transaction() as tx:
        tx.prepare([jobs.deck, sidecar_path(jobs.deck)])
        folder = tx.scratch(jobs.deck)
        slides = []
        for job in jobs:
            recorded = json.loads(sidecar_path(job.out).read_text(encoding="utf-8"))
            poster = job.settings.poster
            if poster is None:  # the video's last frame
                reader = imageio_ffmpeg.read_frames(str(job.out))
                meta = next(reader)
                last = None
                for frame in reader:
                    last = frame
                width, height = meta["size"]
                poster = folder / f"poster-{job.number}.png"
                Image.frombytes("RGB", (width, height), last).save(poster)
            seconds = imageio_ffmpeg.count_frames_and_secs(str(job.out))[1]
            slides.append(Slide(slide_text(recorded), job.out, poster, tuple(recorded["render"]["size"]), seconds))
        staged = tx.file(jobs.deck)
        write_deck(staged, slides)
        seal_gathered(tx, "deck", jobs.deck, staged, record)
    return f"wrote deck {jobs.deck} ({len(slides)} slides)"



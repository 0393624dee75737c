"""A batch's deck: every job's video gathered into one PowerPoint file, in manifest order, with a
sidecar that fingerprints what it is made of (so that it is "up to date" only when it is)."""
from __future__ import annotations

import json

from ..encoders.pptx import Slide, write_deck
from ..outputs.transaction import Transaction
from ..renderer import slide_text
from ..sidecar import sidecar_path
from .gathered import gathered_record, gathered_up_to_date, last_frame, seal_gathered
from .jobs import Outcome
from .manifest import Jobs


def write_batch_deck(jobs: Jobs, outcomes: list[Outcome]) -> str:
    """Gather the jobs' videos into ``jobs.deck``, one slide per job in manifest order, with a
    sidecar ``DECK.json`` like every other output's; a line to print."""
    import imageio_ffmpeg

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
                poster = folder / f"poster-{job.number}.png"
                last_frame(job.out, folder).save(poster)
            seconds = imageio_ffmpeg.count_frames_and_secs(str(job.out))[1]
            slides.append(Slide(slide_text(recorded), job.out, poster, tuple(recorded["render"]["size"]), seconds))
        staged = tx.file(jobs.deck)
        write_deck(staged, slides)
        seal_gathered(tx, "deck", jobs.deck, staged, record)
    return f"wrote deck {jobs.deck} ({len(slides)} slides)"



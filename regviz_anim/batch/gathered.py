"""What a batch gathers its jobs into (the deck, the gallery): a sidecar that records what it is
made of, so that it is "up to date" only when it is, written through the transaction last."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from ..export import strict_json
from ..outputs.transaction import Transaction
from ..sidecar import fingerprint, sidecar_path
from ..version import __version__
from .manifest import Jobs


def gathered_record(kind: str, path: Path, jobs: Jobs, **more) -> dict:
    """What a gathered output (``kind``: the deck, the gallery) at ``path`` is made of: the jobs in
    order, each by its output and the bytes of its sidecar (which fingerprints its outputs and
    records its parameters). One whose sidecar records this and whose bytes are those it records
    is up to date."""
    return {"regviz_anim": __version__, kind: path.name, **more,
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


def last_frame(out: Path, scratch: Path, *, poster: Path | None = None):
    """What a job's output ends on, as a Pillow RGB image: its poster if it wrote one, else the last
    frame of its GIF or MP4, a deck's poster, or a page's (its last frame drawn, also where the
    animation bounces back). ``scratch``: a folder for a page's video, which the caller removes."""
    import imageio_ffmpeg
    from PIL import Image

    from ..encoders.html import read_page

    if poster is not None:
        with Image.open(poster) as image:
            return image.convert("RGB")
    suffix = out.suffix.lower()
    if suffix == ".gif":
        with Image.open(out) as image:
            image.seek(image.n_frames - 1)
            return image.convert("RGB")
    if suffix == ".pptx":
        with zipfile.ZipFile(out) as deck:
            name = next(n for n in deck.namelist() if n.startswith("ppt/media/") and n.endswith(".png"))
            return Image.open(io.BytesIO(deck.read(name))).convert("RGB")
    upto = None  # the video frame to stop at (None: the last)
    if suffix == ".html":
        data, video = read_page(out)
        upto = data["shown"].index(max(data["shown"]))
        out = scratch / f"{out.stem}.mp4"
        out.write_bytes(video)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta, last = next(reader), None
    for j, frame in enumerate(reader):
        last = frame
        if j == upto:
            break
    reader.close()
    if last is None:
        raise ValueError("it holds no frame")
    return Image.frombytes("RGB", meta["size"], last)

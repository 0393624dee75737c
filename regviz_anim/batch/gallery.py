"""A batch's gallery: one HTML page for a course, every job in manifest order with its poster, title
and caption, linking to its outputs. The posters are embedded (the page is one file beside the
outputs it links to, by relative paths); like the deck, it is written through a transaction after
the jobs, left alone when one failed, and "up to date" when nothing it is made of changed."""
from __future__ import annotations

import base64
import html
import io
import json
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

from ..errors import OutputError
from ..outputs.transaction import Transaction
from ..renderer import slide_title
from ..sidecar import sidecar_path
from .gathered import gathered_record, gathered_up_to_date, last_frame, seal_gathered
from .jobs import Outcome
from .manifest import Jobs

THUMB_WIDTH = 480  # the posters' width on the page, in pixels

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1b1b; --muted: #5c5c5c; --line: #d0d0d0; --accent: #0072b2; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --fg: #f2f2f2; --muted: #b0b0b0; --line: #3a404a;
  --accent: #56b4e9; } }
html { background: var(--bg); color: var(--fg); }
body { margin: 0;
       font: 16px/24px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans SC", sans-serif; }
main { max-width: 1560px; margin: 0 auto; padding: 16px 20px 32px; }
h1 { font-size: 26px; line-height: 34px; margin: 4px 0 16px; }
ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 24px;
     grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); }
li { border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
img { display: block; width: 100%; height: auto; border-radius: 4px; }
h2 { font-size: 18px; line-height: 26px; margin: 10px 0 4px; }
p { margin: 4px 0; }
.links a { color: var(--accent); margin-right: 12px; }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
"""


def _thumbnail(image) -> str:
    """A data: URL of ``image`` at the page's width, as a 256-colour PNG (crisp lines, small)."""
    from PIL import Image

    height = round(image.height * THUMB_WIDTH / image.width)
    small = image.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS).quantize(256)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def gallery_page(title: str, cards: list[dict]) -> str:
    """The page: ``cards`` each with ``image`` (a data: URL), ``title``, ``caption``, ``links``
    (text and relative address)."""
    items = []
    for card in cards:
        links = " ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in card["links"])
        items.append(f"""<li>
<a href="{html.escape(card['links'][0][1])}"><img src="{card['image']}"
 width="{card['width']}" height="{card['height']}" alt="{html.escape(card['alt'])}"></a>
<h2>{html.escape(card['title'])}</h2>
<p>{html.escape(card['caption'])}</p>
<p class="links">{links}</p>
</li>""")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<ol>
{chr(10).join(items)}
</ol>
</main>
</body>
</html>
"""


def write_batch_gallery(jobs: Jobs, outcomes: list[Outcome]) -> str:
    """Write ``jobs.gallery``, one card per job in manifest order, with a sidecar ``GALLERY.json``
    like every other output's; a line to print."""
    gallery = jobs.gallery
    if any(o.status == "failed" for o in outcomes):
        return f"gallery {gallery} not written: a job failed; the earlier gallery is kept"
    title = f"{jobs.name}: {len(jobs)} animations"
    record = gathered_record("gallery", gallery, jobs, title=title)
    if gathered_up_to_date("gallery", gallery, record):
        return f"gallery {gallery} up to date"
    here = gallery.parent

    def href(path: Path) -> str:  # relative, and a URL: "a #1.gif" is a file, not a fragment
        return quote(Path(os.path.relpath(path, here)).as_posix()) + ("/" if path.is_dir() else "")

    with Transaction() as tx:
        tx.prepare([gallery, sidecar_path(gallery)])
        folder = tx.scratch(gallery)
        cards = []
        for job in jobs:
            poster = job.settings.poster
            try:
                recorded = json.loads(sidecar_path(job.out).read_text(encoding="utf-8"))
                named, caption = recorded["title"], recorded["caption"]
                lang = recorded["render"].get("lang", "en")
                image = last_frame(job.out, folder, poster=poster)
            except (OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile, StopIteration) as error:
                raise OutputError(f"reading {job.out} for its card failed: {error}") from None
            links = [(job.out.name, href(job.out))]
            if poster is not None:
                links.append(("poster", href(poster)))
            if job.settings.frames_dir is not None:
                links.append(("frames", href(job.settings.frames_dir)))
            links.append(("parameters", href(sidecar_path(job.out))))
            cards.append({"image": _thumbnail(image), "width": THUMB_WIDTH,
                          "height": round(image.height * THUMB_WIDTH / image.width),
                          "title": slide_title(named, lang), "alt": f"the last frame of {job.out.name}",
                          "caption": caption, "links": links})
        staged = tx.file(gallery)
        staged.write_text(gallery_page(title, cards), encoding="utf-8")
        seal_gathered(tx, "gallery", gallery, staged, record)
    return f"wrote gallery {gallery} ({len(cards)} animations)"


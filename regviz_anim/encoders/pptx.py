"""PowerPoint decks: one 16:9 slide per animation, its video starting on its own.

A slide has the title and the caption as text a teacher can edit, the video (MP4, with a poster
image) fitted between them, and the parameters in the speaker notes. This module knows media and
text, nothing of regularization. It needs python-pptx, the ``[pptx]`` extra. :class:`PptxEncoder`
writes a deck of one slide from frames; a batch gathers its jobs' videos with :func:`write_deck`.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from .base import Encoder, EncoderError, Frames, Plan, Text, repeats
from .mp4 import Mp4Encoder

INSTALL = 'pip install "regviz-anim[pptx]"'
SLIDE_EMU = (12_192_000, 6_858_000)  # 13.333 x 7.5 inches: 16:9


@dataclass(frozen=True)
class Slide:
    text: Text
    video: Path          # an MP4
    poster: Path         # a PNG shown before the video plays
    size: tuple[int, int]
    seconds: float       # how long the video plays


def pptx_module():
    try:
        import pptx
    except ImportError:
        raise ImportError(f"a .pptx needs python-pptx: {INSTALL}") from None
    return pptx


def _autoplay_timing(shape_id: int, milliseconds: int) -> str:
    """PowerPoint's main sequence with one effect: play the video when the slide starts."""
    return f"""<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">
  <p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
    <p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
      <p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>
          <p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>
        <p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
          <p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold"
              nodeType="afterEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
            <p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{milliseconds}" fill="hold"/>
              <p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl></p:cBhvr></p:cmd>
          </p:childTnLst></p:cTn></p:par>
        </p:childTnLst></p:cTn></p:par>
      </p:childTnLst></p:cTn></p:par>
    </p:childTnLst></p:cTn>
    <p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
    <p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq>
    <p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0"><p:stCondLst>
        <p:cond delay="indefinite"/></p:stCondLst></p:cTn>
      <p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl></p:cMediaNode></p:video>
  </p:childTnLst></p:cTn></p:par></p:tnLst>
</p:timing>"""


EM_WIDTH = 0.56  # a line of text is about this many ems a character wide (a sans-serif, on average)


def title_size(title: str, room_emu: int) -> tuple[float, int]:
    """The title's size in points, and its lines: 28 pt on one line if it fits, else the largest
    of 24 and 20 pt at which it takes two, else 20 pt."""
    room = room_emu / 12700  # points
    words = title.split(" ")  # where a line may break (the non-breaking spaces hold the rest)
    for points, lines in ((28.0, 1), (24.0, 2), (20.0, 2)):
        per_line = room / (EM_WIDTH * points)
        used, count = 0, 1
        for word in words:
            if used and used + 1 + len(word) > per_line:
                count, used = count + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
        if count <= lines:
            return points, count
    return 20.0, count


def write_deck(path: str | Path, slides: list[Slide]) -> None:
    """Write ``slides`` to a .pptx at ``path`` (the caller makes that atomic)."""
    pptx = pptx_module()
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import qn
    from pptx.util import Emu, Pt

    from pptx.enum.text import MSO_AUTO_SIZE

    deck = pptx.Presentation()
    deck.slide_width, deck.slide_height = Emu(SLIDE_EMU[0]), Emu(SLIDE_EMU[1])
    width, height = SLIDE_EMU
    margin = width // 40
    line_w = width - 2 * margin

    def textbox(top: int, box_h: int, text: str, points: float, name: str) -> None:
        """A box of fixed size (it never grows over the video) that wraps at its width; the text
        holds together where its spaces are non-breaking."""
        box = slide.shapes.add_textbox(Emu(margin), Emu(top), Emu(line_w), Emu(box_h))
        box.name = name
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.text = text
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(points)

    for item in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
        title_pt, title_lines = title_size(item.text.title, line_w)
        title_h = int(Pt(title_pt * 1.25 * title_lines + 10)) if item.text.title else 0
        caption_h = int(Pt(18 * 1.25 * 2 + 10)) if item.text.caption else 0
        if item.text.title:
            textbox(margin // 2, title_h, item.text.title, title_pt, "Title")
        top = margin // 2 + title_h
        room_w, room_h = line_w, height - top - caption_h - margin
        scale = min(room_w / item.size[0], room_h / item.size[1])
        video_w, video_h = int(item.size[0] * scale), int(item.size[1] * scale)
        movie = slide.shapes.add_movie(str(item.video), Emu((width - video_w) // 2), Emu(top),
                                       Emu(video_w), Emu(video_h), poster_frame_image=str(item.poster),
                                       mime_type="video/mp4")
        movie.name = "Animation"
        sld = slide._element
        old = sld.find(qn("p:timing"))
        if old is not None:
            sld.remove(old)
        sld._insert_timing(parse_xml(_autoplay_timing(movie.shape_id, max(1, round(1000 * item.seconds)))))
        if item.text.caption:
            textbox(top + video_h + margin // 4, caption_h, item.text.caption, 18, "Caption")
        slide.notes_slide.notes_text_frame.text = item.text.notes
    deck.save(str(path))


class PptxEncoder(Encoder):
    """A deck of one slide: the frames become an MP4, the last frame its poster, both in
    ``scratch``: a folder the caller gives and removes (beside the deck, so that a killed render's
    is found with its other leftovers)."""

    suffix = ".pptx"
    carries_text = True

    @classmethod
    def problem(cls, *, fps: int) -> tuple[str, str] | None:
        if importlib.util.find_spec("pptx") is None:
            return "out", f"a .pptx needs python-pptx: {INSTALL}"
        return None

    @classmethod
    def plan(cls, frames: Frames, *, fps: int, holds: Sequence[float], text: Text, workers: bool,
             order: Sequence[int] = ()) -> Plan:
        return Plan(options={"slide_text": text}, scratch=True)

    def __init__(self, path, *, size, fps, loop=0, slide_text: Text = Text(), scratch: str | Path):
        super().__init__(path, size=size, fps=fps, loop=loop)
        self.text = slide_text
        self._folder = Path(scratch)
        self._seconds = 0.0
        self._last: np.ndarray | None = None

    def _open(self, path: Path) -> None:
        pptx_module()
        self._video = Mp4Encoder(self._folder / "animation.mp4", size=self.size, fps=self.fps)
        self._video.__enter__()

    def write(self, frame: np.ndarray, hold: float = 0.0) -> None:
        self._video.write(frame, hold)
        self._seconds += repeats(hold, self.fps) / self.fps
        self._last = frame[..., :3].copy()

    def _close(self, ok: bool) -> None:
        try:
            self._video._close(ok)
            if ok:
                if self._last is None:
                    raise EncoderError("no frames were written")
                poster = self._folder / "poster.png"
                Image.fromarray(self._last).save(poster)
                write_deck(self.path, [Slide(self.text, self._video.path, poster, self.size, self._seconds)])
        finally:
            for name in ("animation.mp4", "poster.png"):
                (self._folder / name).unlink(missing_ok=True)

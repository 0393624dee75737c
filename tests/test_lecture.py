"""Into the lecture: every label in the room's language (Chinese first), and PowerPoint decks."""
import importlib.util
import string
import warnings
from pathlib import Path

import pytest
from PIL import Image

from regviz_anim.lang import LANGS, Texts
from helpers import SMALL




def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalogue_has_every_text_with_the_same_fields():
    english = LANGS["en"].TEXTS
    for name, module in LANGS.items():
        assert set(module.TEXTS) == set(english), name
        assert all(fields(module.TEXTS[key]) == fields(english[key]) for key in english), name


def test_every_chinese_character_is_in_the_fonts(zh_font):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    zh = LANGS["zh"]
    family, path = Texts("zh").font()
    covered = set(FT2Font(str(path)).get_charmap())
    covered |= set(FT2Font(font_manager.findfont("DejaVu Sans")).get_charmap())  # Latin and Greek come first from it
    texts = list(zh.TEXTS.values()) + list(zh.TERMS.values()) + list(zh.PRESETS.values())
    missing = {ch for text in texts for ch in text if ord(ch) not in covered and not ch.isspace()}
    assert family == "Noto Sans SC" and missing == set()


def test_a_chinese_frame_draws_with_no_missing_glyph(tmp_path, cli, zh_font):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        for argv in (["--preset", "seed"], ["--preset", "lasso-path"], ["--preset", "chatter", "--theme", "dark"]):
            out = tmp_path / "z.png"
            status, _, err = cli("render", "--lang", "zh", *argv, "-o", str(tmp_path / "z.gif"),
                                     "--frames", "3", "--poster", str(out), *SMALL)
            assert status == 0, err
    record = (tmp_path / "z.gif.json").read_text(encoding="utf-8")
    assert "次梯度" in record and "近端" in record  # the caption, in Chinese


def test_without_the_font_zh_names_the_install_command(tmp_path, cli, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pylopdf_fonts_zh_cn"
                        else real(name, *a))
    status, _, err = cli("render", "--lang", "zh", "-o", str(tmp_path / "a.gif"), *SMALL)
    assert status == 2 and err == ('regviz-anim: error: --lang zh: needs a font that is not installed: '
                                   'pip install "regviz-anim[zh]"\n')
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_language_is_exit_2(cli):
    status, _, err = cli("presets", "--lang", "fr")
    assert status == 2 and "--lang fr: must be one of en, zh" in err


def test_preset_summaries_in_chinese(cli):
    status, out, _ = cli("presets", "--lang", "zh")
    assert status == 0 and "L1 在第 24 步恰好落到 0" in out and len(out.splitlines()) == 19


def open_deck(path):
    from pptx import Presentation

    return Presentation(str(path))


def test_a_pptx_has_the_video_its_poster_editable_text_and_notes(tmp_path, cli, pptx):
    out = tmp_path / "lesson.pptx"
    assert cli("render", "-o", str(out), "--frames", "10", "--fps", "10", "--hold", "1", *SMALL)[0] == 0
    deck = open_deck(out)
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)  # 16:9
    slide, = deck.slides
    shapes = {shape.name: shape for shape in slide.shapes}
    assert shapes["Title"].text_frame.text.replace("\xa0", " ") == "Gradient descent on y = w·x:  λ = 0.5,  η = 0.1"
    assert "Caption" not in shapes  # it reveals itself in the video (--caption reveal)
    kinds = {rel.reltype.rsplit("/", 1)[-1]: rel.target_part for rel in slide.part.rels.values()}
    assert kinds["video"].content_type == "video/mp4" and kinds["video"].blob[4:8] == b"ftyp"
    assert kinds["image"].content_type == "image/png"
    poster = Image.open(__import__("io").BytesIO(kinds["image"].blob))
    assert poster.size == (320, 180)
    timing = slide._element.xml
    assert 'cmd="playFrom(0.0)"' in timing and 'nodeType="afterEffect"' in timing and 'dur="2000"' in timing
    said = slide.notes_slide.notes_text_frame.text
    assert said.splitlines()[0] == "regviz-anim render -o lesson.pptx --fps=10 --frames=10 --hold=1 --size=320x180"
    assert "lam = 0.5" in said and "lam_steps" not in said and "loop" not in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.pptx", "lesson.pptx.json"]


def test_a_chinese_deck(tmp_path, cli, zh_font, pptx):
    out = tmp_path / "zh.pptx"
    assert cli("render", "--lang", "zh", "--preset", "diamond", "-o", str(out), "--frames", "5",
                   *SMALL)[0] == 0
    title = {s.name: s for s in open_deck(out).slides[0].shapes}["Title"].text_frame.text
    assert title.replace("\xa0", " ").startswith("梯度下降，y = w1·x1 + w2·x2")


def test_without_python_pptx_a_deck_names_the_install_command(tmp_path, cli, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pptx" else real(name, *a))
    status, _, err = cli("render", "-o", str(tmp_path / "a.pptx"), *SMALL)
    assert status == 2 and 'a .pptx needs python-pptx: pip install "regviz-anim[pptx]"' in err
    assert list(tmp_path.iterdir()) == []


def test_batch_gathers_jobs_into_one_deck_in_manifest_order(tmp_path, cli, monkeypatch, pptx):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text('[defaults]\nsize = "320x180"\nframes = 4\ndeck = "out/course.pptx"\n'
                              '[[job]]\npreset = ["diamond", "seed"]\nout = "out/{preset}.mp4"\n'
                              '[[job]]\nlam = 0.2\nout = "out/small.mp4"\nposter = "out/small.png"\n')
    status, out, _ = cli("batch", "m.toml", "--no-progress")
    assert status == 0 and "wrote deck out/course.pptx (3 slides)" in out
    slides = open_deck("out/course.pptx").slides
    titles = [{s.name: s for s in slide.shapes}["Title"].text_frame.text.replace("\xa0", " ") for slide in slides]
    assert [t.split(":")[0] for t in titles] == ["Gradient descent on y = w1·x1 + w2·x2 (ρ = 0.5)",
                                                 "Gradient descent on y = w·x", "Gradient descent on y = w·x"]
    assert "λ = 0.2" in titles[2]
    assert "deck out/course.pptx up to date" in cli("batch", "m.toml", "--no-progress")[1]


@pytest.mark.parametrize("body, fragment", [
    ('[defaults]\ndeck = "d.pptx"\n[[job]]\nout = "a.gif"\n', "job 1: out = 'a.gif': a deck shows each job's video"),
    ('[[job]]\nout = "a.mp4"\ndeck = "d.pptx"\n', "job 1: deck belongs in [defaults]"),
    ('[defaults]\ndeck = "d.ppt"\n[[job]]\nout = "a.mp4"\n', "deck = 'd.ppt': the suffix must be one of .pptx"),
    ('[defaults]\ndeck = "a.mp4"\n[[job]]\nout = "a.mp4"\n', "deck = 'a.mp4'"),
])
def test_bad_deck_keys_are_exit_2(tmp_path, cli, monkeypatch, body, fragment):
    monkeypatch.chdir(tmp_path)
    Path("m.toml").write_text(body)
    status, out, err = cli("batch", "m.toml", "--no-progress")
    assert status == 2 and out == "" and fragment in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.toml"]

"""The offline HTML page (``-o lesson.html``) and a batch's gallery: what the file holds, its size
against the MP4's, its limit, and, in a real browser (Playwright driving Chromium) with every
network request refused and recorded, that seeking shows the frames the frames folder holds."""
import base64
import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from regviz_anim.encoders.mp4 import mp4_is_complete

SMALL = ["--frames", "24", "--steps", "60", "--size", "640x360", "--no-progress"]
VIDEO = re.compile(r'<script type="text/plain" id="regviz-video">([A-Za-z0-9+/=\s]*)</script>')


def page_parts(path: Path) -> tuple[dict, bytes]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="regviz-data">(.*?)</script>', text, re.S)
                      .group(1))
    return data, base64.b64decode(VIDEO.search(text).group(1))


class References(HTMLParser):
    """Every address the page's markup names (src, href, and url() in its style)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("src", "href", "poster", "data") and value]


def test_a_page_holds_everything_inline_and_its_video_is_the_frames(tmp_path, cli):
    out, frames = tmp_path / "lesson.html", tmp_path / "frames"
    status, _, err = cli("render", "-o", str(out), "--frames-dir", str(frames), *SMALL, "--hold", "0.5")
    assert status == 0, err
    text = out.read_text(encoding="utf-8")
    refs = References()
    refs.feed(text)
    assert refs.found == [], refs.found  # no address at all: nothing to fetch
    assert not re.search(r"https?://|@import|url\(", text.split('id="regviz-video"')[0])
    data, video = page_parts(out)
    (tmp_path / "v.mp4").write_bytes(video)
    assert mp4_is_complete(tmp_path / "v.mp4")
    played, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "v.mp4"))
    assert data["frames"] == 24 == len(os.listdir(frames)) == len(data["labels"]) == len(data["caption_of"])
    assert len(data["shown"]) == played == 24 + 10  # the last frame held 0.5 s at 20 fps: 10 more
    assert data["shown"][:24] == list(range(24)) and set(data["shown"][24:]) == {23}
    record = json.loads((tmp_path / "lesson.html.json").read_text(encoding="utf-8"))
    # the last frame says what the sidecar says
    assert data["captions"][data["caption_of"][-1]] == " ".join(record["caption"].split())
    assert data["labels"][0] == "step 0 / 60" and data["labels"][-1] == "step 60 / 60"
    assert "regviz-anim render -o " in text and "lam = 0.5" in text  # the command and the parameters
    assert f"<title>{record['title'].split(':')[0]}" in text


@pytest.mark.parametrize("options", [["--preset", "diamond"], ["--preset", "how-often", "--trials", "120"]],
                         ids=["diamond", "how-often"])  # the second's faint curves sweep the whole plane
def test_a_page_is_at_most_the_mp4_and_two_fifths_plus_100_kb(tmp_path, cli, options):
    for name in ("a.mp4", "a.html"):
        assert cli("render", "-o", str(tmp_path / name), *options, "--no-progress")[0] == 0
    mp4, page = (tmp_path / "a.mp4").stat().st_size, (tmp_path / "a.html").stat().st_size
    assert page <= 1.4 * mp4 + 100_000, (page, mp4)


def test_a_bouncing_page_steps_by_the_drawn_frames(tmp_path, cli):
    out = tmp_path / "b.html"
    assert cli("render", "-o", str(out), *SMALL, "--bounce", "--hold", "0")[0] == 0
    data, _ = page_parts(out)
    assert data["frames"] == 24
    assert data["shown"] == list(range(24)) + list(range(22, -1, -1))


def test_a_page_over_its_limit_is_exit_2_and_writes_nothing(tmp_path, cli, monkeypatch):
    import regviz_anim.encoders.html as page

    out = tmp_path / "lesson.html"
    out.write_bytes(b"an earlier page")
    monkeypatch.setattr(page, "MAX_VIDEO_BYTES", 20_000)
    status, _, err = cli("render", "-o", str(out), *SMALL)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("regviz-anim: error: --out ")
    assert "a page embeds at most 19.5 KB" in err and "the earlier" in err and "kept" in err
    assert out.read_bytes() == b"an earlier page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.html"]


def test_a_chinese_page_has_chinese_controls(tmp_path, cli, zh_font):
    out = tmp_path / "zh.html"
    assert cli("render", "-o", str(out), *SMALL, "--lang", "zh")[0] == 0
    text = out.read_text(encoding="utf-8")
    assert '<html lang="zh"' in text and 'aria-label="播放"' in text
    data, _ = page_parts(out)
    assert data["labels"][-1] == "第 60 / 60 步"


# --- the gallery ---------------------------------------------------------------------------------

def gallery_manifest(folder: Path, *, extra: str = "") -> Path:
    manifest = folder / "course.toml"
    manifest.write_text(f"""[defaults]
gallery = "out/index.html"
frames = 12
steps = 40
size = "320x180"
{extra}
[[job]]
out = "out/one #1.gif"
[[job]]
lam = [0.2, 0.8]
out = "out/lesson-{{lam}}.html"
poster = "out/lesson-{{lam}}.png"
""", encoding="utf-8")
    return manifest


class Gallery(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag == "a":
            self.links.append(attrs["href"])


@pytest.mark.slow
def test_a_gallery_shows_every_job_and_every_link_resolves(here, cli):
    manifest = gallery_manifest(here)
    status, out, err = cli("batch", str(manifest), "--no-progress", "--jobs", "1")
    assert status == 0, err
    assert "wrote gallery out/index.html (3 animations)" in out
    gallery = here / "out" / "index.html"
    parsed = Gallery()
    parsed.feed(gallery.read_text(encoding="utf-8"))
    assert len(parsed.images) == 3
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).size == (480, 270)
    for href in parsed.links:  # addresses: "#" and " " escaped, so that the name is the file's
        assert "#" not in href and " " not in href and (gallery.parent / unquote(href)).exists(), href
    assert {"one%20%231.gif", "lesson-0.2.html", "lesson-0.8.html", "lesson-0.2.png",
            "one%20%231.gif.json"} <= set(parsed.links)
    text = gallery.read_text(encoding="utf-8")
    assert text.index("one%20%231.gif") < text.index("lesson-0.2.html") < text.index("lesson-0.8.html")  # in order
    before = gallery.read_bytes()
    status, out, _ = cli("batch", str(manifest), "--no-progress")
    assert status == 0 and "gallery out/index.html up to date" in out and gallery.read_bytes() == before


@pytest.mark.slow
def test_a_failed_job_leaves_the_gallery_alone(here, cli):
    manifest = gallery_manifest(here)
    assert cli("batch", str(manifest), "--no-progress", "--jobs", "1")[0] == 0
    gallery = here / "out" / "index.html"
    before = gallery.read_bytes()
    one = 'out = "out/one #1.gif"'
    diverging = manifest.read_text(encoding="utf-8").replace(one, one + "\nlr = 1.5")
    manifest.write_text(diverging, encoding="utf-8")  # a step that diverges: the job fails
    status, out, _ = cli("batch", str(manifest), "--no-progress", "--jobs", "1")
    assert status == 1
    assert "gallery out/index.html not written: a job failed; the earlier gallery is kept" in out
    assert gallery.read_bytes() == before


@pytest.mark.parametrize("extra, fragment", [
    ('gallery = "out/index.gif"', "the suffix must be one of .html"),
    ('gallery = "out/lesson-0.2.html"', "is also a job's output"),
])
def test_bad_gallery_keys_are_exit_2(here, cli, extra, fragment):
    manifest = gallery_manifest(here)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('gallery = "out/index.html"', extra),
                        encoding="utf-8")
    status, _, err = cli("batch", str(manifest), "--no-progress")
    assert status == 2 and fragment in err and "gallery" in err
    assert not (here / "out").exists()


# --- in a browser --------------------------------------------------------------------------------

def chromium() -> str | None:
    """A Chromium on this machine: REGVIZ_CHROMIUM, else the first of the usual names on PATH."""
    found = os.environ.get("REGVIZ_CHROMIUM")
    return found or next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def no_browser(reason: str):
    """Skip, saying why; where CI sets REGVIZ_REQUIRE_BROWSER, fail: there these tests must run."""
    if os.environ.get("REGVIZ_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright import sync_api as sync
    except ImportError:
        no_browser('the browser tests need Playwright: pip install -e ".[test]"')
    executable = chromium()
    if executable is None:
        no_browser("no Chromium on this machine: install one (Debian: apt-get install chromium) or set REGVIZ_CHROMIUM")
    with sync.sync_playwright() as playwright:
        # a closed network: no background connections of its own either
        launched = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--force-device-scale-factor=1"])
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser):
    """``open_page(path, width)``: the page in a new tab with every request but the page's own
    refused; returns the tab, the refused requests and the page's errors."""
    contexts = []

    def open_(path: Path, width: int = 1400):
        context = browser.new_context(viewport={"width": width, "height": 1000})
        contexts.append(context)
        refused, errors = [], []

        def route(request_route):
            url = request_route.request.url
            if url == path.as_uri():
                request_route.continue_()
            else:
                refused.append(url)
                request_route.abort()
        context.route("**/*", route)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.goto(path.as_uri())
        tab.wait_for_function("window.regviz && regviz.view.readyState >= 2", timeout=30_000)
        return tab, refused, errors
    yield open_
    for context in contexts:
        context.close()


def shown(tab) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(tab.locator("#regviz-view").screenshot())).convert("RGB"), float)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lesson")
    from regviz_anim.cli import main
    assert main(["render", "-o", str(folder / "lesson.html"), "--frames-dir", str(folder / "frames"),
                 "--frames", "40", "--size", "640x360", "--no-progress"]) == 0
    frames = [np.asarray(Image.open(p).convert("RGB"), float) for p in sorted((folder / "frames").iterdir())]
    return folder / "lesson.html", frames


@pytest.mark.slow
def test_seeking_shows_the_frame_the_frames_folder_holds(lesson, open_page):
    path, frames = lesson
    tab, refused, errors = open_page(path)
    assert tab.evaluate("regviz.frames") == 40
    assert tab.evaluate("regviz.frame()") == 39  # the poster: the last frame, before play
    for k in (0, 1, 2, 17, 30, 38, 39, 5):
        assert tab.evaluate(f"regviz.seek({k})") == k
        assert tab.evaluate("regviz.frame()") == k
        picture = shown(tab)
        assert picture.shape == frames[k].shape  # the native size: the window is wide enough
        scores = {j: psnr(picture, frames[j]) for j in range(max(0, k - 2), min(40, k + 3))}
        assert max(scores, key=scores.get) == k, scores
        assert scores[k] > 32.0, scores
    assert refused == [] and errors == []


@pytest.mark.slow
def test_the_keys_buttons_and_text(lesson, open_page):
    path, _ = lesson
    tab, refused, _ = open_page(path)
    data, _ = page_parts(path)
    tab.locator("#regviz-view").focus()
    tab.keyboard.press("Home")
    tab.wait_for_function("regviz.frame() === 0 && !regviz.view.seeking")
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function("regviz.frame() === 1 && !regviz.view.seeking")
    assert tab.inner_text("#regviz-where") == data["labels"][1]
    assert tab.get_attribute("#regviz-scrub", "aria-valuetext") == data["labels"][1]
    assert tab.inner_text("#regviz-caption") == data["captions"][data["caption_of"][1]]
    tab.keyboard.press("End")
    tab.wait_for_function("regviz.frame() === 39 && !regviz.view.seeking")
    tab.click("#regviz-back")
    tab.wait_for_function("regviz.frame() === 38 && !regviz.view.seeking")
    tab.keyboard.press(" ")  # on the focused button: that button's, one more frame back
    tab.wait_for_function("regviz.frame() === 37 && !regviz.view.seeking")
    tab.select_option("#regviz-speed", "0.5")
    tab.locator("#regviz-view").focus()
    tab.keyboard.press(" ")  # plays, on from the frame stepped to
    tab.wait_for_function("!regviz.view.paused && regviz.view.playbackRate === 0.5")
    tab.wait_for_function("regviz.frame() > 1")
    tab.keyboard.press(" ")
    tab.wait_for_function("regviz.view.paused && document.querySelector('#regviz-play').ariaLabel === 'play'")
    tab.uncheck("#regviz-loop")
    assert tab.evaluate("regviz.view.loop") is False
    command = tab.input_value("#regviz-command")
    assert command.startswith("regviz-anim render -o ") and "--size=640x360" in command
    title = json.loads(path.with_name("lesson.html.json").read_text(encoding="utf-8"))["title"]
    assert tab.inner_text("h1").split() == title.split()
    for control in ("#regviz-back", "#regviz-play", "#regviz-forward", "#regviz-scrub"):
        assert tab.get_attribute(control, "aria-label")
    assert refused == []


@pytest.mark.slow
def test_play_goes_on_from_a_stepped_frame_and_a_later_seek_wins(lesson, open_page):
    path, _ = lesson
    tab, _, errors = open_page(path)
    assert tab.evaluate("regviz.seek(10)") == 10
    tab.evaluate("regviz.play()")
    tab.wait_for_function("!regviz.view.paused")
    assert tab.evaluate("regviz.frame()") >= 10  # from the frame stepped to, not from the first
    # a seek asked right after a play stops it and shows its frame
    assert tab.evaluate("(async () => { regviz.play(); return await regviz.seek(7); })()") == 7
    assert tab.evaluate("regviz.view.paused") and tab.evaluate("regviz.frame()") == 7
    tab.focus("#regviz-loop")  # space on a focused checkbox is the checkbox's
    before = tab.is_checked("#regviz-loop")
    tab.keyboard.press(" ")
    assert tab.is_checked("#regviz-loop") is not before and tab.evaluate("regviz.view.paused")
    assert errors == []


@pytest.mark.slow
def test_the_picture_is_scaled_down_never_up(lesson, open_page):
    path, _ = lesson
    tab, _, _ = open_page(path, width=480)
    box = tab.locator("#regviz-view").bounding_box()
    assert box["width"] <= 480 - 16 and abs(box["width"] / box["height"] - 640 / 360) < 0.01
    tab, _, _ = open_page(path, width=1600)
    box = tab.locator("#regviz-view").bounding_box()
    assert (box["width"], box["height"]) == (640, 360)


@pytest.mark.slow
def test_a_gallery_opens_with_every_image_shown(here, cli, browser):
    assert cli("batch", str(gallery_manifest(here)), "--no-progress", "--jobs", "1")[0] == 0
    context = browser.new_context()
    refused = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                  else (refused.append(r.request.url), r.abort()))
    tab = context.new_page()
    tab.goto((here / "out" / "index.html").as_uri())
    sizes = tab.evaluate("[...document.images].map(i => i.complete && i.naturalWidth)")
    assert sizes == [480, 480, 480]
    tab.click("text=lesson-0.2.html")  # a link opens the job's page, which plays offline too
    tab.wait_for_function("window.regviz && regviz.frames === 12", timeout=30_000)
    context.close()
    assert refused == []


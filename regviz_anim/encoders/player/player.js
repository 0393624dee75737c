// The player of a regviz-anim page: the animation is an H.264 video embedded in the page (base64),
// played by the browser; stepping seeks the video to the middle of a frame's time. No network.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("regviz-data").textContent);
  const $ = (id) => document.getElementById("regviz-" + id);
  const video = $("view"), scrub = $("scrub"), where = $("where"), caption = $("caption");
  const playButton = $("play"), speed = $("speed"), loop = $("loop");
  const n = data.frames, fps = data.fps;
  // shown[j]: the frame on screen during the video's j-th frame (a held frame is repeated, a
  // bouncing animation comes back); first[k]: the video frame where frame k first shows.
  const shown = data.shown, first = new Array(n).fill(-1);
  shown.forEach((k, j) => { if (first[k] < 0) first[k] = j; });

  function bytes(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
    const binary = atob(text), out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  const source = $("video");
  video.src = URL.createObjectURL(new Blob([bytes(source.textContent.trim())], { type: "video/mp4" }));
  source.textContent = "";  // the bytes live in the blob now

  const ready = new Promise((resolve) => {
    if (video.readyState >= 1) resolve();
    else video.addEventListener("loadedmetadata", resolve, { once: true });
  });

  let current = data.poster, started = false;  // started: played or stepped, so the poster is gone

  function show(k) {  // the words for frame k: the scrubber, its label, the caption
    current = k;
    scrub.value = String(k);
    where.textContent = data.labels[k];
    scrub.setAttribute("aria-valuetext", data.labels[k]);
    const text = data.captions.length ? data.captions[data.caption_of[k]] : "";
    if (caption.textContent !== text) caption.textContent = text;
  }

  function playedAt(seconds) {
    return Math.min(shown.length - 1, Math.max(0, Math.floor(seconds * fps + 1e-3)));
  }

  function onScreen() {  // resolves once the frame the video has sought is painted
    return new Promise((resolve) => {
      video.addEventListener("seeked", () => requestAnimationFrame(() => requestAnimationFrame(resolve)),
                             { once: true });
    });
  }

  // seek(k) resolves with the frame on screen once the video shows it: k, unless a later seek or a
  // play came first (then the frame that one shows).
  async function seek(k, poster = false) {
    k = Number(k);
    if (!Number.isFinite(k)) throw new RangeError("seek(k) takes a frame number");
    k = Math.max(0, Math.min(n - 1, Math.round(k)));
    await ready;
    video.pause();  // after the wait: a play begun meanwhile stops here
    if (!poster) started = true;
    show(k);
    const target = (first[k] + 0.5) / fps;
    if (Math.abs(video.currentTime - target) < 0.25 / fps && !video.seeking) return k;
    const painted = onScreen();
    video.currentTime = target;
    await painted;
    return current;
  }

  async function play() {
    await ready;
    if (!started || (current === n - 1 && playedAt(video.currentTime) >= shown.length - 1)) {
      started = true;  // the poster is the last frame: playing starts from the first
      video.currentTime = 0;
    }
    video.playbackRate = Number(speed.value);
    await video.play();
  }

  function pause() {
    video.pause();
  }

  function follow() {  // while playing: the words follow the frame on screen
    if (video.paused) return;
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback((now, meta) => {
        if (!video.paused) { show(shown[playedAt(meta.mediaTime)]); follow(); }
      });
    } else {
      requestAnimationFrame(() => {
        if (!video.paused) { show(shown[playedAt(video.currentTime)]); follow(); }
      });
    }
  }

  video.addEventListener("play", () => {
    playButton.classList.add("playing");
    playButton.setAttribute("aria-label", data.ui.pause);
    follow();
  });
  video.addEventListener("pause", () => {
    playButton.classList.remove("playing");
    playButton.setAttribute("aria-label", data.ui.play);
    if (!video.seeking) show(shown[playedAt(video.currentTime)]);
  });
  video.addEventListener("ended", () => show(shown[shown.length - 1]));

  const toggle = () => (video.paused ? play() : pause());
  const step = (by) => seek(current + by);
  playButton.addEventListener("click", toggle);
  $("back").addEventListener("click", () => step(-1));
  $("forward").addEventListener("click", () => step(1));
  video.addEventListener("click", toggle);
  scrub.addEventListener("input", () => seek(scrub.value));
  speed.addEventListener("change", () => { video.playbackRate = Number(speed.value); });
  loop.addEventListener("change", () => { video.loop = loop.checked; });
  video.loop = loop.checked;

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("textarea, select, summary, #regviz-copy")) return;
    // space on a focused button or checkbox is that control's own
    if (event.key === " " && target.closest && target.closest("button, input[type=checkbox]")) return;
    const keys = { " ": toggle, ArrowLeft: () => step(-1), ArrowRight: () => step(1),
                   Home: () => seek(0), End: () => seek(n - 1) };
    if (!(event.key in keys)) return;
    event.preventDefault();
    keys[event.key]();
  });

  const command = $("command"), copy = $("copy"), copyWord = copy.textContent;
  copy.addEventListener("click", async () => {
    command.select();
    try {
      await navigator.clipboard.writeText(command.value);
    } catch (error) {
      document.execCommand("copy");  // where the clipboard API is not allowed (some file:// pages)
    }
    copy.textContent = data.ui.copied;
    setTimeout(() => { copy.textContent = copyWord; }, 2000);
  });

  show(current);
  ready.then(() => seek(data.poster, true));  // the poster: the last frame, until the page is played
  window.regviz = { frames: n, frame: () => current, seek, play, pause, view: video };
})();

// The shot editor's player: the preview video (rendered as a job), frame stepping and the
// clock, and gestures on the picture handed to the armed player tool (registry.js): a click,
// or a drag that draws a box, in frame pixels.
import { api, withToken } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { fmtClock } from "../core/format.js";
import { icon } from "../core/icons.js";
import { watchJob } from "../core/jobs.js";
import { toolNamed } from "../core/registry.js";
import { S } from "../core/store.js";

const DRAG_PX = 5; // a pointer that moved less than this is a click, not a box

/**
 * const player = new Player(ed, bars): `bars` are elements shown under the picture (panels of
 * the "player" column). player.el is the whole player; player.frame() the frame shown (0-based).
 */
export class Player {
  constructor(ed, bars = []) {
    this.ed = ed;
    this.fps = S.project.fps;
    this.frames = 1;
    this.duration = 1;
    this.tool = null;      // the armed player tool
    this.session = null;   // what its arm() returned
    this.arg = null;       // what it was armed with (a layer, a form)
    this.previewSig = null;
    this.previewGen = 0;
    this.raf = 0;
    this.video = h("video", { class: "player-video", playsinline: true, preload: "auto", muted: false });
    this.scrub = h("input", { type: "range", class: "scrub", min: "0", max: "0", step: "1", value: "0", "aria-label": "Scrub through the shot (frames)" });
    this.stage = h("div", { class: "stage", style: `aspect-ratio: ${S.project.size.width} / ${S.project.size.height}` },
      this.video, h("div", { class: "point-mark", hidden: true }), h("div", { class: "stage-marks", "aria-hidden": "true" }),
      h("div", { class: "pick-overlay", hidden: true }, h("div", { class: "pick-box", hidden: true })),
      h("div", { class: "stage-blank", hidden: true }, h("p", { class: "stage-blank-desc" }),
        h("p", { class: "stage-blank-hint", text: "Blank shot: the preview shows its storyboard card. Add media, a colour or a title on the right to fill it." })),
      h("div", { class: "stage-msg" }, h("span", { class: "stage-text", text: "Rendering preview…" }),
        h("div", { class: "progress slim" }, h("div", { class: "bar" }))));
    this.el = h("div", { class: "player" }, this.stage, ...bars,
      h("div", { class: "controls" },
        h("button", { class: "icon-btn", "data-ctl": "prev", title: "Previous frame ( , )", "aria-label": "Previous frame", html: icon("prev") }),
        h("button", { class: "icon-btn play", "data-ctl": "play", title: "Play / pause (Space)", "aria-label": "Play", html: icon("play") }),
        h("button", { class: "icon-btn", "data-ctl": "next", title: "Next frame ( . )", "aria-label": "Next frame", html: icon("next") }),
        this.scrub,
        h("span", { class: "timecode", "aria-live": "off" })));
    this.wireControls();
    this.wireGestures();
  }

  /** The frame shown, 0-based: player.frame(). */
  frame() {
    return Math.min(this.frames - 1, Math.floor(this.video.currentTime * this.fps + 1e-3));
  }

  /** Show frame f (paused): player.seek(player.frame() + 1). */
  seek(f) {
    f = Math.max(0, Math.min(this.frames - 1, f));
    this.video.pause();
    // aim inside the frame so rounding never shows its neighbour
    this.video.currentTime = Math.min((f + 0.5) / this.fps, Math.max(0, (this.video.duration || this.duration) - 1e-3));
    this.updateTime();
  }

  togglePlay() {
    if (!this.video.src) return;
    if (this.video.paused) this.video.play().catch(() => {});
    else this.video.pause();
  }

  /** The shot's timing: player.setClip(24, 1.5) (frames follow). */
  setClip(fps, duration) {
    this.fps = fps;
    this.frames = Math.max(1, Math.round(duration * fps));
    this.duration = duration;
    this.scrub.max = String(this.frames - 1);
  }

  /** A blank shot: a strip over the picture says how to fill it. player.showBlank(true, shot.description) */
  showBlank(blank, text) {
    $(".stage-blank", this.stage).hidden = !blank;
    $(".stage-blank-desc", this.stage).textContent = text;
  }

  /** The clock, the scrubber and the editor's data-frame; the armed tool hears of a new frame. */
  updateTime() {
    const t = this.video.currentTime || 0;
    const f = Math.min(this.frames - 1, Math.floor(t * this.fps + 1e-3));
    $(".timecode", this.el).textContent = `${fmtClock(t)} / ${fmtClock(this.duration)} · frame ${f + 1}/${this.frames}`;
    if (document.activeElement !== this.scrub) this.scrub.value = String(f);
    const el = this.ed.el;
    if (el && el.dataset.frame !== String(f)) this.tool?.frame?.(this.ed, this.session, f); // each frame shows its own marks
    if (el) el.dataset.frame = String(f);
  }

  wireControls() {
    const video = this.video;
    $(".controls", this.el).addEventListener("click", (e) => {
      const c = e.target.closest("[data-ctl]")?.dataset.ctl;
      if (c === "prev") this.seek(this.frame() - 1);
      if (c === "next") this.seek(this.frame() + 1);
      if (c === "play") this.togglePlay();
    });
    this.scrub.addEventListener("input", () => this.seek(Number(this.scrub.value)));
    const tick = () => {
      this.updateTime();
      if (!video.paused) this.raf = requestAnimationFrame(tick);
    };
    const playIcon = (playing) => {
      const b = $("[data-ctl=play]", this.el);
      b.innerHTML = icon(playing ? "pause" : "play");
      b.setAttribute("aria-label", playing ? "Pause" : "Play");
    };
    video.addEventListener("play", () => { playIcon(true); this.raf = requestAnimationFrame(tick); });
    video.addEventListener("pause", () => { playIcon(false); this.updateTime(); });
    video.addEventListener("seeked", () => this.updateTime());
    video.addEventListener("loadedmetadata", () => this.updateTime());
    video.addEventListener("click", (e) => {
      // a tool without the overlay takes plain clicks on the picture; otherwise a click plays
      if (!this.tool || this.tool.overlay !== false) return this.togglePlay();
      const r = video.getBoundingClientRect();
      const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
      this.gesture({ x: fx * S.project.size.width, y: fy * S.project.size.height, fx, fy, negative: e.altKey || e.shiftKey });
    });
  }

  /** Pointer on the pick overlay: a click is a point, a drag a box (both in frame pixels). */
  wireGestures() {
    const overlay = $(".pick-overlay", this.stage);
    const boxEl = $(".pick-box", overlay);
    let start = null;
    const at = (e) => {
      const r = overlay.getBoundingClientRect();
      const fx = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
      const fy = Math.max(0, Math.min(1, (e.clientY - r.top) / r.height));
      return { fx, fy, px: e.clientX - r.left, py: e.clientY - r.top };
    };
    const W = () => S.project.size.width, H = () => S.project.size.height;
    const round = (v) => Math.round(v * 10) / 10;
    overlay.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      overlay.setPointerCapture(e.pointerId);
      start = { ...at(e), negative: e.altKey || e.shiftKey };
    });
    overlay.addEventListener("pointermove", (e) => {
      if (!start || !this.tool?.boxes) return; // tools without boxes take clicks only
      const p = at(e);
      if (Math.abs(p.px - start.px) < DRAG_PX && Math.abs(p.py - start.py) < DRAG_PX) return;
      boxEl.hidden = false;
      Object.assign(boxEl.style, { left: `${Math.min(p.fx, start.fx) * 100}%`, top: `${Math.min(p.fy, start.fy) * 100}%`,
        width: `${Math.abs(p.fx - start.fx) * 100}%`, height: `${Math.abs(p.fy - start.fy) * 100}%` });
    });
    overlay.addEventListener("pointerup", (e) => {
      if (!start || !this.tool) return;
      const a = start;
      const b = at(e);
      start = null;
      const dragged = Math.abs(b.px - a.px) >= DRAG_PX || Math.abs(b.py - a.py) >= DRAG_PX;
      if (dragged && this.tool.boxes) {
        const box = [Math.min(a.fx, b.fx) * W(), Math.min(a.fy, b.fy) * H(), Math.max(a.fx, b.fx) * W(), Math.max(a.fy, b.fy) * H()].map(round);
        return this.gesture({ box, a, b });
      }
      // a point on the last pixel's far edge is outside the frame: keep it inside
      this.gesture({ x: round(Math.min(W() - 0.5, a.fx * W())), y: round(Math.min(H() - 0.5, a.fy * H())), fx: a.fx, fy: a.fy, negative: a.negative });
    });
    overlay.addEventListener("pointercancel", () => { start = null; boxEl.hidden = true; });
  }

  /** Hand a click ({x, y, fx, fy, negative}) or a box ({box, a, b}) to the armed tool (disarmed first unless it keeps going). */
  gesture(g) {
    const { tool, session } = this;
    if (!tool.keep) this.disarm();
    if (g.box) tool.box?.(this.ed, session, g);
    else tool.click?.(this.ed, session, g);
  }

  /** Arm the player tool called `name` on the frame shown (any other is disarmed first): player.arm("refine", layer). */
  arm(name, arg = null) {
    const tool = toolNamed(name);
    if (!tool) throw new Error(`no player tool "${name}" is registered`);
    this.disarm();
    this.video.pause();
    this.ed.el.classList.add("picking");
    const overlay = $(".pick-overlay", this.stage);
    overlay.hidden = tool.overlay === false;
    overlay.title = tool.hint || "";
    this.tool = tool;
    this.arg = arg;
    this.session = tool.arm ? tool.arm(this.ed, arg) : {};
    this.ed.armedChanged?.();
  }

  /** Disarm the armed tool, if any (its marks and bars go): player.disarm(). */
  disarm() {
    const { tool, session } = this;
    this.tool = this.session = this.arg = null;
    this.ed.el?.classList.remove("picking");
    $(".pick-overlay", this.stage).hidden = true;
    $(".pick-box", this.stage).hidden = true;
    $(".stage-marks", this.stage).replaceChildren();
    if (!tool) return;
    tool.disarm?.(this.ed, session);
    this.ed.armedChanged?.();
  }

  /** The project changed: the armed tool checks that what it works on is still there. */
  shotChanged(shot) {
    if (this.tool) this.tool.shotChanged?.(this.ed, this.session, shot);
  }

  /** Gestures on the picture paused (false: while the armed tool's job runs) or back: player.showOverlay(false). */
  showOverlay(shown) {
    $(".pick-overlay", this.stage).hidden = !shown || this.tool?.overlay === false;
  }

  /** True when tool `name` is armed on the layer with id `layerId`: player.armedOn("refine", layer.id). */
  armedOn(name, layerId) {
    return this.tool?.name === name && this.arg?.id === layerId;
  }

  /** Keys for the player and the armed tool (, . Space, Esc); true when the key was used. */
  key(e) {
    if (e.key === ",") { e.preventDefault(); this.seek(this.frame() - 1); return true; }
    if (e.key === ".") { e.preventDefault(); this.seek(this.frame() + 1); return true; }
    if (e.key === " " && !e.target.closest("button,a")) { e.preventDefault(); this.togglePlay(); return true; }
    if (!this.tool) return false;
    if (e.key === "Escape" && !this.tool.busy?.(this.session)) { e.preventDefault(); this.disarm(); return true; }
    if (this.tool.key?.(this.ed, this.session, e)) { e.preventDefault(); return true; }
    return false;
  }

  /** The point mark at (fx, fy) of the picture, or hidden: player.mark(0.5, 0.5); player.mark(null). */
  mark(fx, fy) {
    const mark = $(".point-mark", this.stage);
    mark.hidden = fx === null;
    if (fx === null) return;
    mark.style.left = `${fx * 100}%`;
    mark.style.top = `${fy * 100}%`;
  }

  /** The box drawn by the last drag stays shown (while its job runs) or goes: player.showBox(false). */
  showBox(shown) {
    $(".pick-box", this.stage).hidden = !shown;
  }

  /** Marks drawn over the picture (a tool's clicks on this frame): player.setMarks([h("div", …)]). */
  setMarks(els) {
    $(".stage-marks", this.stage).replaceChildren(...els);
  }

  /** Render the shot's preview as a job and play it, keeping the time shown: player.preview(shot.id). */
  async preview(shotId) {
    const gen = ++this.previewGen;
    const current = () => this.ed.alive && gen === this.previewGen;
    const msg = $(".stage-msg", this.stage);
    const bar = $(".stage-msg .bar", this.stage);
    const text = $(".stage-text", this.stage);
    msg.hidden = false;
    msg.classList.remove("error");
    text.textContent = "Rendering preview…";
    bar.style.width = "0%";
    const t = this.video.currentTime || 0;
    try {
      const { job_id } = await api("POST", `/api/projects/${S.pid}/shots/${shotId}/preview`);
      const job = await watchJob(job_id, (j) => {
        if (current()) bar.style.width = `${Math.round((j.progress || 0) * 100)}%`;
      });
      if (!current()) return;
      this.video.src = withToken(job.result.url);
      this.video.addEventListener("loadeddata", () => {
        if (!current()) return;
        msg.hidden = true;
        if (t) this.video.currentTime = Math.min(t, this.video.duration - 1e-3);
      }, { once: true });
    } catch (e) {
      if (!current()) return;
      msg.classList.add("error");
      text.textContent = `No preview: ${e.message}`;
    }
  }

  /** Stop playing and let go of the video (the editor closes). */
  teardown() {
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    cancelAnimationFrame(this.raf);
  }
}

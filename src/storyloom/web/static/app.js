// Storyloom studio: project list, storyboard, shot editor, import, render.
// Every edit goes to the server (API.md) as one revision; the answer carries the whole
// project, so the page re-renders from it (keyed: unchanged cards are reused as they are).
import { api, ApiError, assetUrl, upload, watchJob, withToken } from "./api.js";
import { buildForm } from "./form.js";
import { icon, paintIcons } from "./icons.js";

const $ = (sel, root = document) => root.querySelector(sel);
const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "html") el.innerHTML = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) el.append(kid);
  return el;
};

// ------------------------------------------------------------------ state
const S = {
  projects: [],
  pid: null,
  project: null,
  revision: null,
  shotId: null,       // the shot open in the editor (null: the storyboard)
  operations: null,   // GET /api/operations, fetched once
  drag: null,         // {kind: "shot"|"scene", id}
};
window.storyloom = S; // for tests and the curious: the page's state, read-only by convention

const fmtDur = (s) => (s >= 60 ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}` : `${+s.toFixed(2)} s`);
// a file's size as people read it: "8 KB", "3.4 MB", "1.2 GB" (never "0.0 MB")
const fmtSize = (n) => (n < 1e6 ? `${Math.max(1, Math.round(n / 1e3))} KB` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`);
const takeOf = (shot) => shot.takes.find((t) => t.id === shot.selected_take) || shot.takes[0] || { layers: [], operations: [] };
/** "Camera move · push-in", "Cutout · 1 click": the tool's name as the tool panel says it, then its first setting. */
const opLabel = (op) => {
  const name = String(op.schema || "").split(".")[0];
  if (name === "Cutout") {
    // as the server's label: the prompt (a box, or the first + click on its frame), then the corrections
    const first = (op.clicks || []).find((c) => c.positive && c.frame === op.frame);
    const rest = (op.clicks || []).filter((c) => c !== first).length;
    return ["Cutout", op.box ? "box" : first ? "1 click" : null, rest ? `${rest} correction${rest > 1 ? "s" : ""}` : null]
      .filter(Boolean).join(" · ");
  }
  const label = name.replace(/([a-z0-9])([A-Z])/g, (_, a, b) => `${a} ${b.toLowerCase()}`); // as the server's labels
  const first = Object.entries(op).find(([k, v]) => !["schema", "engine"].includes(k) && v !== null && v !== ""
    && !(Array.isArray(v) && !v.length) && (Array.isArray(v) || typeof v !== "object"));
  if (!first) return label;
  const [key, v] = first;
  const count = (n) => `${n} ${n === 1 ? key.replace(/s$/, "") : key}`;
  return `${label} · ${Array.isArray(v) ? count(v.length) : v}`;
};

// ------------------------------------------------------------------ toasts and dialogs
function toast(message, kind = "info", action) {
  const el = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, h("span", { text: message }));
  if (action) el.append(h("button", { class: "btn small", text: action.label, onclick: () => { action.run(); el.remove(); } }));
  el.append(h("button", { class: "icon-btn small", "aria-label": "Dismiss", html: icon("x", 14), onclick: () => el.remove() }));
  const box = $("#toasts");
  // a repeated message replaces its twin, and at most three stay: toasts must not cover the board
  for (const old of box.children) if (old.firstChild.textContent === message) old.remove();
  box.append(el);
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => el.remove(), kind === "error" ? 9000 : 5000);
}

/** The page's own confirm/prompt: resolves to the typed text (prompt), true (confirm) or null. */
function ask({ title, text = "", value = null, ok = "OK", danger = false }) {
  const dlg = $("#ask");
  $("#ask-title").textContent = title;
  $("#ask-text").textContent = text;
  const input = $("#ask-input");
  input.hidden = value === null;
  input.value = value ?? "";
  $("#ask-ok").textContent = ok;
  $("#ask-ok").classList.toggle("danger", danger);
  dlg.returnValue = "";
  dlg.showModal();
  if (value !== null) input.select();
  else $("#ask-ok").focus();
  return new Promise((resolve) => {
    dlg.addEventListener("close", () => {
      if (dlg.returnValue !== "ok") resolve(null);
      else resolve(value === null ? true : input.value.trim());
    }, { once: true });
  });
}

// ------------------------------------------------------------------ projects
async function loadProjects() {
  try {
    S.projects = await api("GET", "/api/projects");
  } catch (e) {
    toast(e.message, "error");
    S.projects = [];
  }
  renderProjectList();
  // the welcome page lists the projects too: it must not show one that was just deleted
  if (!S.pid && document.querySelector(".welcome")) renderWelcome();
}

function renderProjectList() {
  const ul = $("#project-list");
  ul.replaceChildren(...S.projects.map((p) => {
    const li = h("li", { class: `project-item${p.id === S.pid ? " active" : ""}`, "data-project": p.id },
      h("a", { href: `#/p/${p.id}`, class: "project-link", title: p.title || "Untitled", "aria-current": p.id === S.pid ? "page" : null },
        h("span", { class: "project-title", text: p.title || "Untitled" }),
        h("span", { class: "project-meta", text: `${p.shots ?? 0} shots · ${fmtDur(p.duration ?? 0)}` })),
      h("div", { class: "project-actions" },
        h("button", { class: "icon-btn small", title: "Rename", "aria-label": `Rename ${p.title}`, "data-act": "rename-project", html: icon("edit", 14) }),
        h("button", { class: "icon-btn small", title: "Delete", "aria-label": `Delete ${p.title}`, "data-act": "delete-project", html: icon("trash", 14) })));
    return li;
  }));
  if (!S.projects.length) ul.append(h("li", { class: "empty", text: "No projects yet — make one with +." }));
}

$("#project-list").addEventListener("click", async (e) => {
  const btn = e.target.closest("[data-act]");
  if (!btn) return;
  const pid = btn.closest("[data-project]").dataset.project;
  const info = S.projects.find((p) => p.id === pid);
  if (btn.dataset.act === "rename-project") {
    const title = await ask({ title: "Rename project", value: info.title, ok: "Rename" });
    if (!title) return;
    try {
      const base = pid === S.pid ? S.revision : info.revision;
      const res = await api("PATCH", `/api/projects/${pid}`, { base_revision: base, title });
      if (pid === S.pid) applyProject(res.revision, res.project, res.steps);
      toast(`Renamed to “${title}”`);
    } catch (err) {
      toast(err.status === 409 ? "Changed elsewhere — refreshed" : err.message, err.status === 409 ? "warn" : "error");
    }
    loadProjects();
  } else if (btn.dataset.act === "delete-project") {
    const yes = await ask({ title: `Delete “${info.title}”?`, text: `Its ${info.shots ?? 0} shots and whole history go. This cannot be undone.`, ok: "Delete project", danger: true });
    if (!yes) return;
    try {
      await api("DELETE", `/api/projects/${pid}`);
      toast(`Deleted “${info.title}”`);
      if (pid === S.pid) location.hash = "";
    } catch (err) {
      toast(err.message, "error");
    }
    loadProjects();
  }
});

$("#new-project").addEventListener("click", async () => {
  const title = await ask({ title: "New project", text: "1280×720 at 24 fps; import footage or a script next.", value: "Untitled film", ok: "Create" });
  if (!title) return;
  try {
    const res = await api("POST", "/api/projects", { title });
    await loadProjects();
    location.hash = `#/p/${res.id}`;
  } catch (e) {
    toast(e.message, "error");
  }
});

async function loadProject(pid) {
  try {
    const res = await api("GET", `/api/projects/${pid}`);
    if (pid !== S.pid) return;
    applyProject(res.revision, res.project, res.steps);
  } catch (e) {
    toast(e.message, "error");
    if (e.status === 404) location.hash = "";
  }
}

/** Undo/redo say what they would do ("Undo: delete shot 3") and are greyed out when there is nothing. */
function showSteps(steps) {
  for (const [which, label, keys] of [["undo", "Undo", "Ctrl+Z"], ["redo", "Redo", "Ctrl+Shift+Z"]]) {
    const btn = $(`#${which}`);
    const what = steps?.[which];
    btn.disabled = !what;
    btn.title = what ? `${label}: ${what} (${keys})` : `Nothing to ${which}`;
    btn.setAttribute("aria-label", what ? `${label}: ${what}` : `${label} (nothing to ${which})`);
  }
}

function applyProject(revision, project, steps) {
  S.project = project;
  S.revision = revision;
  if (steps) showSteps(steps);
  const info = S.projects.find((p) => p.id === project.id);
  if (info) {
    const shots = project.scenes.reduce((n, s) => n + s.shots.length, 0);
    const dur = project.scenes.reduce((n, s) => n + s.shots.reduce((m, x) => m + x.duration, 0), 0);
    if (info.title !== project.title || info.shots !== shots || Math.abs((info.duration ?? 0) - dur) > 1e-6) {
      Object.assign(info, { title: project.title, shots, duration: dur, revision });
      renderProjectList();
    }
  }
  render();
  renderCast();
}

// ------------------------------------------------------------------ edits (one queue, one revision each)
let queue = Promise.resolve();

/**
 * Send one edit with the current base_revision; re-render from the answer. Edits run one
 * after another so each is based on the previous answer. A 409 reloads the project.
 * Resolves to the answer, or null when it failed (the user has been told).
 */
function edit(method, path, body = {}, query = {}) {
  const pid = S.pid;
  const run = async () => {
    if (pid !== S.pid) return null;
    try {
      const res = method === "DELETE"
        ? await api("DELETE", path, undefined, { base_revision: S.revision, ...query })
        : await api(method, path, { base_revision: S.revision, ...body }, query);
      if (pid === S.pid && res && res.project) applyProject(res.revision, res.project, res.steps);
      return res;
    } catch (e) {
      if (e.status === 409) {
        // nothing was saved: offer to make the same edit again on top of the fresh version
        toast("Changed elsewhere — refreshed. Your edit was not applied.", "warn",
          { label: "Apply again", run: () => edit(method, path, body, query) });
      } else toast(e.message, "error");
      await loadProject(pid); // whatever was shown optimistically is replaced by the truth
      return null;
    }
  };
  const p = queue.then(run);
  queue = p.catch(() => null);
  return p;
}

async function undoRedo(which) {
  if (!S.pid) return;
  await queue;
  try {
    // based on what the page shows: never undo an edit made elsewhere that the page has not seen
    const res = await api("POST", `/api/projects/${S.pid}/${which}`, undefined, { base_revision: S.revision });
    applyProject(res.revision, res.project, res.steps);
    toast(which === "undo" ? "Undone" : "Redone");
  } catch (e) {
    if (e.status === 409) {
      toast(`Changed elsewhere — refreshed. Nothing was ${which === "undo" ? "undone" : "redone"}.`, "warn");
      await loadProject(S.pid);
    } else toast(e.status === 400 ? `Nothing to ${which}` : e.message, e.status === 400 ? "info" : "error");
  }
}
$("#undo").addEventListener("click", () => undoRedo("undo"));
$("#redo").addEventListener("click", () => undoRedo("redo"));

const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) && !(el.type === "range" || el.type === "checkbox");
document.addEventListener("keydown", (e) => {
  if (document.querySelector("dialog[open]")) return;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !typing(e.target)) {
    const k = e.key.toLowerCase();
    if (k === "z" && !e.shiftKey) { e.preventDefault(); undoRedo("undo"); return; }
    if ((k === "z" && e.shiftKey) || k === "y") { e.preventDefault(); undoRedo("redo"); return; }
  }
});

// ------------------------------------------------------------------ routing
function route() {
  const m = location.hash.match(/^#\/p\/([\w-]+)(?:\/shot\/([\w-]+))?/);
  const pid = m ? m[1] : null;
  const shotId = m && m[2] ? m[2] : null;
  const changed = pid !== S.pid;
  S.pid = pid;
  S.shotId = shotId;
  $("#toolbar").hidden = !pid;
  renderProjectList();
  if (!pid) {
    S.project = null;
    render();
    return;
  }
  $("#otio-link").href = withToken(`/api/projects/${pid}/export.otio`);
  if (changed || !S.project) {
    S.project = null;
    resetBoardCache();
    $("#view").replaceChildren(h("div", { class: "loading", text: "Loading…" }));
    loadProject(pid);
  } else {
    render();
  }
}
window.addEventListener("hashchange", route);

function render() {
  renderCrumbs();
  if (!S.pid) return renderWelcome();
  if (!S.project) return;
  if (S.shotId) {
    try {
      findShot(S.shotId);
    } catch {
      location.hash = `#/p/${S.pid}`;
      return;
    }
    renderEditor();
  } else {
    renderBoard();
  }
}

function renderCrumbs() {
  const c = $("#crumbs");
  const kids = [];
  if (S.project) {
    kids.push(h("a", { href: `#/p/${S.pid}`, text: S.project.title || "Untitled" }));
    if (S.shotId) {
      try {
        const { shot, number } = findShot(S.shotId);
        kids.push(h("span", { class: "crumb-sep", text: "/" }), h("span", { class: "crumb-shot", text: `Shot ${number}${shot.title ? " · " + shot.title : ""}` }));
      } catch { /* shot gone: render() goes back to the board */ }
    }
    kids.push(h("span", { class: "rev", title: "revision", text: `rev ${S.revision}` }));
  }
  c.replaceChildren(...kids);
}

function renderWelcome() {
  editorTeardown();
  $("#view").replaceChildren(h("div", { class: "welcome" },
    h("h1", { text: "Your storyboards" }),
    h("p", { text: S.projects.length ? "Open a project, or start a new one." : "No projects yet. Start one, then import a video or a script." }),
    h("button", { class: "btn primary welcome-new", html: icon("plus") + " New project", onclick: () => $("#new-project").click() }),
    h("div", { class: "welcome-grid" }, ...S.projects.map((p) => h("a", { class: "welcome-card", href: `#/p/${p.id}` },
      h("strong", { text: p.title || "Untitled" }), h("span", { text: `${p.shots ?? 0} shots · ${fmtDur(p.duration ?? 0)}` }))))));
}

function findShot(id) {
  let number = 0;
  for (const scene of S.project.scenes) {
    for (let i = 0; i < scene.shots.length; i++) {
      number++;
      if (scene.shots[i].id === id) return { scene, shot: scene.shots[i], index: i, number };
    }
  }
  throw new Error(`no shot ${id}`);
}

// ------------------------------------------------------------------ storyboard
const cards = new Map();   // shot id -> {sig, el}: unchanged cards are reused, not rebuilt
const sceneEls = new Map(); // scene id -> element
let boardEl = null;

function resetBoardCache() {
  cards.clear();
  sceneEls.clear();
  boardEl = null;
}

function shotSig(shot) {
  const take = takeOf(shot);
  const ops = take.operations.length + take.layers.reduce((n, l) => n + l.operations.length, 0);
  return JSON.stringify([shot.title, shot.description, shot.duration, thumbOf(shot) || "",
    take.layers.length, ops, shot.transition.kind]);
}

/** The card's still: the shot's own thumbnail (imported footage), else its lowest visible picture layer. */
function thumbOf(shot) {
  if (shot.thumbnails.length) return shot.thumbnails[1] || shot.thumbnails[0];
  const still = takeOf(shot).layers.find((l) => l.visible && l.source.kind === "asset" && l.source.asset.kind === "image");
  return still ? still.source.asset.sha256 : null;
}

function makeCard(shot) {
  const take = takeOf(shot);
  const ops = take.operations.length + take.layers.reduce((n, l) => n + l.operations.length, 0);
  const thumb = thumbOf(shot);
  const pic = thumb
    ? h("img", { src: assetUrl(thumb), alt: "", loading: "lazy", decoding: "async", draggable: "false" })
    : h("div", { class: "blank" },
      h("span", { class: "blank-desc", text: shot.description || (take.layers.length ? "No still yet: open it to preview." : "Blank shot: open it to add layers.") }));
  const badges = h("div", { class: "badges" },
    h("span", { class: "badge", title: `${take.layers.length} layer(s)`, html: icon("layers", 12) + ` ${take.layers.length}` }));
  if (ops) badges.append(h("span", { class: "badge edits", title: `${ops} edit(s)`, html: icon("wand", 12) + ` ${ops}` }));
  if (shot.transition.kind === "crossfade") badges.append(h("span", { class: "badge", title: "crossfade in", text: "⨯fade" }));
  return h("article", { class: `card${thumb ? "" : " is-blank"}`, draggable: "true", tabindex: "0", "data-shot": shot.id },
    h("div", { class: "thumb" }, pic, h("span", { class: "num" }), h("span", { class: "dur", text: fmtDur(shot.duration) })),
    h("div", { class: "meta" }, h("span", { class: "title", text: shot.title || "Untitled shot" }), badges),
    h("div", { class: "card-actions" },
      h("button", { class: "icon-btn small", "data-act": "duplicate", title: "Duplicate (Ctrl+D)", "aria-label": "Duplicate shot", html: icon("copy", 14) }),
      h("button", { class: "icon-btn small", "data-act": "delete-shot", title: "Delete (Del)", "aria-label": "Delete shot", html: icon("trash", 14) })));
}

function slot(sceneId, index) {
  return h("button", { class: "slot", "data-act": "insert", "data-scene": sceneId, "data-index": String(index), title: "Insert a blank shot here", "aria-label": "Insert a blank shot here", html: icon("plus", 14) });
}

function makeScene(scene) {
  const el = h("section", { class: "scene", "data-scene": scene.id },
    h("header", { class: "scene-head", draggable: "true" },
      h("span", { class: "grip", html: icon("grip", 16), title: "Drag to reorder scenes" }),
      h("button", { class: "icon-btn collapse", "data-act": "collapse", html: icon("chevron", 16) }),
      h("h3", { class: "scene-title", tabindex: "0", title: "Double-click to rename" }),
      h("span", { class: "scene-meta" }),
      h("div", { class: "scene-actions" },
        h("button", { class: "icon-btn small", "data-act": "scene-up", title: "Move scene up (Alt+↑)", "aria-label": "Move scene up", html: icon("up", 14) }),
        h("button", { class: "icon-btn small", "data-act": "scene-down", title: "Move scene down (Alt+↓)", "aria-label": "Move scene down", html: icon("down", 14) }),
        h("button", { class: "icon-btn small", "data-act": "background", title: "Replace background…", "aria-label": "Replace background", html: icon("image", 14) }),
        h("button", { class: "icon-btn small", "data-act": "rename-scene", title: "Rename scene", "aria-label": "Rename scene", html: icon("edit", 14) }),
        h("button", { class: "icon-btn small", "data-act": "delete-scene", title: "Delete scene", "aria-label": "Delete scene", html: icon("trash", 14) }))),
    h("p", { class: "scene-desc" }),
    h("div", { class: "shots", role: "list" }));
  return el;
}

function renderBoard() {
  editorTeardown();
  const view = $("#view");
  if (!boardEl || !view.contains(boardEl)) {
    boardEl = h("div", { class: "board" },
      h("div", { class: "board-head" },
        h("div", {}, h("h1", { class: "board-title" }), h("p", { class: "board-meta" })),
        h("div", { class: "board-hint", text: "Drag cards or use Alt+arrows to move · Enter opens · Del deletes" })),
      h("div", { class: "scenes" }),
      h("button", { class: "btn add-scene", "data-act": "add-scene", html: icon("plus") + " Add scene" }));
    view.replaceChildren(boardEl);
  }
  const p = S.project;
  const nShots = p.scenes.reduce((n, s) => n + s.shots.length, 0);
  const dur = p.scenes.reduce((n, s) => n + s.shots.reduce((m, x) => m + x.duration, 0), 0);
  $(".board-title", boardEl).textContent = p.title || "Untitled";
  $(".board-meta", boardEl).textContent = `${p.scenes.length} scenes · ${nShots} shots · ${fmtDur(dur)} · ${p.size.width}×${p.size.height} · ${+p.fps} fps`;

  const seenShots = new Set();
  const seenScenes = new Set();
  const frag = document.createDocumentFragment();
  let number = 0;
  for (const scene of p.scenes) {
    seenScenes.add(scene.id);
    let sEl = sceneEls.get(scene.id);
    if (!sEl) sceneEls.set(scene.id, (sEl = makeScene(scene)));
    const sdur = scene.shots.reduce((m, x) => m + x.duration, 0);
    sEl.classList.toggle("collapsed", !!scene.collapsed);
    const col = $(".collapse", sEl);
    col.setAttribute("aria-expanded", String(!scene.collapsed));
    col.setAttribute("aria-label", `${scene.collapsed ? "Expand" : "Collapse"} scene ${scene.title}`);
    $(".scene-title", sEl).textContent = scene.title || "Untitled scene";
    // one line on the board (long script headings are cut): the whole title on hover
    $(".scene-title", sEl).title = `${scene.title || "Untitled scene"} — double-click or Enter to rename`;
    $(".scene-meta", sEl).textContent = `${scene.shots.length} shot${scene.shots.length === 1 ? "" : "s"} · ${fmtDur(sdur)}`;
    $(".scene-desc", sEl).textContent = scene.description || "";
    const body = $(".shots", sEl);
    const inner = document.createDocumentFragment();
    if (!scene.collapsed) inner.append(slot(scene.id, 0));
    scene.shots.forEach((shot, i) => {
      number++;
      seenShots.add(shot.id);
      if (scene.collapsed) return;
      const sig = shotSig(shot);
      let c = cards.get(shot.id);
      if (!c || c.sig !== sig) cards.set(shot.id, (c = { sig, el: makeCard(shot) }));
      c.el.querySelector(".num").textContent = number;
      c.el.setAttribute("aria-label", `Shot ${number}: ${shot.title || "untitled"}, ${fmtDur(shot.duration)}. Enter to open, Alt+arrows to move.`);
      inner.append(c.el, slot(scene.id, i + 1));
    });
    if (!scene.collapsed && !scene.shots.length) inner.append(h("div", { class: "empty-scene", text: "Empty scene — drop shots here or press +" }));
    body.replaceChildren(inner);
    frag.append(sEl);
  }
  for (const id of cards.keys()) if (!seenShots.has(id)) cards.delete(id);
  for (const id of sceneEls.keys()) if (!seenScenes.has(id)) sceneEls.delete(id);
  $(".scenes", boardEl).replaceChildren(frag);
  if (!p.scenes.length) $(".scenes", boardEl).append(h("div", { class: "empty-board" }, h("p", { text: "An empty storyboard." }),
    h("p", { text: "Import a video (it is split into shots) or a script, or add a scene." })));
  boardEl.dataset.revision = String(S.revision);
}

function focusShot(id) {
  requestAnimationFrame(() => {
    const el = boardEl && boardEl.querySelector(`[data-shot="${id}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });
}

/** Move a shot on the page at once (optimistic), then ask the server; its answer wins. */
function moveShot(shotId, sceneId, index) {
  const { scene: src, index: from } = findShot(shotId);
  const dst = S.project.scenes.find((s) => s.id === sceneId);
  if (!dst) return;
  if (src.id === dst.id && (index === from)) return;
  const [shot] = src.shots.splice(from, 1);
  dst.shots.splice(Math.max(0, Math.min(index, dst.shots.length)), 0, shot);
  renderBoard();
  focusShot(shotId);
  return edit("POST", `/api/projects/${S.pid}/shots/${shotId}/move`, { scene_id: sceneId, index });
}

function moveScene(sceneId, index) {
  const scenes = S.project.scenes;
  const from = scenes.findIndex((s) => s.id === sceneId);
  index = Math.max(0, Math.min(index, scenes.length - 1));
  if (from < 0 || from === index) return;
  const [scene] = scenes.splice(from, 1);
  scenes.splice(index, 0, scene);
  renderBoard();
  requestAnimationFrame(() => sceneEls.get(sceneId)?.querySelector(".scene-title")?.focus());
  return edit("POST", `/api/projects/${S.pid}/scenes/${sceneId}/move`, { index });
}

async function insertShot(sceneId, index) {
  const res = await edit("POST", `/api/projects/${S.pid}/scenes/${sceneId}/shots`, { index, title: "", duration: 3.0 });
  if (res && res.id) {
    focusShot(res.id);
    requestAnimationFrame(() => boardEl?.querySelector(`[data-shot="${res.id}"]`)?.classList.add("flash"));
  }
}

async function deleteShot(shotId) {
  const { shot, number } = findShot(shotId);
  // the keyboard stays on the board: focus moves to the next card (or the one before)
  const all = S.project.scenes.flatMap((s) => s.shots.map((x) => x.id));
  const i = all.indexOf(shotId);
  const neighbour = all[i + 1] ?? all[i - 1];
  const hadFocus = document.activeElement?.closest?.(".card")?.dataset.shot === shotId;
  const res = await edit("DELETE", `/api/projects/${S.pid}/shots/${shotId}`);
  if (res && hadFocus && neighbour) focusShot(neighbour);
  if (res) toast(`Deleted shot ${number}${shot.title ? " “" + shot.title + "”" : ""}`, "info", { label: "Undo", run: () => undoRedo("undo") });
}

async function duplicateShot(shotId) {
  const res = await edit("POST", `/api/projects/${S.pid}/shots/${shotId}/duplicate`, {});
  if (res && res.id) focusShot(res.id);
}

async function toggleScene(sceneId) {
  const scene = S.project.scenes.find((s) => s.id === sceneId);
  scene.collapsed = !scene.collapsed;
  renderBoard();
  await edit("PATCH", `/api/projects/${S.pid}/scenes/${sceneId}`, { collapsed: scene.collapsed });
}

$("#view").addEventListener("click", async (e) => {
  if (!boardEl || !boardEl.contains(e.target)) return;
  const btn = e.target.closest("[data-act]");
  const sceneEl = e.target.closest("[data-scene]");
  const sceneId = sceneEl?.dataset.scene;
  if (btn) {
    const act = btn.dataset.act;
    const shotId = btn.closest("[data-shot]")?.dataset.shot;
    if (act === "insert") return insertShot(btn.dataset.scene, Number(btn.dataset.index));
    if (act === "duplicate") return duplicateShot(shotId);
    if (act === "delete-shot") return deleteShot(shotId);
    if (act === "collapse") return toggleScene(sceneId);
    if (act === "scene-up" || act === "scene-down") {
      const i = S.project.scenes.findIndex((s) => s.id === sceneId);
      return moveScene(sceneId, i + (act === "scene-up" ? -1 : 1));
    }
    if (act === "rename-scene") return renameScene(sceneId);
    if (act === "background") return openBackground(sceneId);
    if (act === "delete-scene") {
      const scene = S.project.scenes.find((s) => s.id === sceneId);
      const yes = await ask({ title: `Delete scene “${scene.title}”?`, text: `With its ${scene.shots.length} shot(s). Undo brings it back.`, ok: "Delete scene", danger: true });
      if (yes) edit("DELETE", `/api/projects/${S.pid}/scenes/${sceneId}`);
      return;
    }
    if (act === "add-scene") {
      const res = await edit("POST", `/api/projects/${S.pid}/scenes`, { title: `Scene ${S.project.scenes.length + 1}` });
      if (res?.id) requestAnimationFrame(() => sceneEls.get(res.id)?.scrollIntoView({ block: "nearest" }));
      return;
    }
  }
  const card = e.target.closest(".card");
  if (card) location.hash = `#/p/${S.pid}/shot/${card.dataset.shot}`;
});

async function renameScene(sceneId) {
  const scene = S.project.scenes.find((s) => s.id === sceneId);
  const title = await ask({ title: "Rename scene", value: scene.title, ok: "Rename" });
  if (title) edit("PATCH", `/api/projects/${S.pid}/scenes/${sceneId}`, { title });
}

$("#view").addEventListener("dblclick", (e) => {
  const t = e.target.closest(".scene-title");
  if (t && boardEl?.contains(t)) renameScene(t.closest("[data-scene]").dataset.scene);
});

// keyboard: arrows move focus, Alt+arrows move the shot (or scene), Enter opens, Del deletes
$("#view").addEventListener("keydown", (e) => {
  if (!boardEl || !boardEl.contains(e.target)) return;
  const card = e.target.closest(".card");
  if (card && e.target === card) {
    const id = card.dataset.shot;
    const { scene, index } = findShot(id);
    const scenes = S.project.scenes;
    const si = scenes.indexOf(scene);
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); location.hash = `#/p/${S.pid}/shot/${id}`; return; }
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); deleteShot(id); return; }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "d") { e.preventDefault(); duplicateShot(id); return; }
    if (e.altKey) {
      if (e.key === "ArrowLeft" && index > 0) { e.preventDefault(); moveShot(id, scene.id, index - 1); }
      else if (e.key === "ArrowRight" && index < scene.shots.length - 1) { e.preventDefault(); moveShot(id, scene.id, index + 1); }
      else if (e.key === "ArrowUp" && si > 0) { e.preventDefault(); moveShot(id, scenes[si - 1].id, scenes[si - 1].shots.length); }
      else if (e.key === "ArrowDown" && si < scenes.length - 1) { e.preventDefault(); moveShot(id, scenes[si + 1].id, 0); }
      return;
    }
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const all = [...boardEl.querySelectorAll(".card")];
      const next = all[all.indexOf(card) + (e.key === "ArrowLeft" ? -1 : 1)];
      if (next) { e.preventDefault(); next.focus(); }
    }
    return;
  }
  const title = e.target.closest(".scene-title");
  if (title) {
    const sceneId = title.closest("[data-scene]").dataset.scene;
    const i = S.project.scenes.findIndex((s) => s.id === sceneId);
    if (e.key === "Enter" || e.key === "F2") { e.preventDefault(); renameScene(sceneId); }
    else if (e.altKey && e.key === "ArrowUp") { e.preventDefault(); moveScene(sceneId, i - 1); }
    else if (e.altKey && e.key === "ArrowDown") { e.preventDefault(); moveScene(sceneId, i + 1); }
  }
});

// ---- drag and drop (HTML5): shots onto cards / scene bodies / collapsed scenes, scenes onto scenes
const SHOT_TYPE = "application/x-storyloom-shot";
const SCENE_TYPE = "application/x-storyloom-scene";
let dropMark = null;

function clearDrop() {
  if (dropMark) dropMark.el.classList.remove("drop-before", "drop-after", "drop-into");
  dropMark = null;
}

function markDrop(el, cls) {
  if (dropMark && dropMark.el === el && dropMark.cls === cls) return;
  clearDrop();
  el.classList.add(cls);
  dropMark = { el, cls };
}

/** Where a shot dragged to the pointer would land: {sceneId, index (in the full list)} or null. */
function shotDropTarget(e) {
  const card = e.target.closest(".card");
  if (card) {
    const r = card.getBoundingClientRect();
    const after = e.clientX > r.left + r.width / 2;
    const { scene, index } = findShot(card.dataset.shot);
    markDrop(card, after ? "drop-after" : "drop-before");
    return { sceneId: scene.id, index: index + (after ? 1 : 0) };
  }
  const sceneEl = e.target.closest(".scene");
  if (!sceneEl) return null;
  const scene = S.project.scenes.find((s) => s.id === sceneEl.dataset.scene);
  const body = $(".shots", sceneEl);
  const slotEl = e.target.closest(".slot");
  if (slotEl) {
    markDrop(slotEl, "drop-into");
    return { sceneId: scene.id, index: Number(slotEl.dataset.index) };
  }
  markDrop(scene.collapsed ? sceneEl : body, "drop-into");
  return { sceneId: scene.id, index: scene.shots.length };
}

$("#view").addEventListener("dragstart", (e) => {
  if (!boardEl || !boardEl.contains(e.target)) return;
  const card = e.target.closest?.(".card");
  const head = e.target.closest?.(".scene-head");
  if (card) {
    S.drag = { kind: "shot", id: card.dataset.shot };
    e.dataTransfer.setData(SHOT_TYPE, card.dataset.shot);
    e.dataTransfer.setData("text/plain", `shot ${card.dataset.shot}`);
    card.classList.add("dragging");
  } else if (head) {
    const sceneEl = head.closest(".scene");
    S.drag = { kind: "scene", id: sceneEl.dataset.scene };
    e.dataTransfer.setData(SCENE_TYPE, sceneEl.dataset.scene);
    e.dataTransfer.setData("text/plain", `scene ${sceneEl.dataset.scene}`);
    sceneEl.classList.add("dragging");
  } else return;
  e.dataTransfer.effectAllowed = "move";
  boardEl.classList.add("is-dragging");
});

$("#view").addEventListener("dragover", (e) => {
  if (!S.drag || !boardEl?.contains(e.target)) return;
  if (S.drag.kind === "shot") {
    if (shotDropTarget(e)) { e.preventDefault(); e.dataTransfer.dropEffect = "move"; }
  } else {
    const sceneEl = e.target.closest(".scene");
    if (!sceneEl) return;
    const r = sceneEl.getBoundingClientRect();
    markDrop(sceneEl, e.clientY > r.top + Math.min(r.height / 2, 60) ? "drop-after" : "drop-before");
    e.preventDefault();
  }
});

$("#view").addEventListener("drop", (e) => {
  if (!S.drag || !boardEl?.contains(e.target)) return;
  e.preventDefault();
  const drag = S.drag;
  if (drag.kind === "shot") {
    const t = shotDropTarget(e);
    clearDrop();
    if (!t) return;
    const { scene, index: from } = findShot(drag.id);
    // the server's index counts after removal (API.md): moving right in one scene shifts by one
    const index = scene.id === t.sceneId && from < t.index ? t.index - 1 : t.index;
    moveShot(drag.id, t.sceneId, index);
  } else {
    const sceneEl = e.target.closest(".scene");
    const after = dropMark?.cls === "drop-after";
    clearDrop();
    if (!sceneEl || sceneEl.dataset.scene === drag.id) return;
    const scenes = S.project.scenes;
    const from = scenes.findIndex((s) => s.id === drag.id);
    let to = scenes.findIndex((s) => s.id === sceneEl.dataset.scene) + (after ? 1 : 0);
    if (from < to) to -= 1;
    moveScene(drag.id, to);
  }
});

$("#view").addEventListener("dragend", () => {
  S.drag = null;
  clearDrop();
  boardEl?.classList.remove("is-dragging");
  boardEl?.querySelectorAll(".dragging").forEach((el) => el.classList.remove("dragging"));
});

// ------------------------------------------------------------------ shot editor
let ed = null; // the open editor: {shotId, el, video, previewSig, previewGen, tool (armed for points), ...}

function editorTeardown() {
  if (!ed) return;
  ed.video.pause();
  ed.video.removeAttribute("src");
  ed.video.load();
  cancelAnimationFrame(ed.raf);
  document.removeEventListener("keydown", ed.onKey);
  ed = null;
}

async function operations() {
  if (!S.operations) {
    try {
      S.operations = await api("GET", "/api/operations");
    } catch (e) {
      toast(`tools unavailable: ${e.message}`, "error");
      return [];
    }
  }
  return S.operations;
}

function renderEditor() {
  const { shot, scene, index, number } = findShot(S.shotId);
  if (!ed || ed.shotId !== shot.id) {
    editorTeardown();
    boardEl = null;
    buildEditor(shot);
  }
  const fps = S.project.fps;
  ed.fps = fps;
  ed.frames = Math.max(1, Math.round(shot.duration * fps));
  ed.duration = shot.duration;
  ed.scrub.max = String(ed.frames - 1);
  // neighbour shots for the ‹ › buttons
  const all = S.project.scenes.flatMap((s) => s.shots);
  const i = all.findIndex((s) => s.id === shot.id);
  ed.prevShot = all[i - 1]?.id;
  ed.nextShot = all[i + 1]?.id;
  $(".ed-prev", ed.el).disabled = !ed.prevShot;
  $(".ed-next", ed.el).disabled = !ed.nextShot;
  $(".ed-where", ed.el).textContent = `Shot ${number} of ${all.length} · ${scene.title} · #${index + 1} in scene`;
  $(".ed-where", ed.el).title = $(".ed-where", ed.el).textContent;
  fillProps(shot);
  const blank = !takeOf(shot).layers.length;
  $(".stage-blank", ed.el).hidden = !blank;
  $(".stage-blank-desc", ed.el).textContent = shot.description || shot.title || "Blank shot";
  renderLayers(shot);
  renderExtract(shot);
  renderOps(shot);
  renderTools(shot);
  // the preview is rendered again only when the shot's recipe changed
  const sig = JSON.stringify([shot, S.project.size, S.project.fps]);
  if (sig !== ed.previewSig) {
    ed.previewSig = sig;
    requestPreview(shot.id);
  }
  updateTime();
}

function buildEditor(shot) {
  const video = h("video", { class: "player-video", playsinline: true, preload: "auto", muted: false });
  const scrub = h("input", { type: "range", class: "scrub", min: "0", max: "0", step: "1", value: "0", "aria-label": "Scrub through the shot (frames)" });
  const el = h("div", { class: "editor" },
    h("div", { class: "ed-head" },
      h("a", { class: "btn ghost", href: `#/p/${S.pid}`, html: icon("back") + " Storyboard" }),
      h("div", { class: "ed-nav" },
        h("button", { class: "icon-btn ed-prev", title: "Previous shot", "aria-label": "Previous shot", html: icon("left"),
          onclick: () => ed.prevShot && (location.hash = `#/p/${S.pid}/shot/${ed.prevShot}`) }),
        h("span", { class: "ed-where" }),
        h("button", { class: "icon-btn ed-next", title: "Next shot", "aria-label": "Next shot", html: icon("right"),
          onclick: () => ed.nextShot && (location.hash = `#/p/${S.pid}/shot/${ed.nextShot}`) }))),
    h("div", { class: "ed-body" },
      h("div", { class: "ed-left" },
        h("div", { class: "player" },
          h("div", { class: "stage", style: `aspect-ratio: ${S.project.size.width} / ${S.project.size.height}` },
            video, h("div", { class: "point-mark", hidden: true }), h("div", { class: "refine-marks", "aria-hidden": "true" }),
            h("div", { class: "pick-overlay", hidden: true, title: "Click the object, or drag a box around it (Esc cancels)" },
              h("div", { class: "pick-box", hidden: true })),
            h("div", { class: "stage-blank", hidden: true }, h("p", { class: "stage-blank-desc" }),
              h("p", { class: "stage-blank-hint", text: "Blank shot: the preview shows its storyboard card. Add media, a colour or a title on the right to fill it." })),
            h("div", { class: "stage-msg" }, h("span", { class: "stage-text", text: "Rendering preview…" }),
              h("div", { class: "progress slim" }, h("div", { class: "bar" })))),
          buildRefineBar(),
          h("div", { class: "controls" },
            h("button", { class: "icon-btn", "data-ctl": "prev", title: "Previous frame ( , )", "aria-label": "Previous frame", html: icon("prev") }),
            h("button", { class: "icon-btn play", "data-ctl": "play", title: "Play / pause (Space)", "aria-label": "Play", html: icon("play") }),
            h("button", { class: "icon-btn", "data-ctl": "next", title: "Next frame ( . )", "aria-label": "Next frame", html: icon("next") }),
            scrub,
            h("span", { class: "timecode", "aria-live": "off" }))),
        h("section", { class: "panel props" },
          h("h3", { text: "Shot" }),
          h("div", { class: "props-grid" },
            h("label", { class: "field" }, "Title", h("input", { type: "text", name: "title", autocomplete: "off" })),
            h("label", { class: "field narrow" }, "Duration (s)", h("input", { type: "number", name: "duration", min: "0.05", max: "3600", step: "0.05" })),
            h("label", { class: "field wide" }, "Description", h("textarea", { name: "description", rows: "2" })),
            h("label", { class: "field" }, "Transition in",
              h("select", { name: "transition" }, h("option", { value: "cut", text: "Cut" }), h("option", { value: "crossfade", text: "Crossfade" }))),
            h("label", { class: "field narrow" }, "Fade (s)", h("input", { type: "number", name: "tdur", min: "0", max: "10", step: "0.05" }))))),
      h("div", { class: "ed-right" },
        h("section", { class: "panel layers-panel" }, h("h3", { html: icon("layers", 16) + " Layers" }), h("ul", { class: "layer-list" })),
        buildExtractPanel(),
        h("section", { class: "panel ops-panel" }, h("h3", { html: icon("wand", 16) + " Edits on this shot" }), h("ul", { class: "op-list" })),
        h("section", { class: "panel tools-panel" }, h("h3", { text: "Tools" }), h("div", { class: "tools" }, h("p", { class: "empty", text: "Loading tools…" }))))));
  $("#view").replaceChildren(el);
  ed = { shotId: shot.id, el, video, scrub, previewSig: null, previewGen: 0, fps: S.project.fps, frames: 1, duration: shot.duration, armed: null, toolsSig: null, picking: null, refine: null };
  wirePicking(el);

  // ---- player
  const frameOf = () => Math.min(ed.frames - 1, Math.floor(video.currentTime * ed.fps + 1e-3));
  const seekFrame = (f) => {
    f = Math.max(0, Math.min(ed.frames - 1, f));
    video.pause();
    // aim inside the frame so rounding never shows its neighbour
    video.currentTime = Math.min((f + 0.5) / ed.fps, Math.max(0, (video.duration || ed.duration) - 1e-3));
    ed.shownFrame = f;
    updateTime();
  };
  ed.frameOf = frameOf;
  ed.seekFrame = seekFrame;
  $(".controls", el).addEventListener("click", (e) => {
    const c = e.target.closest("[data-ctl]")?.dataset.ctl;
    if (c === "prev") seekFrame(frameOf() - 1);
    if (c === "next") seekFrame(frameOf() + 1);
    if (c === "play") togglePlay();
  });
  scrub.addEventListener("input", () => seekFrame(Number(scrub.value)));
  const tick = () => {
    updateTime();
    if (!video.paused) ed.raf = requestAnimationFrame(tick);
  };
  video.addEventListener("play", () => { setPlayIcon(true); ed.raf = requestAnimationFrame(tick); });
  video.addEventListener("pause", () => { setPlayIcon(false); updateTime(); });
  video.addEventListener("seeked", updateTime);
  video.addEventListener("loadedmetadata", updateTime);
  video.addEventListener("click", (e) => {
    if (ed.armed) return setPoint(e);
    togglePlay();
  });
  ed.onKey = (e) => {
    if (typing(e.target) || document.querySelector("dialog[open]") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === ",") { e.preventDefault(); seekFrame(frameOf() - 1); }
    else if (e.key === ".") { e.preventDefault(); seekFrame(frameOf() + 1); }
    else if (e.key === " " && !e.target.closest("button,a")) { e.preventDefault(); togglePlay(); }
    else if (e.key === "Escape" && ed.picking && !ed.refine?.running) { e.preventDefault(); disarmPicking(); }
    else if (ed.refine && !ed.refine.running && (e.key === "Backspace" || e.key === "Delete")) { e.preventDefault(); undoRefineClick(); }
    else if (ed.refine && e.key === "Enter" && !e.target.closest("button,a")) { e.preventDefault(); runRefine(); }
    else if (e.key === "Escape") location.hash = `#/p/${S.pid}`;
  };
  document.addEventListener("keydown", ed.onKey);

  // ---- shot properties: saved when a field is left (change), one revision each
  const props = $(".props", el);
  props.addEventListener("change", (e) => {
    const { shot: cur } = findShot(ed.shotId);
    const f = e.target.name;
    const v = e.target.value;
    if (f === "title" || f === "description") edit("PATCH", `/api/projects/${S.pid}/shots/${cur.id}`, { [f]: v });
    else if (f === "duration") {
      const d = Number(v);
      if (!(d > 0)) return toast("Duration must be more than 0 s", "error");
      edit("PATCH", `/api/projects/${S.pid}/shots/${cur.id}`, { duration: d });
    } else if (f === "transition" || f === "tdur") {
      const kind = $("[name=transition]", props).value;
      const tdur = kind === "cut" ? 0 : Math.max(0.05, Number($("[name=tdur]", props).value) || 0.5);
      edit("PATCH", `/api/projects/${S.pid}/shots/${cur.id}`, { transition: { kind, duration: tdur } });
    }
  });
}

function setPlayIcon(playing) {
  const b = ed && $("[data-ctl=play]", ed.el);
  if (!b) return;
  b.innerHTML = icon(playing ? "pause" : "play");
  b.setAttribute("aria-label", playing ? "Pause" : "Play");
}

function togglePlay() {
  if (!ed || !ed.video.src) return;
  if (ed.video.paused) ed.video.play().catch(() => {});
  else ed.video.pause();
}

function updateTime() {
  if (!ed) return;
  const t = ed.video.currentTime || 0;
  const f = Math.min(ed.frames - 1, Math.floor(t * ed.fps + 1e-3));
  const fmt = (s) => `${String(Math.floor(s / 60)).padStart(2, "0")}:${(s % 60).toFixed(2).padStart(5, "0")}`;
  $(".timecode", ed.el).textContent = `${fmt(t)} / ${fmt(ed.duration)} · frame ${f + 1}/${ed.frames}`;
  if (document.activeElement !== ed.scrub) ed.scrub.value = String(f);
  if (ed.el.dataset.frame !== String(f) && ed.refine) renderRefine(); // each frame shows its own clicks
  ed.el.dataset.frame = String(f);
}

async function requestPreview(shotId) {
  const gen = ++ed.previewGen;
  const msg = $(".stage-msg", ed.el);
  const bar = $(".stage-msg .bar", ed.el);
  const text = $(".stage-text", ed.el);
  msg.hidden = false;
  msg.classList.remove("error");
  text.textContent = "Rendering preview…";
  bar.style.width = "0%";
  const t = ed.video.currentTime || 0;
  try {
    const { job_id } = await api("POST", `/api/projects/${S.pid}/shots/${shotId}/preview`);
    const job = await watchJob(job_id, (j) => {
      if (ed && gen === ed.previewGen) bar.style.width = `${Math.round((j.progress || 0) * 100)}%`;
    });
    if (!ed || gen !== ed.previewGen) return;
    ed.video.src = withToken(job.result.url);
    ed.video.addEventListener("loadeddata", () => {
      if (!ed || gen !== ed.previewGen) return;
      msg.hidden = true;
      if (t) ed.video.currentTime = Math.min(t, ed.video.duration - 1e-3);
    }, { once: true });
  } catch (e) {
    if (!ed || gen !== ed.previewGen) return;
    msg.classList.add("error");
    text.textContent = `No preview: ${e.message}`;
  }
}

function fillProps(shot) {
  const props = $(".props", ed.el);
  const set = (name, v) => {
    const el = $(`[name=${name}]`, props);
    if (document.activeElement !== el) el.value = v;
  };
  set("title", shot.title);
  set("description", shot.description);
  set("duration", shot.duration);
  set("transition", shot.transition.kind);
  set("tdur", shot.transition.duration || 0.5);
  $("[name=tdur]", props).disabled = shot.transition.kind === "cut";
}

const opacityOf = (layer) => {
  const p = layer.transform?.opacity;
  if (p === undefined || p === null) return 1;
  if (typeof p === "number") return p;
  return p.keys && p.keys.length ? p.keys[0].v : p.value ?? 1;
};

function layerKind(layer) {
  const s = layer.source;
  if (s.kind === "asset") return `${s.asset.kind} · ${s.asset.name || s.asset.sha256.slice(0, 8)}`;
  if (s.kind === "text") return `text “${s.text.slice(0, 24)}”`;
  if (s.kind === "color") return `colour ${s.color}`;
  return s.kind;
}

function renderLayers(shot) {
  const take = takeOf(shot);
  const ul = $(".layer-list", ed.el);
  const base = `/api/projects/${S.pid}/shots/${shot.id}/layers`;
  const n = take.layers.length;
  // top of the stack first, as in every editor
  const rows = take.layers.map((layer, i) => ({ layer, i })).reverse().map(({ layer, i }) => {
    const animated = layer.transform?.opacity?.keys?.length > 1;
    // keyframed opacity: the slider shows its highest key; moving it makes it constant
    const op = animated ? Math.max(...layer.transform.opacity.keys.map((k) => k.v)) : opacityOf(layer);
    const slider = h("input", { type: "range", min: "0", max: "1", step: "0.01", value: String(op), class: "opacity",
      "aria-label": `Opacity of ${layer.name || "layer"}`, title: animated ? "Opacity is keyframed; moving this sets it constant" : "Opacity" });
    const pct = h("span", { class: "pct", text: animated ? "keyed" : `${Math.round(op * 100)}%`, title: animated ? "keyframed opacity" : null });
    slider.addEventListener("input", () => { pct.textContent = `${Math.round(slider.value * 100)}%`; });
    slider.addEventListener("change", () => edit("PATCH", `${base}/${layer.id}`, { opacity: Number(slider.value) }));
    const cutout = layer.operations.some((o) => String(o.schema || "").startsWith("Cutout."));
    const refining = ed.refine?.layerId === layer.id;
    return h("li", { class: `layer${layer.visible ? "" : " hidden-layer"}${refining ? " refining" : ""}`, "data-layer": layer.id },
      h("button", { class: "icon-btn small", "aria-pressed": String(layer.visible), "aria-label": `${layer.visible ? "Hide" : "Show"} ${layer.name || "layer"}`,
        title: layer.visible ? "Hide" : "Show", html: icon(layer.visible ? "eye" : "eyeoff", 15),
        onclick: () => edit("PATCH", `${base}/${layer.id}`, { visible: !layer.visible }) }),
      h("div", { class: "layer-main" },
        h("div", { class: "layer-name" }, h("strong", { text: layer.name || "layer" }), h("span", { class: "role", text: layer.role }),
          layer.operations.length ? h("span", { class: "badge edits", text: `${layer.operations.length} edit${layer.operations.length > 1 ? "s" : ""}` }) : null),
        h("div", { class: "layer-sub", text: layerKind(layer) }),
        h("div", { class: "layer-opacity" }, slider, pct,
          cutout ? h("button", { type: "button", class: "btn small refine-btn", "data-act": "refine", "aria-pressed": String(refining),
            "aria-label": `Refine cutout ${layer.name || "layer"}`, html: icon("target", 13) + " Refine",
            title: "Correct the cutout on the player: click adds a missed part (+), Alt- or Shift-click removes a wrong one (−)",
            onclick: () => (ed.refine?.layerId === layer.id ? disarmPicking() : armPicking("refine", layer)) }) : null)),
      h("div", { class: "layer-actions" },
        h("button", { class: "icon-btn small", disabled: i === n - 1, "aria-label": "Move layer up", title: "Up (towards the front)", html: icon("up", 14),
          onclick: () => edit("POST", `${base}/${layer.id}/move`, { index: i + 1 }) }),
        h("button", { class: "icon-btn small", disabled: i === 0, "aria-label": "Move layer down", title: "Down (towards the back)", html: icon("down", 14),
          onclick: () => edit("POST", `${base}/${layer.id}/move`, { index: i - 1 }) }),
        h("button", { class: "icon-btn small", "aria-label": `Delete layer ${layer.name}`, title: "Delete layer", html: icon("trash", 14),
          onclick: () => edit("DELETE", `${base}/${layer.id}`) })));
  });
  ul.replaceChildren(...rows);
  // the layer being refined is gone (deleted, undone): its clicks have nothing to correct
  if (ed.refine && !take.layers.some((l) => l.id === ed.refine.layerId && l.operations.some((o) => String(o.schema || "").startsWith("Cutout.")))) disarmPicking();
  if (!n) ul.append(h("li", { class: "empty", text: "No layers: this shot is blank. Add a colour or a title to start." }));
  const media = h("input", { type: "file", accept: "video/*,image/*", hidden: true, "aria-label": "Media file for a new layer" });
  media.addEventListener("change", async () => {
    const file = media.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    const chip = jobChip(`Upload ${file.name}`);
    try {
      const asset = await upload("/api/assets", form, (p) => chip.set(p, ""));
      const name = file.name.replace(/\.[^.]+$/, "");
      await edit("POST", base, { name, role: n ? "foreground" : "background", source: { kind: "asset", asset: { sha256: asset.sha256, name: asset.name, kind: asset.kind } } });
    } catch (e) {
      toast(`${file.name}: ${e.message}`, "error");
    } finally {
      chip.done();
    }
  });
  ul.append(h("li", { class: "layer-add" }, media,
    h("button", { class: "btn small", html: icon("plus", 14) + " Media", title: "A video or picture as a new layer", onclick: () => media.click() }),
    h("button", { class: "btn small", html: icon("plus", 14) + " Colour", onclick: () => edit("POST", base, { name: "colour", role: "background", source: { kind: "color", color: "#20243a" } }) }),
    h("button", { class: "btn small", html: icon("plus", 14) + " Title", onclick: async () => {
      const text = await ask({ title: "Title layer", value: shot.title || "Title", ok: "Add" });
      if (text) edit("POST", base, { name: "title", role: "title", source: { kind: "text", text } });
    } })));
}

function renderOps(shot) {
  const take = takeOf(shot);
  const ul = $(".op-list", ed.el);
  const base = `/api/projects/${S.pid}/shots/${shot.id}/operations`;
  const rows = take.operations.map((op, i) => h("li", { class: "op" },
    h("span", { class: "op-label", text: opLabel(op) }), h("span", { class: "op-target", text: "shot" }),
    h("button", { class: "icon-btn small", "aria-label": `Remove ${opLabel(op)}`, title: "Remove", html: icon("x", 14),
      onclick: () => edit("DELETE", `${base}/${i}`) })));
  for (const layer of take.layers) {
    layer.operations.forEach((op, i) => rows.push(h("li", { class: "op" },
      h("span", { class: "op-label", text: opLabel(op) }), h("span", { class: "op-target", text: `layer ${layer.name}` }),
      h("button", { class: "icon-btn small", "aria-label": `Remove ${opLabel(op)}`, title: "Remove", html: icon("x", 14),
        onclick: () => edit("DELETE", `${base}/${i}`, {}, { layer_id: layer.id }) }))));
  }
  ul.replaceChildren(...rows);
  if (!rows.length) ul.append(h("li", { class: "empty", text: "No edits yet: pick a tool below." }));
}

async function renderTools(shot) {
  const box = $(".tools", ed.el);
  const ops = await operations();
  if (!ed) return;
  // tools are rebuilt only when the layer list changes (their forms keep what the user typed)
  const take = takeOf(shot);
  const sig = JSON.stringify([shot.id, take.layers.map((l) => [l.id, l.name])]);
  if (sig === ed.toolsSig) return;
  ed.toolsSig = sig;
  const open = new Set([...box.querySelectorAll("details[open]")].map((d) => d.dataset.op));
  box.replaceChildren(...ops.map((op) => {
    // descriptions come from docstrings: their ``name`` spans show as code, not as backticks
    const desc = h("p", { class: "tool-desc" }, ...(op.description || "").split("``").map((part, k) => (k % 2 ? h("code", { text: part }) : part)));
    const body = h("div", { class: "tool-body" }, desc);
    const form = h("form", { class: "tool-form", novalidate: true });
    const f = buildForm(form, op.schema || {}, { disabled: !op.available });
    let layerSel = null;
    if (op.target === "layer") {
      // layer edits work on pictures: video and image layers first (top first), then the rest
      const pics = take.layers.filter((l) => l.source.kind === "asset" && l.source.asset.kind !== "audio").reverse();
      const rest = take.layers.filter((l) => !pics.includes(l)).reverse();
      layerSel = h("select", { name: "layer_id", disabled: !op.available || !take.layers.length },
        ...[...pics, ...rest].map((l) => h("option", { value: l.id, text: `${l.name || l.id} (${l.source.kind === "asset" ? l.source.asset.kind : l.source.kind})` })));
      form.prepend(h("div", { class: "form-row" }, h("label", { text: "Layer" }), layerSel));
    }
    if (f.hasClicks && op.available) {
      form.append(h("button", { type: "button", class: "btn small", html: icon("target", 14) + " Set point on player",
        onclick: () => { ed.armed = { op: op.name, form: f, layerSel }; ed.el.classList.add("picking"); toast("Click the object on the player"); } }));
    }
    const apply = h("button", { type: "submit", class: "btn primary small", disabled: !op.available, text: "Apply" });
    form.append(h("div", { class: "tool-actions" }, apply));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const fields = f.read();
      const missing = f.missing();
      if (missing.length) return toast(`${op.label}: fill in ${missing.join(", ")}`, "error");
      // a bare type name: the server tags it with the current version
      const body = { operation: { schema: op.name, ...fields } };
      if (layerSel) body.layer_id = layerSel.value;
      const res = await edit("POST", `/api/projects/${S.pid}/shots/${shot.id}/operations`, body);
      if (res) toast(`${op.label} added`);
    });
    body.append(form);
    const unavailable = !op.available ? h("p", { class: "tool-reason", text: op.reason || "not available on this machine" }) : null;
    const det = h("details", { class: `tool${op.available ? "" : " unavailable"}`, "data-op": op.name, open: open.has(op.name) },
      h("summary", {},
        h("span", { class: "tool-name", text: op.label || op.name }),
        h("span", { class: "tool-tag", text: op.target === "layer" ? "layer" : "shot" }),
        h("span", { class: `dot ${op.available ? "ok" : "off"}`, title: op.available ? "available" : op.reason })),
      unavailable, body);
    return det;
  }));
  if (!ops.length) box.append(h("p", { class: "empty", text: "No tools reported by the server." }));
}

const infoCache = new Map();
function assetInfo(sha) {
  if (!infoCache.has(sha)) infoCache.set(sha, api("GET", `/api/assets/${sha}/info`).then((r) => r.info));
  return infoCache.get(sha);
}

/** A keyframed parameter at t (linear between keys: close enough for pointing). */
function paramAt(p, t) {
  if (p === undefined || p === null) return undefined;
  if (typeof p === "number") return p;
  const keys = (p.keys || []).slice().sort((a, b) => a.t - b.t);
  if (!keys.length) return p.value;
  if (t <= keys[0].t) return keys[0].v;
  for (let i = 1; i < keys.length; i++) {
    if (t <= keys[i].t) {
      const a = keys[i - 1], b = keys[i];
      return a.v + (b.v - a.v) * (b.t > a.t ? (t - a.t) / (b.t - a.t) : 0);
    }
  }
  return keys[keys.length - 1].v;
}

/**
 * A point on the shot's picture (project pixels at shot time t) in the layer's source:
 * undoes the layer's fit, offset, scale and rotation. Returns {x, y, frame} in source pixels/frames.
 */
async function toSource(layer, px, py, t) {
  const W = S.project.size.width, H = S.project.size.height;
  if (!layer || layer.source.kind !== "asset") return { x: px, y: py, frame: Math.round(t * S.project.fps) };
  const info = await assetInfo(layer.source.asset.sha256);
  const w = info.width || W, h = info.height || H;
  let sx = 1, sy = 1;
  if (layer.fit === "fill") sx = sy = Math.max(W / w, H / h);
  else if (layer.fit === "fit") sx = sy = Math.min(W / w, H / h);
  else if (layer.fit === "stretch") { sx = W / w; sy = H / h; }
  const tr = layer.transform || {};
  const k = paramAt(tr.scale, t) ?? 1;
  const rot = ((paramAt(tr.rotation, t) ?? 0) * Math.PI) / 180;
  let dx = px - W / 2 - (paramAt(tr.x, t) ?? 0);
  let dy = py - H / 2 - (paramAt(tr.y, t) ?? 0);
  if (rot) [dx, dy] = [dx * Math.cos(rot) - dy * Math.sin(rot), dx * Math.sin(rot) + dy * Math.cos(rot)];
  const x = Math.max(0, Math.min(w - 1, dx / (sx * k) + w / 2));
  const y = Math.max(0, Math.min(h - 1, dy / (sy * k) + h / 2));
  const st = Math.max(0, t - (layer.start || 0)) + (layer.source.in_point || 0);
  return { x, y, frame: info.fps ? Math.round(st * info.fps) : 0 };
}

async function setPoint(e) {
  const v = ed.video;
  const r = v.getBoundingClientRect();
  const armed = ed.armed;
  ed.armed = null;
  ed.el.classList.remove("picking");
  // the picture fills the stage (same aspect ratio), so page → project pixels is a scale
  const x = ((e.clientX - r.left) / r.width) * S.project.size.width;
  const y = ((e.clientY - r.top) / r.height) * S.project.size.height;
  const { shot } = findShot(ed.shotId);
  const layer = armed.layerSel ? takeOf(shot).layers.find((l) => l.id === armed.layerSel.value) : null;
  try {
    const p = await toSource(layer, x, y, ed.frameOf() / ed.fps);
    armed.form.setPoint(p.x, p.y, p.frame);
  } catch (err) {
    return toast(`cannot place the point: ${err.message}`, "error");
  }
  const mark = $(".point-mark", ed.el);
  mark.hidden = false;
  mark.style.left = `${((e.clientX - r.left) / r.width) * 100}%`;
  mark.style.top = `${((e.clientY - r.top) / r.height) * 100}%`;
}

// ------------------------------------------------------------------ layer tools: extract a layer
let enginesP = null;
/** The segment engines (GET /api/engines, fetched once): the choices for cutting out. */
function segmentEngines() {
  if (!enginesP) {
    enginesP = api("GET", "/api/engines")
      .then((list) => list.filter((e) => e.capability === "segment").sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)))
      .catch(() => []);
  }
  return enginesP;
}

function buildExtractPanel() {
  const layerSel = h("select", { name: "extract-layer", "aria-label": "Layer to cut from" });
  const engineSel = h("select", { name: "extract-engine", "aria-label": "Cut-out engine" }, h("option", { value: "", text: "best here" }));
  segmentEngines().then((list) => {
    for (const e of list) {
      engineSel.append(h("option", { value: e.name, disabled: !e.available, title: e.description || e.reason || "",
        text: e.available ? e.name : `${e.name} (unavailable)` }));
    }
  });
  return h("section", { class: "panel extract-panel" },
    h("h3", { html: icon("scissors", 16) + " Extract layer" }),
    h("p", { class: "tool-desc", text: "Cut an object out of the picture as its own layer, above the one it comes from. Pick it on the current frame: click it, or drag a box around it." }),
    h("div", { class: "form-row" }, h("label", { text: "From" }), layerSel),
    h("div", { class: "form-row" }, h("label", { text: "Engine" }), engineSel),
    h("div", { class: "tool-actions" },
      h("button", { type: "button", class: "btn primary small", "data-act": "extract-pick", html: icon("target", 14) + " Pick on player",
        onclick: () => (ed.picking === "extract" ? disarmPicking() : armPicking("extract")) })),
    h("div", { class: "progress extract-progress", hidden: true }, h("div", { class: "bar" }), h("span", { class: "label" })));
}

/** Refresh the "From" choices: the shot's picture layers, top first ("" = the server's default). */
function renderExtract(shot) {
  const sel = $("select[name=extract-layer]", ed.el);
  const pics = takeOf(shot).layers.filter((l) => (l.source.kind === "asset" && l.source.asset.kind !== "audio") || l.source.kind === "shot").reverse();
  const sig = JSON.stringify(pics.map((l) => [l.id, l.name]));
  if (sel.dataset.sig === sig) return;
  const keep = sel.value;
  sel.dataset.sig = sig;
  sel.replaceChildren(h("option", { value: "", text: "bottom picture layer" }),
    ...pics.map((l) => h("option", { value: l.id, text: `${l.name || l.id} (${l.source.kind === "asset" ? l.source.asset.kind : l.source.kind})` })));
  if (pics.some((l) => l.id === keep)) sel.value = keep;
  $("[data-act=extract-pick]", ed.el).disabled = !pics.length;
  $("[data-act=extract-pick]", ed.el).title = pics.length ? "" : "This shot has no picture layer to cut from";
}

/**
 * Arm picking on the player, on the frame shown: "extract" (a click or a box makes a new
 * cutout layer) or "refine" (clicks on `layer`'s cutout: plain adds, Alt/Shift removes,
 * collected until Apply). Any other picking is cancelled first.
 */
function armPicking(mode, layer) {
  disarmPicking();
  ed.video.pause();
  ed.picking = mode;
  ed.el.classList.add("picking");
  const overlay = $(".pick-overlay", ed.el);
  overlay.hidden = false;
  if (mode === "extract") {
    overlay.title = "Click the object, or drag a box around it (Esc cancels)";
    $("[data-act=extract-pick]", ed.el).innerHTML = icon("x", 14) + " Cancel picking";
    toast("Click the object on the player, or drag a box around it");
    return;
  }
  overlay.title = "Click adds to the cutout, Alt- or Shift-click removes (Esc cancels)";
  ed.refine = { layerId: layer.id, name: layer.name || "layer", clicks: [], running: false };
  $(`.layer[data-layer="${layer.id}"]`, ed.el)?.classList.add("refining");
  $(`.layer[data-layer="${layer.id}"] [data-act=refine]`, ed.el)?.setAttribute("aria-pressed", "true");
  $(".refine-bar", ed.el).hidden = false;
  $(".refine-progress", ed.el).hidden = true;
  renderRefine();
}

function disarmPicking() {
  if (!ed) return;
  ed.picking = null;
  ed.refine = null;
  ed.el.classList.remove("picking");
  $(".pick-overlay", ed.el).hidden = true;
  $(".pick-box", ed.el).hidden = true;
  $("[data-act=extract-pick]", ed.el).innerHTML = icon("target", 14) + " Pick on player";
  $(".refine-bar", ed.el).hidden = true;
  $(".refine-marks", ed.el).replaceChildren();
  ed.el.querySelectorAll(".layer.refining").forEach((l) => l.classList.remove("refining"));
  ed.el.querySelectorAll("[data-act=refine]").forEach((b) => b.setAttribute("aria-pressed", "false"));
}

/** Pointer on the pick overlay: a click is a point, a drag a box (both in frame pixels). */
function wirePicking(el) {
  const overlay = $(".pick-overlay", el);
  const boxEl = $(".pick-box", el);
  let start = null;
  const at = (e) => {
    const r = overlay.getBoundingClientRect();
    const fx = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
    const fy = Math.max(0, Math.min(1, (e.clientY - r.top) / r.height));
    return { fx, fy, px: e.clientX - r.left, py: e.clientY - r.top };
  };
  const W = () => S.project.size.width, H = () => S.project.size.height;
  overlay.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    overlay.setPointerCapture(e.pointerId);
    start = { ...at(e), negative: e.altKey || e.shiftKey };
  });
  overlay.addEventListener("pointermove", (e) => {
    if (!start || ed.picking === "refine") return; // refining takes clicks, not boxes
    const p = at(e);
    if (Math.abs(p.px - start.px) < 5 && Math.abs(p.py - start.py) < 5) return;
    boxEl.hidden = false;
    Object.assign(boxEl.style, { left: `${Math.min(p.fx, start.fx) * 100}%`, top: `${Math.min(p.fy, start.fy) * 100}%`,
      width: `${Math.abs(p.fx - start.fx) * 100}%`, height: `${Math.abs(p.fy - start.fy) * 100}%` });
  });
  overlay.addEventListener("pointerup", (e) => {
    if (!start) return;
    const a = start;
    const b = at(e);
    start = null;
    const dragged = Math.abs(b.px - a.px) >= 5 || Math.abs(b.py - a.py) >= 5;
    const mark = $(".point-mark", el);
    // a point on the last pixel's far edge is outside the frame: keep it inside
    const point = [Math.min(W() - 0.5, a.fx * W()), Math.min(H() - 0.5, a.fy * H())].map((v) => Math.round(v * 10) / 10);
    if (ed.picking === "refine") return addRefineClick(point, a, !a.negative);
    disarmPicking();
    if (dragged) {
      const box = [Math.min(a.fx, b.fx) * W(), Math.min(a.fy, b.fy) * H(), Math.max(a.fx, b.fx) * W(), Math.max(a.fy, b.fy) * H()]
        .map((v) => Math.round(v * 10) / 10);
      boxEl.hidden = false; // the box stays drawn while the job runs
      mark.hidden = true;
      runExtract({ box });
    } else {
      mark.hidden = false;
      mark.style.left = `${a.fx * 100}%`;
      mark.style.top = `${a.fy * 100}%`;
      runExtract({ point });
    }
  });
  overlay.addEventListener("pointercancel", () => { start = null; boxEl.hidden = true; });
}

/**
 * Run a layer tool as a job: POST `body` (plus the newest base_revision) to `url`, follow
 * the job in `bar` and a top-bar chip, reload the project. `busy`: buttons disabled meanwhile.
 * Resolves to the finished job, or null when it failed or was refused (said in a toast).
 */
async function runLayerJob({ label, url, body, bar, busy, staleHint }) {
  const pid = S.pid;
  busy.forEach((b) => { b.disabled = true; });
  setProgress(bar, 0, "Starting…");
  const chip = jobChip(label);
  try {
    await queue; // edits still on their way first: the request is based on the newest revision
    const { job_id } = await api("POST", url, { base_revision: S.revision, ...body });
    const job = await watchJob(job_id, (j) => {
      const p = j.progress || 0;
      setProgress(bar, p, `${Math.round(p * 100)}%${j.message ? " · " + j.message : ""}`);
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    return job;
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    if (e.status === 409) {
      toast(`Changed elsewhere — refreshed. ${staleHint}`, "warn");
      if (S.pid === pid) await loadProject(pid);
    } else toast(e.message, "error");
    return null;
  } finally {
    busy.forEach((b) => { b.disabled = false; });
    chip.done();
  }
}

/** POST …/extract with the prompt on the frame shown, follow the job, reload the project. */
async function runExtract(prompt) {
  const shotId = ed.shotId;
  const el = ed.el;
  const bar = $(".extract-progress", el);
  const layerId = $("select[name=extract-layer]", el).value;
  const engine = $("select[name=extract-engine]", el).value;
  const body = { frame: ed.frameOf(), ...prompt };
  if (layerId) body.layer_id = layerId;
  if (engine) body.engine = engine;
  const job = await runLayerJob({ label: "Extract layer", url: `/api/projects/${S.pid}/shots/${shotId}/extract`, body, bar,
    busy: [$("[data-act=extract-pick]", el)], staleHint: "Pick the object again." });
  if (ed && ed.el === el) $(".pick-box", el).hidden = true;
  if (!job) return;
  const lid = job.result?.layer_id;
  let name = "the object";
  try { name = `“${takeOf(findShot(shotId).shot).layers.find((l) => l.id === lid)?.name || "Cutout"}”`; } catch { /* shot gone */ }
  toast(`Extracted ${name} as a new layer`);
  requestAnimationFrame(() => ed?.el.querySelector(`.layer[data-layer="${lid}"]`)?.classList.add("flash"));
  setTimeout(() => {
    bar.hidden = true;
    if (ed && ed.el === el && !ed.armed) $(".point-mark", el).hidden = true; // the new layer shows the result
  }, 1500);
}

// ------------------------------------------------------------------ layer tools: refine a cutout layer
function buildRefineBar() {
  return h("div", { class: "refine-bar", hidden: true, role: "group", "aria-label": "Refine cutout" },
    h("div", { class: "refine-info" },
      h("div", { class: "refine-head" }, h("strong", { class: "refine-title" }), h("span", { class: "refine-count", "aria-live": "polite" })),
      h("div", { class: "refine-hint" },
        h("span", { class: "key pos", text: "+" }), h("span", { text: "click adds" }),
        h("span", { class: "key neg", text: "−" }), h("span", { text: "Alt- or Shift-click removes" }))),
    h("div", { class: "progress refine-progress", hidden: true }, h("div", { class: "bar" }), h("span", { class: "label" })),
    h("div", { class: "refine-actions" },
      h("button", { type: "button", class: "btn small ghost", "data-act": "refine-undo", title: "Remove the last click (Backspace)",
        html: icon("undo", 14) + " Last click", onclick: () => undoRefineClick() }),
      h("button", { type: "button", class: "btn small", "data-act": "refine-cancel", title: "Stop refining, keep the cutout as it is (Esc)",
        text: "Cancel", onclick: () => disarmPicking() }),
      h("button", { type: "button", class: "btn small primary", "data-act": "refine-apply", title: "Correct the cutout with these clicks (Enter)",
        html: icon("check", 14) + " Apply", onclick: () => runRefine() })));
}

const framesSaid = (frames) => {
  const fs = [...new Set(frames)].sort((a, b) => a - b).map((f) => f + 1); // the timecode counts from 1
  return `frame${fs.length > 1 ? "s" : ""} ${fs.join(", ")}`;
};

/** The refine bar's words and buttons, and the marks of the clicks on the frame shown. */
function renderRefine() {
  const r = ed.refine;
  if (!r) return;
  const el = ed.el;
  const f = ed.frameOf();
  const n = r.clicks.length;
  $(".refine-title", el).textContent = `Refining “${r.name}”`;
  $(".refine-count", el).textContent = n ? `${n} click${n > 1 ? "s" : ""} on ${framesSaid(r.clicks.map((c) => c.frame))}` : "Click on the player";
  $("[data-act=refine-apply]", el).disabled = !n || r.running;
  $("[data-act=refine-undo]", el).disabled = !n || r.running;
  $(".refine-marks", el).replaceChildren(...r.clicks.filter((c) => c.frame === f).map((c) => h("div", {
    class: `refine-mark ${c.positive ? "pos" : "neg"}`, style: `left: ${c.fx * 100}%; top: ${c.fy * 100}%`,
    text: c.positive ? "+" : "−" })));
}

function addRefineClick(point, at, positive) {
  const r = ed.refine;
  if (!r || r.running) return;
  r.clicks.push({ x: point[0], y: point[1], positive, frame: ed.frameOf(), fx: at.fx, fy: at.fy });
  renderRefine();
}

function undoRefineClick() {
  if (!ed?.refine || ed.refine.running) return;
  ed.refine.clicks.pop();
  renderRefine();
}

/** POST …/layers/{id}/refine with the clicks collected, follow the job, reload the project. */
async function runRefine() {
  const r = ed?.refine;
  if (!r || !r.clicks.length || r.running) return;
  const el = ed.el;
  r.running = true;
  $(".pick-overlay", el).hidden = true; // no clicks while the cutout is made again
  renderRefine();
  const n = r.clicks.length;
  const job = await runLayerJob({ label: `Refine ${r.name}`, url: `/api/projects/${S.pid}/shots/${ed.shotId}/layers/${r.layerId}/refine`,
    body: { clicks: r.clicks.map((c) => [c.x, c.y, c.positive, c.frame]) }, bar: $(".refine-progress", el),
    busy: [$("[data-act=refine-cancel]", el)], staleHint: "Apply the clicks again." });
  if (!ed || ed.el !== el || ed.refine !== r) return;
  r.running = false;
  if (!job) {
    // refused or failed: the clicks stay, to take one back and apply again
    $(".pick-overlay", el).hidden = false;
    return renderRefine();
  }
  toast(`Refined “${r.name}” with ${n} click${n > 1 ? "s" : ""}`);
  const emptied = job.result?.emptied || [];
  if (emptied.length) toast(`“${r.name}” is now empty on ${framesSaid(emptied)}`, "warn", { label: "Undo", run: () => undoRedo("undo") });
  requestAnimationFrame(() => ed?.el.querySelector(`.layer[data-layer="${r.layerId}"]`)?.classList.add("flash"));
  disarmPicking();
  $(".refine-progress", el).hidden = true;
}

// ------------------------------------------------------------------ layer tools: replace a scene's background
const bgDlg = $("#bg-dialog");
let bgTab = "color";
let bgScene = null;

function openBackground(sceneId) {
  const scene = S.project.scenes.find((s) => s.id === sceneId);
  if (!scene) return;
  bgScene = sceneId;
  const n = scene.shots.length;
  $("#bg-what").textContent = `Behind ${n === 1 ? "the shot" : `all ${n} shots`} of “${scene.title || "Untitled scene"}”. `
    + "A shot without a foreground layer gets its subject cut out first.";
  // another scene's shots (a shot of this scene cannot be its own background)
  let number = 0;
  const groups = [];
  for (const s of S.project.scenes) {
    const opts = s.shots.map((shot) => {
      number++;
      return h("option", { value: shot.id, text: `Shot ${number}${shot.title ? " · " + shot.title : ""}` });
    });
    if (s.id !== sceneId && opts.length) groups.push(h("optgroup", { label: s.title || "Untitled scene" }, ...opts));
  }
  $("#bg-shot").replaceChildren(...groups);
  $("[data-bgtab=shot]", bgDlg).disabled = !groups.length;
  $("#bg-progress").hidden = true;
  $("#bg-go").disabled = !n;
  bgDlg.showModal();
}

function setBgTab(tab) {
  bgTab = tab;
  bgDlg.querySelectorAll("[data-bgtab]").forEach((t) => t.setAttribute("aria-selected", String(t.dataset.bgtab === tab)));
  bgDlg.querySelectorAll("[data-bgpanel]").forEach((p) => { p.hidden = p.dataset.bgpanel !== tab; });
}
bgDlg.addEventListener("click", (e) => {
  const tab = e.target.closest("[data-bgtab]");
  if (tab && !tab.disabled) setBgTab(tab.dataset.bgtab);
});
$("#bg-color").addEventListener("input", (e) => { $("#bg-color-hex").textContent = e.target.value; });
$("#bg-file").addEventListener("change", (e) => {
  const f = e.target.files[0];
  $("#bg-file-name").textContent = f ? `${f.name} · ${fmtSize(f.size)}` : "Choose a picture or a video (it loops)";
});
$("#bg-harmonize").addEventListener("change", (e) => { $(".bg-strength", bgDlg).hidden = !e.target.checked; });
$("#bg-strength").addEventListener("input", (e) => { $("#bg-strength-out").textContent = `${Math.round(e.target.value * 100)}%`; });

$("#bg-go").addEventListener("click", async () => {
  const pid = S.pid;
  const sceneId = bgScene;
  const bar = $("#bg-progress");
  const go = $("#bg-go");
  const body = { harmonize: $("#bg-harmonize").checked };
  if (body.harmonize) body.strength = Number($("#bg-strength").value);
  if (bgTab === "shot") {
    if (!$("#bg-shot").value) return toast("Choose a shot of another scene", "error");
    body.shot_id = $("#bg-shot").value;
  } else if (bgTab === "media" && !$("#bg-file").files[0]) {
    return toast("Choose a picture or a video first", "error");
  } else if (bgTab === "color") body.color = $("#bg-color").value;
  go.disabled = true;
  const chip = jobChip("Background");
  try {
    if (bgTab === "media") {
      const file = $("#bg-file").files[0];
      const form = new FormData();
      form.append("file", file);
      setProgress(bar, 0, "Uploading…");
      const asset = await upload("/api/assets", form, (p) => setProgress(bar, p * 0.2, `Uploading ${Math.round(p * 100)}%`));
      body.asset = { sha256: asset.sha256, name: asset.name };
    }
    await queue;
    const { job_id } = await api("POST", `/api/projects/${pid}/scenes/${sceneId}/background`, { base_revision: S.revision, ...body });
    const off = bgTab === "media" ? 0.2 : 0;
    setProgress(bar, off, "Starting…");
    const job = await watchJob(job_id, (j) => {
      const p = off + (1 - off) * (j.progress || 0);
      setProgress(bar, p, `${Math.round(p * 100)}%${j.message ? " · " + j.message : ""}`);
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    const r = job.result || {};
    const cut = (r.extracted || []).length;
    toast(`New background behind ${r.shots ?? "the"} shot${r.shots === 1 ? "" : "s"}${cut ? ` (${cut} subject${cut > 1 ? "s" : ""} cut out)` : ""}`);
    if (bgDlg.open) bgDlg.close();
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    if (e.status === 409) {
      toast("Changed elsewhere — refreshed. Press Replace again to use the fresh version.", "warn");
      if (S.pid === pid) await loadProject(pid);
    } else toast(e.message, "error");
  } finally {
    go.disabled = false;
    chip.done();
  }
});

// ------------------------------------------------------------------ cast
const castDlg = $("#cast-dialog");

/** Character name/id -> the shots that name it (listed, or speaking a line), in film order. */
function appearances(project) {
  const out = new Map(project.cast.map((c) => [c.id, []]));
  let number = 0;
  for (const scene of project.scenes) {
    for (const shot of scene.shots) {
      number++;
      for (const c of project.cast) {
        const named = shot.characters.includes(c.name) || shot.characters.includes(c.id)
          || shot.dialogue.some((l) => l.character === c.name);
        if (named) out.get(c.id).push({ shot, number });
      }
    }
  }
  return out;
}

function renderCast() {
  if (!castDlg.open || !S.project) return;
  const ul = $("#cast-list");
  const seen = appearances(S.project);
  const base = `/api/projects/${S.pid}/characters`;
  ul.replaceChildren(...S.project.cast.map((c) => {
    const shots = seen.get(c.id) || [];
    return h("li", { class: "cast-row", "data-character": c.id },
      h("div", { class: "cast-main" },
        h("strong", { class: "cast-name", text: c.name }),
        c.description ? h("span", { class: "cast-desc", text: c.description }) : null,
        h("div", { class: "cast-shots" }, ...(shots.length
          ? shots.map(({ shot, number }) => h("a", { class: "chip", href: `#/p/${S.pid}/shot/${shot.id}`, title: shot.title || "",
            text: `Shot ${number}${shot.title ? " · " + shot.title : ""}`, onclick: () => castDlg.close() }))
          : [h("span", { class: "cast-none", text: "in no shot yet" })]))),
      h("button", { type: "button", class: "icon-btn small", title: "Rename", "aria-label": `Rename ${c.name}`, html: icon("edit", 14),
        onclick: async () => {
          const name = await ask({ title: "Rename character", text: "Shots that name them follow.", value: c.name, ok: "Rename" });
          if (name && name !== c.name) edit("PATCH", `${base}/${c.id}`, { name });
        } }),
      h("button", { type: "button", class: "icon-btn small", title: "Delete", "aria-label": `Delete ${c.name}`, html: icon("trash", 14),
        onclick: async () => {
          const yes = await ask({ title: `Delete “${c.name}”?`, text: `They leave the cast${shots.length ? ` and ${shots.length} shot(s)` : ""}. Undo brings them back.`, ok: "Delete", danger: true });
          if (yes) edit("DELETE", `${base}/${c.id}`);
        } }));
  }));
  if (!S.project.cast.length) ul.append(h("li", { class: "empty", text: "No characters yet: add one below, or import a script." }));
}

$("#cast-btn").addEventListener("click", () => {
  if (!S.project) return;
  castDlg.showModal();
  renderCast();
});
async function addCharacter() {
  const input = $("#cast-name");
  const name = input.value.trim();
  if (!name) return input.focus();
  const res = await edit("POST", `/api/projects/${S.pid}/characters`, { name });
  if (res) {
    input.value = "";
    renderCast();
  }
}
$("#cast-add").addEventListener("click", addCharacter);
$("#cast-name").addEventListener("keydown", (e) => {
  if (e.key === "Enter") { e.preventDefault(); addCharacter(); }
});

// ------------------------------------------------------------------ history
const historyPop = $("#history-pop");
const ago = (iso) => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleString();
};
$("#history-btn").addEventListener("click", async () => {
  if (!S.pid) return;
  if (historyPop.matches(":popover-open")) return historyPop.hidePopover();
  const r = $("#history-btn").getBoundingClientRect();
  historyPop.style.top = `${r.bottom + 6}px`;
  historyPop.style.left = `${Math.max(8, r.left - 180)}px`;
  const list = $("#history-list");
  list.replaceChildren(h("li", { class: "empty", text: "Loading…" }));
  historyPop.showPopover();
  try {
    const revs = await api("GET", `/api/projects/${S.pid}/history`, undefined, { limit: 50 });
    list.replaceChildren(...revs.map((r) => h("li", { class: `rev-row${r.current ? " current" : ""}`, "data-rev": String(r.number) },
      h("span", { class: "rev-num", text: `#${r.number}` }),
      h("span", { class: "rev-summary", text: r.summary || "(no summary)", title: r.summary }),
      h("time", { class: "rev-time", datetime: r.timestamp, title: new Date(r.timestamp).toLocaleString(), text: ago(r.timestamp) }))));
    if (!revs.length) list.replaceChildren(h("li", { class: "empty", text: "No revisions yet." }));
  } catch (e) {
    list.replaceChildren(h("li", { class: "empty", text: e.message }));
  }
});

// ------------------------------------------------------------------ jobs in the top bar
function jobChip(label) {
  const chip = h("div", { class: "job-chip" }, h("span", { class: "job-label", text: label }),
    h("div", { class: "progress slim" }, h("div", { class: "bar" })));
  $("#jobs").append(chip);
  return {
    set(p, msg) {
      $(".bar", chip).style.width = `${Math.round(p * 100)}%`;
      $(".job-label", chip).textContent = `${label} ${Math.round(p * 100)}%${msg ? " · " + msg : ""}`;
    },
    done() { setTimeout(() => chip.remove(), 1200); },
  };
}

function setProgress(el, p, text) {
  el.hidden = false;
  const pct = Math.round(Math.max(0, Math.min(1, p)) * 100);
  $(".bar", el).style.width = `${pct}%`;
  $(".label", el).textContent = text ?? `${pct}%`;
  el.dataset.progress = String(pct);
}

// ------------------------------------------------------------------ import
const importDlg = $("#import-dialog");
let importTab = "video";
$("#import-btn").addEventListener("click", () => {
  const sel = $("#import-scene");
  sel.replaceChildren(h("option", { value: "", text: "new scenes, grouped by look" }),
    ...S.project.scenes.map((s) => h("option", { value: s.id, text: `into “${s.title}”` })));
  $("#import-progress").hidden = true;
  $("#import-go").disabled = false;
  importDlg.showModal();
});
importDlg.addEventListener("click", (e) => {
  const tab = e.target.closest("[data-tab]");
  if (!tab) return;
  importTab = tab.dataset.tab;
  importDlg.querySelectorAll("[data-tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
  importDlg.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== importTab; });
});
function showChosenFile() {
  const f = $("#video-file").files[0];
  $("#video-file-name").textContent = f ? `${f.name} · ${fmtSize(f.size)}` : "Choose a video or drop it here";
}
$("#video-file").addEventListener("change", showChosenFile);
const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
$("#video-drop").addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
$("#video-drop").addEventListener("drop", (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  $("#video-file").files = e.dataTransfer.files;
  showChosenFile();
});
// a video dropped anywhere on the storyboard opens the import dialog with it
$("#view").addEventListener("dragover", (e) => { if (!S.drag && S.project && hasFiles(e)) e.preventDefault(); });
$("#view").addEventListener("drop", (e) => {
  if (S.drag || !S.project || !hasFiles(e)) return;
  e.preventDefault();
  $("#import-btn").click();
  $("#video-file").files = e.dataTransfer.files;
  showChosenFile();
});
$("#script-file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (f) $("#script-text").value = await f.text();
});

$("#import-go").addEventListener("click", async () => {
  const pid = S.pid;
  const bar = $("#import-progress");
  const go = $("#import-go");
  if (importTab === "script") {
    const text = $("#script-text").value.trim();
    if (!text) return toast("Paste a script or open a file first", "error");
    go.disabled = true;
    const name = $("#script-file").files[0]?.name;
    const res = await edit("POST", `/api/projects/${pid}/script`, { text, filename: name || null });
    go.disabled = false;
    if (res) {
      importDlg.close();
      toast("Storyboard made from the script");
      // imported: the next Import starts empty, so the same script is not added twice by accident
      $("#script-text").value = "";
      $("#script-file").value = "";
    }
    return;
  }
  const file = $("#video-file").files[0];
  if (!file) return toast("Choose a video first", "error");
  go.disabled = true;
  const form = new FormData();
  form.append("file", file);
  form.append("split", $("#import-split").checked ? "true" : "false");
  if ($("#import-scene").value) form.append("scene_id", $("#import-scene").value);
  const chip = jobChip(`Import ${file.name}`);
  try {
    setProgress(bar, 0, "Uploading…");
    const { job_id } = await upload(`/api/projects/${pid}/import`, form, (p) => setProgress(bar, p * 0.3, `Uploading ${Math.round(p * 100)}%`));
    const job = await watchJob(job_id, (j) => {
      const p = 0.3 + 0.7 * (j.progress || 0);
      // the job's own words ("decoding", "shot 3 of 10"), as a sentence, after the percentage like the render's
      const said = j.message ? j.message[0].toUpperCase() + j.message.slice(1) : "Splitting into shots…";
      setProgress(bar, j.status === "done" ? 1 : p, `${Math.round(p * 100)}% · ${said}`);
      chip.set(p, "");
    });
    setProgress(bar, 1, "Done");
    chip.set(1, "");
    if (S.pid === pid) await loadProject(pid);
    loadProjects();
    importDlg.close();
    $("#video-file").value = ""; // the next Import starts with no file chosen
    showChosenFile();
    const ids = job.result?.shots || [];
    toast(`Imported ${file.name}${ids.length ? ` — ${ids.length} shot${ids.length > 1 ? "s" : ""}` : ""}`);
    // show where the new shots went
    requestAnimationFrame(() => {
      const els = ids.map((id) => boardEl?.querySelector(`[data-shot="${id}"]`)).filter(Boolean);
      els.forEach((el) => el.classList.add("flash"));
      els[0]?.scrollIntoView({ block: "center", behavior: "smooth" });
    });
  } catch (e) {
    setProgress(bar, 0, `Failed: ${e.message}`);
    toast(`Import failed: ${e.message}`, "error");
  } finally {
    go.disabled = false;
    chip.done();
  }
});

// ------------------------------------------------------------------ render
const renderDlg = $("#render-dialog");
let renderJob = null;
$("#render-btn").addEventListener("click", async () => {
  const pid = S.pid;
  const bar = $("#render-progress");
  const video = $("#render-video");
  const dl = $("#render-download");
  video.hidden = true;
  video.removeAttribute("src");
  dl.hidden = true;
  $("#render-cancel").hidden = false;
  setProgress(bar, 0, "Starting…");
  renderDlg.showModal();
  const chip = jobChip("Render");
  try {
    await queue;
    const { job_id } = await api("POST", `/api/projects/${pid}/render`, { format: "mp4" });
    renderJob = job_id;
    const job = await watchJob(job_id, (j) => {
      setProgress(bar, j.progress || 0, `${Math.round((j.progress || 0) * 100)}%${j.message ? " · " + j.message : ""}`);
      chip.set(j.progress || 0, "");
    });
    const r = job.result || {};
    const what = r.duration ? ` · ${fmtDur(r.duration)} of film${r.frames ? `, ${r.frames} frames` : ""}` : "";
    setProgress(bar, 1, `Done in ${r.seconds?.toFixed?.(1) ?? "?"} s${what}`);
    chip.set(1, "");
    const url = withToken(job.result.url);
    video.src = url;
    video.hidden = false;
    dl.href = withToken(`${job.result.url}?download=1`); // the server names the file after the project
    dl.setAttribute("download", `${(S.project?.title || "film").replace(/[^\w.-]+/g, "_")}.mp4`);
    dl.hidden = false;
    $("#render-cancel").hidden = true;
  } catch (e) {
    setProgress(bar, 0, `Render failed: ${e.message}`);
    if (!/cancel/i.test(e.message)) toast(`Render failed: ${e.message}`, "error");
  } finally {
    renderJob = null;
    chip.done();
  }
});
$("#render-cancel").addEventListener("click", async () => {
  if (renderJob) await api("POST", `/api/jobs/${renderJob}/cancel`).catch((e) => toast(e.message, "error"));
});
renderDlg.addEventListener("close", () => $("#render-video").pause());

// ------------------------------------------------------------------ start
paintIcons();
loadProjects().then(() => {
  // a library with one project (the demo, a fresh `storyloom serve DIR`): open it straight away
  if (!location.hash && S.projects.length === 1) location.replace(`#/p/${S.projects[0].id}`);
  route();
});

// The storyboard: scenes of shot cards, built from the project and kept (unchanged cards are
// reused, not rebuilt); its buttons and keys (insert, duplicate, delete, collapse, rename,
// move with Alt+arrows). Dragging is board-drag.js.
import { assetUrl } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { allShots, editCount, filmDuration, findShot, takeOf } from "../core/doc.js";
import { edit, undoRedo } from "../core/edits.js";
import { fmtDur } from "../core/format.js";
import { icon } from "../core/icons.js";
import { ask, toast } from "../core/notify.js";
import { openDialog } from "../core/registry.js";
import { S } from "../core/store.js";
import { wireDrag } from "./board-drag.js";

const find = (id) => findShot(S.project, id);
const cards = new Map();   // shot id -> {sig, el}: unchanged cards are reused, not rebuilt
const sceneEls = new Map(); // scene id -> element
let boardEl = null;

function resetCache() {
  cards.clear();
  sceneEls.clear();
  boardEl = null;
}

function shotSig(shot) {
  const take = takeOf(shot);
  const ops = editCount(take);
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
  const ops = editCount(take);
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
  const nShots = allShots(p).length;
  const dur = filmDuration(p);
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
  const { scene: src, index: from } = find(shotId);
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
  const { shot, number } = find(shotId);
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
    if (act === "background") return openDialog("background", sceneId);
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
    const { scene, index } = find(id);
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

wireDrag({ board: () => boardEl, find, moveShot, moveScene });

/** Show where new shots went (after an import): flash their cards, scroll to the first. flashShots(job.result.shots) */
export function flashShots(ids) {
  requestAnimationFrame(() => {
    const els = ids.map((id) => boardEl?.querySelector(`[data-shot="${id}"]`)).filter(Boolean);
    els.forEach((el) => el.classList.add("flash"));
    els[0]?.scrollIntoView({ block: "center", behavior: "smooth" });
  });
}

/** The storyboard view (#/p/ID). */
export const boardView = {
  name: "board",
  render: renderBoard,
  leave() { boardEl = null; },
  reset: resetCache,
};

// Dragging on the storyboard (HTML5 drag and drop): shots onto cards, scene bodies, slots or
// collapsed scenes; scenes by their header onto other scenes. The moves themselves are the board's.
import { $ } from "../core/dom.js";
import { S } from "../core/store.js";

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
function shotDropTarget(e, find) {
  const card = e.target.closest(".card");
  if (card) {
    const r = card.getBoundingClientRect();
    const after = e.clientX > r.left + r.width / 2;
    const { scene, index } = find(card.dataset.shot);
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

/**
 * Listen for drags on the storyboard: wireDrag({ board: () => boardEl, find, moveShot, moveScene }).
 * `board()` is the board element shown (or null), `find(shotId)` → {scene, index}.
 */
export function wireDrag({ board, find, moveShot, moveScene }) {
  $("#view").addEventListener("dragstart", (e) => {
    const boardEl = board();
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
    const boardEl = board();
    if (!S.drag || !boardEl?.contains(e.target)) return;
    if (S.drag.kind === "shot") {
      if (shotDropTarget(e, find)) { e.preventDefault(); e.dataTransfer.dropEffect = "move"; }
    } else {
      const sceneEl = e.target.closest(".scene");
      if (!sceneEl) return;
      const r = sceneEl.getBoundingClientRect();
      markDrop(sceneEl, e.clientY > r.top + Math.min(r.height / 2, 60) ? "drop-after" : "drop-before");
      e.preventDefault();
    }
  });

  $("#view").addEventListener("drop", (e) => {
    const boardEl = board();
    if (!S.drag || !boardEl?.contains(e.target)) return;
    e.preventDefault();
    const drag = S.drag;
    if (drag.kind === "shot") {
      const t = shotDropTarget(e, find);
      clearDrop();
      if (!t) return;
      const { scene, index: from } = find(drag.id);
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
    const boardEl = board();
    S.drag = null;
    clearDrop();
    boardEl?.classList.remove("is-dragging");
    boardEl?.querySelectorAll(".dragging").forEach((el) => el.classList.remove("dragging"));
  });
}

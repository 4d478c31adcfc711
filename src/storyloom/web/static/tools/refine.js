// Player tool "refine" and its bar under the picture: correct a cutout layer with clicks on
// the player — a click adds a missed part (+), Alt- or Shift-click removes a wrong one (−),
// on any frame; Apply sends them all as one job. Offered on every cutout layer's row.
import { $, h } from "../core/dom.js";
import { isCutout, takeOf } from "../core/doc.js";
import { runEditJob, undoRedo } from "../core/edits.js";
import { framesSaid } from "../core/format.js";
import { icon } from "../core/icons.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";

/** The refine session of the open editor, or null when refine is not armed. */
const current = (ed) => (ed.player.tool?.name === "refine" ? ed.player.session : null);

const refineBar = {
  name: "refine",
  column: "player",
  build(ed) {
    return h("div", { class: "refine-bar", hidden: true, role: "group", "aria-label": "Refine cutout" },
      h("div", { class: "refine-info" },
        h("div", { class: "refine-head" }, h("strong", { class: "refine-title" }), h("span", { class: "refine-count", "aria-live": "polite" })),
        h("div", { class: "refine-hint" },
          h("span", { class: "key pos", text: "+" }), h("span", { text: "click adds" }),
          h("span", { class: "key neg", text: "−" }), h("span", { text: "Alt- or Shift-click removes" }))),
      h("div", { class: "progress refine-progress", hidden: true }, h("div", { class: "bar" }), h("span", { class: "label" })),
      h("div", { class: "refine-actions" },
        h("button", { type: "button", class: "btn small ghost", "data-act": "refine-undo", title: "Remove the last click (Backspace)",
          html: icon("undo", 14) + " Last click", onclick: () => undoClick(ed) }),
        h("button", { type: "button", class: "btn small", "data-act": "refine-cancel", title: "Stop refining, keep the cutout as it is (Esc)",
          text: "Cancel", onclick: () => ed.player.disarm() }),
        h("button", { type: "button", class: "btn small primary", "data-act": "refine-apply", title: "Correct the cutout with these clicks (Enter)",
          html: icon("check", 14) + " Apply", onclick: () => runRefine(ed) })));
  },
};

/** The refine bar's words and buttons, and the marks of the clicks on the frame shown. */
function renderRefine(ed, r) {
  const el = ed.el;
  const f = ed.player.frame();
  const n = r.clicks.length;
  $(".refine-title", el).textContent = `Refining “${r.name}”`;
  $(".refine-count", el).textContent = n ? `${n} click${n > 1 ? "s" : ""} on ${framesSaid(r.clicks.map((c) => c.frame))}` : "Click on the player";
  $("[data-act=refine-apply]", el).disabled = !n || r.running;
  $("[data-act=refine-undo]", el).disabled = !n || r.running;
  ed.player.setMarks(r.clicks.filter((c) => c.frame === f).map((c) => h("div", {
    class: `refine-mark ${c.positive ? "pos" : "neg"}`, style: `left: ${c.fx * 100}%; top: ${c.fy * 100}%`,
    text: c.positive ? "+" : "−" })));
}

function undoClick(ed) {
  const r = current(ed);
  if (!r || r.running) return;
  r.clicks.pop();
  renderRefine(ed, r);
}

/** POST …/layers/{id}/refine with the clicks collected, follow the job, reload the project. */
async function runRefine(ed) {
  const r = current(ed);
  if (!r || !r.clicks.length || r.running) return;
  const el = ed.el;
  r.running = true;
  ed.player.showOverlay(false); // no clicks while the cutout is made again
  renderRefine(ed, r);
  const n = r.clicks.length;
  const job = await runEditJob({ label: `Refine ${r.name}`, url: `/api/projects/${S.pid}/shots/${ed.shotId}/layers/${r.layerId}/refine`,
    body: { clicks: r.clicks.map((c) => [c.x, c.y, c.positive, c.frame]) }, bar: $(".refine-progress", el),
    busy: [$("[data-act=refine-cancel]", el)], staleHint: "Apply the clicks again." });
  if (!ed.alive || current(ed) !== r) return;
  r.running = false;
  if (!job) {
    // refused or failed: the clicks stay, to take one back and apply again
    ed.player.showOverlay(true);
    return renderRefine(ed, r);
  }
  toast(`Refined “${r.name}” with ${n} click${n > 1 ? "s" : ""}`);
  const emptied = job.result?.emptied || [];
  if (emptied.length) toast(`“${r.name}” is now empty on ${framesSaid(emptied)}`, "warn", { label: "Undo", run: () => undoRedo("undo") });
  requestAnimationFrame(() => ed.alive && ed.el.querySelector(`.layer[data-layer="${r.layerId}"]`)?.classList.add("flash"));
  ed.player.disarm();
  $(".refine-progress", el).hidden = true;
}

export const refineTool = {
  name: "refine",
  hint: "Click adds to the cutout, Alt- or Shift-click removes (Esc cancels)",
  keep: true,                     // clicks are collected until Apply
  panel: refineBar,
  layerButton: (layer) => (isCutout(layer) ? {
    label: "Refine", icon: "target", aria: `Refine cutout ${layer.name || "layer"}`,
    title: "Correct the cutout on the player: click adds a missed part (+), Alt- or Shift-click removes a wrong one (−)",
  } : null),
  arm(ed, layer) {
    const r = { layerId: layer.id, name: layer.name || "layer", clicks: [], running: false };
    $(".refine-bar", ed.el).hidden = false;
    $(".refine-progress", ed.el).hidden = true;
    renderRefine(ed, r);
    return r;
  },
  disarm(ed) {
    $(".refine-bar", ed.el).hidden = true;
  },
  click(ed, r, { x, y, fx, fy, negative }) {
    if (r.running) return;
    r.clicks.push({ x, y, positive: !negative, frame: ed.player.frame(), fx, fy });
    renderRefine(ed, r);
  },
  frame: (ed, r) => renderRefine(ed, r),
  busy: (r) => r.running,
  key(ed, r, e) {
    if (!r.running && (e.key === "Backspace" || e.key === "Delete")) { undoClick(ed); return true; }
    if (e.key === "Enter" && !e.target.closest("button,a")) { runRefine(ed); return true; }
    return false;
  },
  /** The layer being refined is gone (deleted, undone) or no cutout any more: its clicks have nothing to correct. */
  shotChanged(ed, r, shot) {
    if (!takeOf(shot).layers.some((l) => l.id === r.layerId && isCutout(l))) ed.player.disarm();
  },
};

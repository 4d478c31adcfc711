// Player tool "extract" and its panel: cut an object out of the picture as a new layer, above
// the one it comes from — a click on the object or a box dragged around it, on the frame shown.
import { api } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { findShot, layerChoice, pictureLayers, takeOf } from "../core/doc.js";
import { runEditJob } from "../core/edits.js";
import { icon } from "../core/icons.js";
import { toast } from "../core/notify.js";
import { S } from "../core/store.js";

let enginesP = null;
/** The segment engines (GET /api/engines, fetched once), best first: the choices for cutting out. */
function segmentEngines() {
  if (!enginesP) {
    enginesP = api("GET", "/api/engines")
      .then((list) => list.filter((e) => e.capability === "segment").sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)))
      .catch(() => []);
  }
  return enginesP;
}

const PICK = () => icon("target", 14) + " Pick on player";

const extractPanel = {
  name: "extract",
  column: "right",
  build(ed) {
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
        h("button", { type: "button", class: "btn primary small", "data-act": "extract-pick", html: PICK(),
          onclick: () => (ed.player.tool?.name === "extract" ? ed.player.disarm() : ed.player.arm("extract")) })),
      h("div", { class: "progress extract-progress", hidden: true }, h("div", { class: "bar" }), h("span", { class: "label" })));
  },
  /** Refresh the "From" choices: the shot's picture layers, top first ("" = the server's default). */
  update(ed, shot) {
    const sel = $("select[name=extract-layer]", ed.el);
    const pics = pictureLayers(takeOf(shot));
    const sig = JSON.stringify(pics.map((l) => [l.id, l.name]));
    if (sel.dataset.sig === sig) return;
    const keep = sel.value;
    sel.dataset.sig = sig;
    sel.replaceChildren(h("option", { value: "", text: "bottom picture layer" }), ...pics.map((l) => h("option", { value: l.id, text: layerChoice(l) })));
    if (pics.some((l) => l.id === keep)) sel.value = keep;
    $("[data-act=extract-pick]", ed.el).disabled = !pics.length;
    $("[data-act=extract-pick]", ed.el).title = pics.length ? "" : "This shot has no picture layer to cut from";
  },
};

/** POST …/extract with the prompt on the frame shown, follow the job, reload the project. */
async function runExtract(ed, prompt) {
  const shotId = ed.shotId;
  const el = ed.el;
  const bar = $(".extract-progress", el);
  const layerId = $("select[name=extract-layer]", el).value;
  const engine = $("select[name=extract-engine]", el).value;
  const body = { frame: ed.player.frame(), ...prompt };
  if (layerId) body.layer_id = layerId;
  if (engine) body.engine = engine;
  const job = await runEditJob({ label: "Extract layer", url: `/api/projects/${S.pid}/shots/${shotId}/extract`, body, bar,
    busy: [$("[data-act=extract-pick]", el)], staleHint: "Pick the object again." });
  if (ed.alive) ed.player.showBox(false);
  if (!job) return;
  const lid = job.result?.layer_id;
  let name = "the object";
  try { name = `“${takeOf(findShot(S.project, shotId).shot).layers.find((l) => l.id === lid)?.name || "Cutout"}”`; } catch { /* shot gone */ }
  toast(`Extracted ${name} as a new layer`);
  requestAnimationFrame(() => ed.alive && ed.el.querySelector(`.layer[data-layer="${lid}"]`)?.classList.add("flash"));
  setTimeout(() => {
    bar.hidden = true;
    if (ed.alive && !ed.player.tool) ed.player.mark(null); // the new layer shows the result
  }, 1500);
}

export const extractTool = {
  name: "extract",
  hint: "Click the object, or drag a box around it (Esc cancels)",
  boxes: true,
  panel: extractPanel,
  arm(ed) {
    $("[data-act=extract-pick]", ed.el).innerHTML = icon("x", 14) + " Cancel picking";
    toast("Click the object on the player, or drag a box around it");
    return {};
  },
  disarm(ed) {
    $("[data-act=extract-pick]", ed.el).innerHTML = PICK();
  },
  click(ed, session, { x, y, fx, fy }) {
    ed.player.mark(fx, fy);
    runExtract(ed, { point: [x, y] });
  },
  box(ed, session, { box }) {
    ed.player.showBox(true); // the box stays drawn while the job runs
    ed.player.mark(null);
    runExtract(ed, { box });
  },
};

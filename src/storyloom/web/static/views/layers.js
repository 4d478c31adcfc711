// The shot editor's layers panel: the take's layers top first (show/hide, opacity, order,
// delete), a button per player tool that works on a layer (Refine on a cutout), and
// "+ Media / Colour / Title" to add one.
import { upload } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { takeOf } from "../core/doc.js";
import { edit } from "../core/edits.js";
import { icon } from "../core/icons.js";
import { jobChip } from "../core/jobs.js";
import { ask, toast } from "../core/notify.js";
import { allTools } from "../core/registry.js";
import { S } from "../core/store.js";

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

/** The buttons of the player tools that offer themselves on this layer (registry: layerButton). */
function toolButtons(ed, layer) {
  return allTools().map((tool) => {
    const spec = tool.layerButton?.(layer);
    if (!spec) return null;
    const armed = ed.player.armedOn(tool.name, layer.id);
    return h("button", { type: "button", class: "btn small layer-tool-btn", "data-act": tool.name, "aria-pressed": String(armed),
      "aria-label": spec.aria || `${spec.label} ${layer.name || "layer"}`, html: icon(spec.icon || "target", 13) + ` ${spec.label}`, title: spec.title,
      onclick: () => (ed.player.armedOn(tool.name, layer.id) ? ed.player.disarm() : ed.player.arm(tool.name, layer)) });
  });
}

function layerRow(ed, layer, i, n, base) {
  const animated = layer.transform?.opacity?.keys?.length > 1;
  // keyframed opacity: the slider shows its highest key; moving it makes it constant
  const op = animated ? Math.max(...layer.transform.opacity.keys.map((k) => k.v)) : opacityOf(layer);
  const slider = h("input", { type: "range", min: "0", max: "1", step: "0.01", value: String(op), class: "opacity",
    "aria-label": `Opacity of ${layer.name || "layer"}`, title: animated ? "Opacity is keyframed; moving this sets it constant" : "Opacity" });
  const pct = h("span", { class: "pct", text: animated ? "keyed" : `${Math.round(op * 100)}%`, title: animated ? "keyframed opacity" : null });
  slider.addEventListener("input", () => { pct.textContent = `${Math.round(slider.value * 100)}%`; });
  slider.addEventListener("change", () => edit("PATCH", `${base}/${layer.id}`, { opacity: Number(slider.value) }));
  const armed = ed.player.arg?.id === layer.id;
  return h("li", { class: `layer${layer.visible ? "" : " hidden-layer"}${armed ? " tool-armed" : ""}`, "data-layer": layer.id },
    h("button", { class: "icon-btn small", "aria-pressed": String(layer.visible), "aria-label": `${layer.visible ? "Hide" : "Show"} ${layer.name || "layer"}`,
      title: layer.visible ? "Hide" : "Show", html: icon(layer.visible ? "eye" : "eyeoff", 15),
      onclick: () => edit("PATCH", `${base}/${layer.id}`, { visible: !layer.visible }) }),
    h("div", { class: "layer-main" },
      h("div", { class: "layer-name" }, h("strong", { text: layer.name || "layer" }), h("span", { class: "role", text: layer.role }),
        layer.operations.length ? h("span", { class: "badge edits", text: `${layer.operations.length} edit${layer.operations.length > 1 ? "s" : ""}` }) : null),
      h("div", { class: "layer-sub", text: layerKind(layer) }),
      h("div", { class: "layer-opacity" }, slider, pct, ...toolButtons(ed, layer))),
    h("div", { class: "layer-actions" },
      h("button", { class: "icon-btn small", disabled: i === n - 1, "aria-label": "Move layer up", title: "Up (towards the front)", html: icon("up", 14),
        onclick: () => edit("POST", `${base}/${layer.id}/move`, { index: i + 1 }) }),
      h("button", { class: "icon-btn small", disabled: i === 0, "aria-label": "Move layer down", title: "Down (towards the back)", html: icon("down", 14),
        onclick: () => edit("POST", `${base}/${layer.id}/move`, { index: i - 1 }) }),
      h("button", { class: "icon-btn small", "aria-label": `Delete layer ${layer.name}`, title: "Delete layer", html: icon("trash", 14),
        onclick: () => edit("DELETE", `${base}/${layer.id}`) })));
}

/** "+ Media", "+ Colour", "+ Title": a new layer on top. */
function addRow(shot, base, n) {
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
  return h("li", { class: "layer-add" }, media,
    h("button", { class: "btn small", html: icon("plus", 14) + " Media", title: "A video or picture as a new layer", onclick: () => media.click() }),
    h("button", { class: "btn small", html: icon("plus", 14) + " Colour", onclick: () => edit("POST", base, { name: "colour", role: "background", source: { kind: "color", color: "#20243a" } }) }),
    h("button", { class: "btn small", html: icon("plus", 14) + " Title", onclick: async () => {
      const text = await ask({ title: "Title layer", value: shot.title || "Title", ok: "Add" });
      if (text) edit("POST", base, { name: "title", role: "title", source: { kind: "text", text } });
    } }));
}

export const layersPanel = {
  name: "layers",
  column: "right",
  build: () => h("section", { class: "panel layers-panel" }, h("h3", { html: icon("layers", 16) + " Layers" }), h("ul", { class: "layer-list" })),
  update(ed, shot) {
    const take = takeOf(shot);
    const ul = $(".layer-list", ed.el);
    const base = `/api/projects/${S.pid}/shots/${shot.id}/layers`;
    const n = take.layers.length;
    // top of the stack first, as in every editor
    ul.replaceChildren(...take.layers.map((layer, i) => ({ layer, i })).reverse().map(({ layer, i }) => layerRow(ed, layer, i, n, base)));
    if (!n) ul.append(h("li", { class: "empty", text: "No layers: this shot is blank. Add a colour or a title to start." }));
    ul.append(addRow(shot, base, n));
  },
  /** The armed tool changed: its layer's row is marked, its button pressed. */
  armed(ed) {
    for (const row of ed.el.querySelectorAll(".layer[data-layer]")) {
      row.classList.toggle("tool-armed", ed.player.arg?.id === row.dataset.layer);
      for (const b of row.querySelectorAll(".layer-tool-btn")) b.setAttribute("aria-pressed", String(ed.player.armedOn(b.dataset.act, row.dataset.layer)));
    }
  },
};

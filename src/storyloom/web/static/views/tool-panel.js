// The shot editor's operations: "Edits on this shot" (the operations on the take and its
// layers, each removable) and "Tools", one form per operation built from its JSON schema
// (GET /api/operations, form.js). A form whose operation has a field a player tool fills
// (registry: field, e.g. a Cutout's clicks) gets that tool's button.
import { api } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { layerChoice, takeOf } from "../core/doc.js";
import { edit } from "../core/edits.js";
import { buildForm } from "../core/form.js";
import { opLabel } from "../core/format.js";
import { icon } from "../core/icons.js";
import { toast } from "../core/notify.js";
import { allTools } from "../core/registry.js";
import { S } from "../core/store.js";

/** The operations the server offers (fetched once): await operations(). */
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

export const editsPanel = {
  name: "edits",
  column: "right",
  build: () => h("section", { class: "panel ops-panel" }, h("h3", { html: icon("wand", 16) + " Edits on this shot" }), h("ul", { class: "op-list" })),
  update(ed, shot) {
    const take = takeOf(shot);
    const ul = $(".op-list", ed.el);
    const base = `/api/projects/${S.pid}/shots/${shot.id}/operations`;
    const row = (op, target, remove) => h("li", { class: "op" },
      h("span", { class: "op-label", text: opLabel(op) }), h("span", { class: "op-target", text: target }),
      h("button", { class: "icon-btn small", "aria-label": `Remove ${opLabel(op)}`, title: "Remove", html: icon("x", 14), onclick: remove }));
    const rows = take.operations.map((op, i) => row(op, "shot", () => edit("DELETE", `${base}/${i}`)));
    for (const layer of take.layers) {
      layer.operations.forEach((op, i) => rows.push(row(op, `layer ${layer.name}`, () => edit("DELETE", `${base}/${i}`, {}, { layer_id: layer.id }))));
    }
    ul.replaceChildren(...rows);
    if (!rows.length) ul.append(h("li", { class: "empty", text: "No edits yet: pick a tool below." }));
  },
};

/** One operation's tool: its description, its form (a layer choice first for layer edits), Apply. */
function toolEntry(ed, shot, op, open) {
  const take = takeOf(shot);
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
      ...[...pics, ...rest].map((l) => h("option", { value: l.id, text: layerChoice(l) })));
    form.prepend(h("div", { class: "form-row" }, h("label", { text: "Layer" }), layerSel));
  }
  const fields = op.schema?.properties || {};
  for (const tool of allTools()) {
    if (!tool.field || !(tool.field in fields) || !op.available) continue;
    form.append(h("button", { type: "button", class: "btn small", html: icon("target", 14) + ` ${tool.offer}`,
      onclick: () => ed.player.arm(tool.name, { form: f, layerSel, op: op.name }) }));
  }
  const apply = h("button", { type: "submit", class: "btn primary small", disabled: !op.available, text: "Apply" });
  form.append(h("div", { class: "tool-actions" }, apply));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = f.read();
    const missing = f.missing();
    if (missing.length) return toast(`${op.label}: fill in ${missing.join(", ")}`, "error");
    // a bare type name: the server tags it with the current version
    const req = { operation: { schema: op.name, ...fields } };
    if (layerSel) req.layer_id = layerSel.value;
    const res = await edit("POST", `/api/projects/${S.pid}/shots/${shot.id}/operations`, req);
    if (res) toast(`${op.label} added`);
  });
  body.append(form);
  const unavailable = !op.available ? h("p", { class: "tool-reason", text: op.reason || "not available on this machine" }) : null;
  return h("details", { class: `tool${op.available ? "" : " unavailable"}`, "data-op": op.name, open: open.has(op.name) },
    h("summary", {},
      h("span", { class: "tool-name", text: op.label || op.name }),
      h("span", { class: "tool-tag", text: op.target === "layer" ? "layer" : "shot" }),
      h("span", { class: `dot ${op.available ? "ok" : "off"}`, title: op.available ? "available" : op.reason })),
    unavailable, body);
}

export const toolsPanel = {
  name: "tools",
  column: "right",
  build: () => h("section", { class: "panel tools-panel" }, h("h3", { text: "Tools" }), h("div", { class: "tools" }, h("p", { class: "empty", text: "Loading tools…" }))),
  async update(ed, shot) {
    const box = $(".tools", ed.el);
    const ops = await operations();
    if (!ed.alive) return;
    // tools are rebuilt only when the layer list changes (their forms keep what the user typed)
    const sig = JSON.stringify([shot.id, takeOf(shot).layers.map((l) => [l.id, l.name])]);
    if (sig === box.dataset.sig) return;
    box.dataset.sig = sig;
    const open = new Set([...box.querySelectorAll("details[open]")].map((d) => d.dataset.op));
    box.replaceChildren(...ops.map((op) => toolEntry(ed, shot, op, open)));
    if (!ops.length) box.append(h("p", { class: "empty", text: "No tools reported by the server." }));
  },
};

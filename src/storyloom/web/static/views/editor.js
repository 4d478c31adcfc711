// The shot editor view (#/p/ID/shot/SHOT): the player on the left with the shot's own fields
// under it, the registered panels (registry.js) around it, the ‹ › neighbours, and its keys.
// `ed`, the open editor, is what panels and player tools receive:
//   { shotId, el (the .editor element), player (player.js), alive (false once closed), armedChanged() }
import { $, h, typing } from "../core/dom.js";
import { allShots, findShot, takeOf } from "../core/doc.js";
import { edit } from "../core/edits.js";
import { icon } from "../core/icons.js";
import { toast } from "../core/notify.js";
import { editorPanels } from "../core/registry.js";
import { S } from "../core/store.js";
import { Player } from "./player.js";

let ed = null; // the open editor

const allPanels = () => ["player", "left", "right"].flatMap((c) => editorPanels(c));

function teardown() {
  if (!ed) return;
  ed.alive = false;
  ed.player.teardown();
  document.removeEventListener("keydown", ed.onKey);
  ed = null;
}

function build(shot) {
  ed = { shotId: shot.id, alive: true, el: null };
  const panel = (p) => p.build(ed);
  ed.player = new Player(ed, editorPanels("player").map(panel));
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
      h("div", { class: "ed-left" }, ed.player.el, ...editorPanels("left").map(panel)),
      h("div", { class: "ed-right" }, ...editorPanels("right").map(panel))));
  ed.el = el;
  ed.armedChanged = () => allPanels().forEach((p) => p.armed?.(ed));
  $("#view").replaceChildren(el);
  ed.onKey = (e) => {
    if (typing(e.target) || document.querySelector("dialog[open]") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (ed.player.key(e)) return;
    if (e.key === "Escape") location.hash = `#/p/${S.pid}`;
  };
  document.addEventListener("keydown", ed.onKey);
}

function render() {
  let where;
  try {
    where = findShot(S.project, S.shotId);
  } catch {
    location.hash = `#/p/${S.pid}`; // the shot is gone: back to the storyboard
    return;
  }
  const { shot, scene, index, number } = where;
  if (!ed || ed.shotId !== shot.id) {
    teardown();
    build(shot);
  }
  ed.player.setClip(S.project.fps, shot.duration);
  // neighbour shots for the ‹ › buttons
  const all = allShots(S.project);
  const i = all.findIndex((s) => s.id === shot.id);
  ed.prevShot = all[i - 1]?.id;
  ed.nextShot = all[i + 1]?.id;
  $(".ed-prev", ed.el).disabled = !ed.prevShot;
  $(".ed-next", ed.el).disabled = !ed.nextShot;
  $(".ed-where", ed.el).textContent = `Shot ${number} of ${all.length} · ${scene.title} · #${index + 1} in scene`;
  $(".ed-where", ed.el).title = $(".ed-where", ed.el).textContent;
  ed.player.showBlank(!takeOf(shot).layers.length, shot.description || shot.title || "Blank shot");
  for (const p of allPanels()) p.update?.(ed, shot);
  ed.player.shotChanged(shot);
  // the preview is rendered again only when the shot's recipe changed
  const sig = JSON.stringify([shot, S.project.size, S.project.fps]);
  if (sig !== ed.player.previewSig) {
    ed.player.previewSig = sig;
    ed.player.preview(shot.id);
  }
  ed.player.updateTime();
}

/** The shot editor view (#/p/ID/shot/SHOT). */
export const editorView = {
  name: "shot",
  render,
  leave: teardown,
  crumbs() {
    try {
      const { shot, number } = findShot(S.project, S.shotId);
      return [h("span", { class: "crumb-sep", text: "/" }), h("span", { class: "crumb-shot", text: `Shot ${number}${shot.title ? " · " + shot.title : ""}` })];
    } catch {
      return []; // shot gone: render() goes back to the board
    }
  },
};

/** The editor's "Shot" panel: title, duration, description, transition; saved when a field is left, one revision each. */
export const shotPanel = {
  name: "shot",
  column: "left",
  build(ed) {
    const props = h("section", { class: "panel props" },
      h("h3", { text: "Shot" }),
      h("div", { class: "props-grid" },
        h("label", { class: "field" }, "Title", h("input", { type: "text", name: "title", autocomplete: "off" })),
        h("label", { class: "field narrow" }, "Duration (s)", h("input", { type: "number", name: "duration", min: "0.05", max: "3600", step: "0.05" })),
        h("label", { class: "field wide" }, "Description", h("textarea", { name: "description", rows: "2" })),
        h("label", { class: "field" }, "Transition in",
          h("select", { name: "transition" }, h("option", { value: "cut", text: "Cut" }), h("option", { value: "crossfade", text: "Crossfade" }))),
        h("label", { class: "field narrow" }, "Fade (s)", h("input", { type: "number", name: "tdur", min: "0", max: "10", step: "0.05" }))));
    props.addEventListener("change", (e) => {
      const url = `/api/projects/${S.pid}/shots/${ed.shotId}`;
      const f = e.target.name;
      const v = e.target.value;
      if (f === "title" || f === "description") edit("PATCH", url, { [f]: v });
      else if (f === "duration") {
        const d = Number(v);
        if (!(d > 0)) return toast("Duration must be more than 0 s", "error");
        edit("PATCH", url, { duration: d });
      } else if (f === "transition" || f === "tdur") {
        const kind = $("[name=transition]", props).value;
        const tdur = kind === "cut" ? 0 : Math.max(0.05, Number($("[name=tdur]", props).value) || 0.5);
        edit("PATCH", url, { transition: { kind, duration: tdur } });
      }
    });
    return props;
  },
  update(ed, shot) {
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
  },
};

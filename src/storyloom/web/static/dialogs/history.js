// History: the undo and redo buttons (saying what they would do) and keys (Ctrl+Z /
// Ctrl+Shift+Z), and the revision list under the clock button. The undo itself is edits.js's.
import { api } from "../core/api.js";
import { $, h, typing } from "../core/dom.js";
import { undoRedo } from "../core/edits.js";
import { ago } from "../core/format.js";
import { S, subscribe } from "../core/store.js";

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
subscribe(({ steps }) => steps && showSteps(steps));

$("#undo").addEventListener("click", () => undoRedo("undo"));
$("#redo").addEventListener("click", () => undoRedo("redo"));
document.addEventListener("keydown", (e) => {
  if (document.querySelector("dialog[open]")) return;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !typing(e.target)) {
    const k = e.key.toLowerCase();
    if (k === "z" && !e.shiftKey) { e.preventDefault(); undoRedo("undo"); return; }
    if ((k === "z" && e.shiftKey) || k === "y") { e.preventDefault(); undoRedo("redo"); }
  }
});

const pop = $("#history-pop");

/** The revision list: a light-dismiss popover under its button (a second click closes it). */
export const historyDialog = {
  name: "history",
  button: "#history-btn",
  async open() {
    if (!S.pid) return;
    if (pop.matches(":popover-open")) return pop.hidePopover();
    const r = $("#history-btn").getBoundingClientRect();
    pop.style.top = `${r.bottom + 6}px`;
    pop.style.left = `${Math.max(8, r.left - 180)}px`;
    const list = $("#history-list");
    list.replaceChildren(h("li", { class: "empty", text: "Loading…" }));
    pop.showPopover();
    try {
      const revs = await api("GET", `/api/projects/${S.pid}/history`, undefined, { limit: 50 });
      list.replaceChildren(...revs.map((rev) => h("li", { class: `rev-row${rev.current ? " current" : ""}`, "data-rev": String(rev.number) },
        h("span", { class: "rev-num", text: `#${rev.number}` }),
        h("span", { class: "rev-summary", text: rev.summary || "(no summary)", title: rev.summary }),
        h("time", { class: "rev-time", datetime: rev.timestamp, title: new Date(rev.timestamp).toLocaleString(), text: ago(rev.timestamp) }))));
      if (!revs.length) list.replaceChildren(h("li", { class: "empty", text: "No revisions yet." }));
    } catch (e) {
      list.replaceChildren(h("li", { class: "empty", text: e.message }));
    }
  },
};

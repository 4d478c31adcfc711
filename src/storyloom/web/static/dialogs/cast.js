// The cast dialog: the film's characters, the shots each appears in (links into the editor),
// rename, delete and add.
import { $, h } from "../core/dom.js";
import { appearances } from "../core/doc.js";
import { edit } from "../core/edits.js";
import { icon } from "../core/icons.js";
import { ask } from "../core/notify.js";
import { S } from "../core/store.js";

const dlg = $("#cast-dialog");

function renderCast() {
  if (!dlg.open || !S.project) return;
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
            text: `Shot ${number}${shot.title ? " · " + shot.title : ""}`, onclick: () => dlg.close() }))
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

export const castDialog = {
  name: "cast",
  button: "#cast-btn",
  open() {
    if (!S.project) return;
    dlg.showModal();
    renderCast();
  },
  update: renderCast,
};

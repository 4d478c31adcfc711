// Telling and asking the user: toasts (a message in the corner, with an optional action) and
// the page's own confirm/prompt dialog (no browser popups: tests and keyboards never meet them).
import { $, h } from "./dom.js";
import { icon } from "./icons.js";

/** A message in the corner, gone after a while: toast("Saved"); toast(e.message, "error"); toast(t, "info", {label: "Undo", run}). */
export function toast(message, kind = "info", action) {
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

/**
 * The page's own confirm/prompt: resolves to the typed text (prompt), true (confirm) or null.
 * await ask({ title: "Rename", value: "Old name", ok: "Rename" })
 */
export function ask({ title, text = "", value = null, ok = "OK", danger = false }) {
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

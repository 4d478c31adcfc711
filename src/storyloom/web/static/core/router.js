// Where the user is: the URL's hash picks the project and the view (#/p/ID, #/p/ID/shot/SHOT),
// the top bar's crumbs say it, and the registered view shows it (registry.js).
import { withToken } from "./api.js";
import { $, h } from "./dom.js";
import { loadProject } from "./edits.js";
import { viewNamed } from "./registry.js";
import { S, subscribe } from "./store.js";

let current = null; // the view shown
const routeListeners = [];

/** Call fn() whenever the route changed, before the view is shown: onRoute(renderProjectList). */
export function onRoute(fn) {
  routeListeners.push(fn);
}

/** Read the hash into S (pid, view, arg, shotId) and show it; a new project is loaded first. */
export function route() {
  const m = location.hash.match(/^#\/p\/([\w-]+)(?:\/([\w-]+)(?:\/([\w-]+))?)?/);
  const pid = m ? m[1] : null;
  const changed = pid !== S.pid;
  S.pid = pid;
  S.view = m && m[2] && viewNamed(m[2]) ? m[2] : null;
  S.arg = S.view ? m[3] ?? null : null;
  S.shotId = S.view === "shot" ? S.arg : null;
  $("#toolbar").hidden = !pid;
  for (const fn of routeListeners) fn();
  if (!pid) {
    S.project = null;
    render();
    return;
  }
  $("#otio-link").href = withToken(`/api/projects/${pid}/export.otio`);
  if (changed || !S.project) {
    S.project = null;
    for (const name of ["board", S.view]) viewNamed(name)?.reset?.();
    $("#view").replaceChildren(h("div", { class: "loading", text: "Loading…" }));
    loadProject(pid);
  } else {
    render();
  }
}

/** Show the view the route names, from S (called after every change of the project). */
export function render() {
  renderCrumbs();
  if (S.pid && !S.project) return;
  const view = viewNamed(!S.pid ? "welcome" : S.view || "board");
  if (current && current !== view) current.leave?.();
  current = view;
  view.render();
}

function renderCrumbs() {
  const kids = [];
  if (S.project) {
    kids.push(h("a", { href: `#/p/${S.pid}`, text: S.project.title || "Untitled" }));
    if (S.view) kids.push(...(viewNamed(S.view).crumbs?.() || []));
    kids.push(h("span", { class: "rev", title: "revision", text: `rev ${S.revision}` }));
  }
  $("#crumbs").replaceChildren(...kids);
}

window.addEventListener("hashchange", route);
subscribe(() => render());

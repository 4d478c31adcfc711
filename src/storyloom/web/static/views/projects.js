// Projects: the sidebar's list (open, new, rename, delete) and the welcome page shown when
// no project is open.
import { api } from "../core/api.js";
import { $, h } from "../core/dom.js";
import { filmDuration } from "../core/doc.js";
import { fmtDur } from "../core/format.js";
import { icon } from "../core/icons.js";
import { ask, toast } from "../core/notify.js";
import { onRoute } from "../core/router.js";
import { S, setProject, subscribe } from "../core/store.js";

/** Fetch the project list and show it: await loadProjects(). */
export async function loadProjects() {
  try {
    S.projects = await api("GET", "/api/projects");
  } catch (e) {
    toast(e.message, "error");
    S.projects = [];
  }
  renderProjectList();
  // the welcome page lists the projects too: it must not show one that was just deleted
  if (!S.pid && document.querySelector(".welcome")) welcomeView.render();
}

function renderProjectList() {
  const ul = $("#project-list");
  ul.replaceChildren(...S.projects.map((p) => {
    const li = h("li", { class: `project-item${p.id === S.pid ? " active" : ""}`, "data-project": p.id },
      h("a", { href: `#/p/${p.id}`, class: "project-link", title: p.title || "Untitled", "aria-current": p.id === S.pid ? "page" : null },
        h("span", { class: "project-title", text: p.title || "Untitled" }),
        h("span", { class: "project-meta", text: `${p.shots ?? 0} shots · ${fmtDur(p.duration ?? 0)}` })),
      h("div", { class: "project-actions" },
        h("button", { class: "icon-btn small", title: "Rename", "aria-label": `Rename ${p.title}`, "data-act": "rename-project", html: icon("edit", 14) }),
        h("button", { class: "icon-btn small", title: "Delete", "aria-label": `Delete ${p.title}`, "data-act": "delete-project", html: icon("trash", 14) })));
    return li;
  }));
  if (!S.projects.length) ul.append(h("li", { class: "empty", text: "No projects yet — make one with +." }));
}

$("#project-list").addEventListener("click", async (e) => {
  const btn = e.target.closest("[data-act]");
  if (!btn) return;
  const pid = btn.closest("[data-project]").dataset.project;
  const info = S.projects.find((p) => p.id === pid);
  if (btn.dataset.act === "rename-project") {
    const title = await ask({ title: "Rename project", value: info.title, ok: "Rename" });
    if (!title) return;
    try {
      const base = pid === S.pid ? S.revision : info.revision;
      const res = await api("PATCH", `/api/projects/${pid}`, { base_revision: base, title });
      if (pid === S.pid) setProject(res.revision, res.project, res.steps);
      toast(`Renamed to “${title}”`);
    } catch (err) {
      toast(err.status === 409 ? "Changed elsewhere — refreshed" : err.message, err.status === 409 ? "warn" : "error");
    }
    loadProjects();
  } else if (btn.dataset.act === "delete-project") {
    const yes = await ask({ title: `Delete “${info.title}”?`, text: `Its ${info.shots ?? 0} shots and whole history go. This cannot be undone.`, ok: "Delete project", danger: true });
    if (!yes) return;
    try {
      await api("DELETE", `/api/projects/${pid}`);
      toast(`Deleted “${info.title}”`);
      if (pid === S.pid) location.hash = "";
    } catch (err) {
      toast(err.message, "error");
    }
    loadProjects();
  }
});

$("#new-project").addEventListener("click", async () => {
  const title = await ask({ title: "New project", text: "1280×720 at 24 fps; import footage or a script next.", value: "Untitled film", ok: "Create" });
  if (!title) return;
  try {
    const res = await api("POST", "/api/projects", { title });
    await loadProjects();
    location.hash = `#/p/${res.id}`;
  } catch (e) {
    toast(e.message, "error");
  }
});

// the open project's entry follows its edits (title, shots, length)
subscribe(({ revision, project }) => {
  const info = S.projects.find((p) => p.id === project.id);
  if (!info) return;
  const shots = project.scenes.reduce((n, s) => n + s.shots.length, 0);
  const dur = filmDuration(project);
  if (info.title !== project.title || info.shots !== shots || Math.abs((info.duration ?? 0) - dur) > 1e-6) {
    Object.assign(info, { title: project.title, shots, duration: dur, revision });
    renderProjectList();
  }
});
onRoute(renderProjectList);

/** The welcome page (no project open): the projects as cards and a "New project" button. */
export const welcomeView = {
  name: "welcome",
  render() {
    $("#view").replaceChildren(h("div", { class: "welcome" },
      h("h1", { text: "Your storyboards" }),
      h("p", { text: S.projects.length ? "Open a project, or start a new one." : "No projects yet. Start one, then import a video or a script." }),
      h("button", { class: "btn primary welcome-new", html: icon("plus") + " New project", onclick: () => $("#new-project").click() }),
      h("div", { class: "welcome-grid" }, ...S.projects.map((p) => h("a", { class: "welcome-card", href: `#/p/${p.id}` },
        h("strong", { text: p.title || "Untitled" }), h("span", { text: `${p.shots ?? 0} shots · ${fmtDur(p.duration ?? 0)}` }))))));
  },
};

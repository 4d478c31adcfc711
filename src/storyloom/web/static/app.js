// Storyloom studio, the page's entry point (index.html loads it as a module; no build step).
// It registers every view, dialog, editor panel and player tool — one line each, the order
// is the order on screen — then wires the top bar and starts. README.md says how the modules
// fit together and how to add one.
import { $, h } from "./core/dom.js";
import { icon, paintIcons } from "./core/icons.js";
import { allDialogs, openDialog, registerDialog, registerPanel, registerTool, registerView } from "./core/registry.js";
import { offerInterrupted } from "./core/jobs.js";
import { route } from "./core/router.js";
import { S, subscribe } from "./core/store.js";
import { backgroundDialog } from "./dialogs/background.js";
import { castDialog } from "./dialogs/cast.js";
import { historyDialog } from "./dialogs/history.js";
import { importDialog } from "./dialogs/import.js";
import { renderDialog } from "./dialogs/render.js";
import { extractTool } from "./tools/extract.js";
import { pointTool } from "./tools/point.js";
import { refineTool } from "./tools/refine.js";
import { boardView } from "./views/board.js";
import { editorView, shotPanel } from "./views/editor.js";
import { layersPanel } from "./views/layers.js";
import { loadProjects, welcomeView } from "./views/projects.js";
import { editsPanel, toolsPanel } from "./views/tool-panel.js";

// views of the main area (the route picks one)
registerView(welcomeView);
registerView(boardView);
registerView(editorView);

// the shot editor's panels and player tools, in screen order (a tool's own panel goes where the tool is)
registerPanel(shotPanel);        // the shot's fields, under the player
registerPanel(layersPanel);      // the right column, top to bottom: layers,
registerTool(extractTool);       //   "Extract layer" (click or box on the picture),
registerPanel(editsPanel);       //   the edits on this shot,
registerPanel(toolsPanel);       //   a form per operation
registerTool(refineTool);        // "Refine" on cutout layers; its bar goes under the picture
registerTool(pointTool);         // "Set point on player" on forms with clicks

// dialogs (opened by their top-bar button or by name: openDialog("background", sceneId))
registerDialog(importDialog);
registerDialog(castDialog);
registerDialog(historyDialog);
registerDialog(backgroundDialog);
registerDialog(renderDialog);

/** Each dialog's top-bar button: an element of index.html, or one made from {label, icon}. */
function wireDialogButtons() {
  for (const d of allDialogs()) {
    if (!d.button) continue;
    let btn = typeof d.button === "string" ? $(d.button) : null;
    if (!btn) {
      btn = h("button", { class: "icon-btn", title: d.button.label, "aria-label": d.button.label, html: icon(d.button.icon || "plus") });
      $("#toolbar .sep").before(btn);
    }
    btn.addEventListener("click", () => openDialog(d.name));
  }
}

wireDialogButtons();
subscribe(() => allDialogs().forEach((d) => d.update?.()));
offerInterrupted();
paintIcons();
loadProjects().then(() => {
  // a library with one project (the demo, a fresh `storyloom serve DIR`): open it straight away
  if (!location.hash && S.projects.length === 1) location.replace(`#/p/${S.projects[0].id}`);
  route();
});

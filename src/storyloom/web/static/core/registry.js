// The studio's extension points. A view, a dialog, a shot-editor panel or a player tool is a
// plain object registered once, in app.js, before the page starts; the router, the toolbar,
// the shot editor, the player, the layers panel and the tool panel consult these lists, so a
// new one is one new module plus one line in app.js. README.md next to app.js shows each shape.

const views = new Map();
const dialogs = new Map();
const panels = [];
const tools = new Map();

/**
 * A view of the main area, chosen by the route: "welcome" (no project open), "board" (#/p/ID),
 * or any other name NAME shown at #/p/ID/NAME/ARG (S.view, S.arg). registerView(boardView)
 * { name, render() — show S.project (called after every change), leave?() — another view takes over,
 *   reset?() — a project starts loading, crumbs?() — elements after the project's name in the top bar }
 */
export function registerView(view) {
  views.set(view.name, view);
}

/** The registered view called `name` (undefined when none): viewNamed("shot"). */
export const viewNamed = (name) => views.get(name);

/**
 * A dialog (or popover) opened by name: registerDialog(castDialog)
 * { name, open(...args), update?() — after every change of the project (refresh it when open),
 *   button?: "#cast-btn" — a top-bar element that opens it (index.html), or {label, icon} to make one }
 */
export function registerDialog(dialog) {
  dialogs.set(dialog.name, dialog);
}

/** Open the dialog called `name`: openDialog("background", sceneId). */
export function openDialog(name, ...args) {
  const d = dialogs.get(name);
  if (!d) throw new Error(`no dialog "${name}" is registered`);
  return d.open(...args);
}

/** Every registered dialog, in registration order. */
export const allDialogs = () => [...dialogs.values()];

/**
 * A panel of the shot editor, placed in registration order: registerPanel(layersPanel)
 * { name, column: "right" | "left" (under the player) | "player" (inside the player, under the picture),
 *   build(ed) → Element (once per opened shot), update?(ed, shot) (after every change of the project) }
 * `ed` is the open editor (editor.js): ed.shotId, ed.el, ed.player, ed.alive.
 */
export function registerPanel(panel) {
  if (!["right", "left", "player"].includes(panel.column)) throw new Error(`panel "${panel.name}": column must be right, left or player`);
  panels.push(panel);
}

/** The shot editor's panels in `column`, in registration order: editorPanels("right"). */
export const editorPanels = (column) => panels.filter((p) => p.column === column);

/**
 * A player tool: what a click or a drag on the picture does while it is armed (player.js).
 * registerTool(extractTool); a tool with a `panel` registers that panel too, at this place.
 * { name, hint — the picture's tooltip while armed,
 *   overlay?: true — gestures on a tinted overlay (false: plain clicks on the video),
 *   boxes?: false — a drag draws a box (else every gesture is a click), keep?: false — stays armed after a gesture,
 *   arm?(ed, arg) → session — any object, the tool's state until disarmed; `arg` is what it was armed with
 *     (a layer from its row, a form), given back by ed.player.arg,
 *   click?(ed, session, {x, y, fx, fy, negative}), box?(ed, session, {box: [x0, y0, x1, y1], a, b}) — frame pixels,
 *     fx/fy: 0..1 of the picture, negative: Alt or Shift held,
 *   disarm?(ed, session), frame?(ed, session, f) — the frame shown changed, busy?(session) — Esc does not cancel,
 *   key?(ed, session, event) → true when handled, shotChanged?(ed, session, shot) — after every change,
 *   field?: "clicks", offer?: "Set point on player" — a button on the forms of operations with that field
 *     (tool-panel.js; armed with {form, layerSel, op}),
 *   layerButton?(layer) → {label, icon?, title?, aria?} or null — a button on that layer's row (layers.js; armed with the layer),
 *   panel?: a panel (registerPanel) of its own }
 */
export function registerTool(tool) {
  tools.set(tool.name, tool);
  if (tool.panel) registerPanel(tool.panel);
}

/** The registered player tool called `name`: toolNamed("refine"). */
export const toolNamed = (name) => tools.get(name);

/** Every registered player tool, in registration order: allTools().filter((t) => t.layerButton). */
export const allTools = () => [...tools.values()];

"""The front end's seams, used the way static/README.md tells a colleague to: a new player
tool and a new dialog, each one new module plus one registration line in app.js. The page
is served with those two files added (through the browser's request routing), nothing else
changed; the tool appears on the layer rows, takes a click on the picture in frame pixels and
disarms itself; the dialog gets its own top-bar button and refreshes after an edit.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from test_layer_tools import wait_preview

PIN_TOOL = """// Player tool "pin" (a test's): a click on the picture is recorded in window.pins.
export const pinTool = {
  name: "pin",
  hint: "Click where the pin goes (Esc cancels)",
  arm: (ed, layer) => ({ layer }),
  click(ed, { layer }, { x, y, fx, fy }) {
    (window.pins ||= []).push({ layer: layer.id, x, y, fx, fy, frame: ed.player.frame() });
  },
  layerButton: (layer) => (layer.name === "astronaut" ? { label: "Pin", icon: "target", title: "Drop a pin" } : null),
};
"""

FACES_DIALOG = """// Dialog "faces" (a test's): the cast's names, refreshed after every change of the project.
import { h } from "../core/dom.js";
import { S } from "../core/store.js";

const dlg = h("dialog", { class: "dialog", id: "faces-dialog" }, h("h3", { text: "Faces" }), h("ul", { class: "faces" }));
document.body.append(dlg);

export const facesDialog = {
  name: "faces",
  button: { label: "Faces", icon: "users" },
  open() { dlg.showModal(); this.update(); },
  update() {
    if (dlg.open) dlg.querySelector(".faces").replaceChildren(...S.project.cast.map((c) => h("li", { text: c.name })));
  },
};
"""

REGISTER = """import { pinTool } from "./tools/pin.js";
registerTool(pinTool);
import { facesDialog } from "./dialogs/faces.js";
registerDialog(facesDialog);
"""


def serve_with_additions(page):
    """app.js with the two registration lines, and the two new modules."""
    def app_js(route):
        res = route.fetch()
        body = res.text()
        assert "\nwireDialogButtons();" in body
        route.fulfill(response=res, body=body.replace("\nwireDialogButtons();", "\n" + REGISTER + "wireDialogButtons();", 1))
    page.route(re.compile(r".*/static/app\.js$"), app_js)
    page.route(re.compile(r".*/static/tools/pin\.js$"), lambda r: r.fulfill(body=PIN_TOOL, content_type="text/javascript"))
    page.route(re.compile(r".*/static/dialogs/faces\.js$"), lambda r: r.fulfill(body=FACES_DIALOG, content_type="text/javascript"))


def test_a_new_tool_and_a_new_dialog_are_one_module_and_one_line_each(page, studio):
    serve_with_additions(page)
    film = studio.project()
    portrait = next(s for s in film["scenes"][0]["shots"] if s["title"] == "Portrait")
    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{portrait['id']}")
    wait_preview(page)

    # the tool: offered on the astronaut's row only, armed on it, a click → frame pixels, disarmed
    pin = page.get_by_role("button", name="Pin astronaut")
    expect(page.get_by_role("button", name=re.compile("^Pin "))).to_have_count(1)
    pin.click()
    expect(pin).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".layer[data-layer].tool-armed .layer-name strong")).to_have_text("astronaut")
    overlay = page.locator(".pick-overlay")
    expect(overlay).to_have_attribute("title", "Click where the pin goes (Esc cancels)")
    vb = overlay.bounding_box()
    overlay.click(position={"x": vb["width"] * 0.25, "y": vb["height"] * 0.5})
    (got,) = page.evaluate("window.pins")
    layer = next(l for l in portrait["takes"][0]["layers"] if l["name"] == "astronaut")
    assert got["layer"] == layer["id"] and got["frame"] == 0
    assert abs(got["x"] - 80) <= 1 and abs(got["y"] - 90) <= 1, got   # 320×180: a quarter across, half down
    expect(pin).to_have_attribute("aria-pressed", "false")
    expect(overlay).to_be_hidden()
    # Esc cancels an armed tool without leaving the editor
    pin.click()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    expect(page.locator(".editor")).to_be_visible()

    # the dialog: its own top-bar button, its content from the project, refreshed after an edit
    page.get_by_role("button", name="Faces").click()
    dlg = page.locator("#faces-dialog")
    expect(dlg).to_be_visible()
    expect(dlg.locator("li")).to_have_text([c["name"] for c in film["cast"]])
    page.evaluate("""async (pid) => {
      const { edit } = await import("/static/core/edits.js");
      await edit("POST", `/api/projects/${pid}/characters`, { name: "Nadia" });
    }""", studio.pid)
    expect(dlg.locator("li").last).to_have_text("Nadia")
    assert page.console.unexpected() == []

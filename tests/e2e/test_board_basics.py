"""What a new user tries first on the board, in the browser: "+" at both ends of a scene,
the undo/redo buttons, the OTIO download, Escape on a dialog, deleting the open project,
the layer list's controls, long names and the tool panel's words."""
from __future__ import annotations

import json

from playwright.sync_api import expect
from test_studio import open_board, wait_revision


def test_plus_at_both_ends_and_undo_redo_buttons(page, studio):
    open_board(page, studio)
    night = studio.project()["scenes"][1]
    ids = [s["id"] for s in night["shots"]]
    scene = page.locator(f".scene[data-scene='{night['id']}']")
    scene.locator(".slot").first.click()                     # before the first shot
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {len(ids) + 1}")
    wait_revision(page, studio)
    scene.locator(".slot").last.click()                      # after the last one
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {len(ids) + 2}")
    wait_revision(page, studio)
    shots = studio.project()["scenes"][1]["shots"]
    assert [s["id"] for s in shots[1:-1]] == ids
    assert shots[0]["takes"][0]["layers"] == [] and shots[-1]["takes"][0]["layers"] == []
    # each blank card shows at its place, numbered like the others
    cards = scene.locator(".card")
    assert cards.count() == len(ids) + 2
    assert cards.first.locator(".blank").count() == 1 and cards.last.locator(".blank").count() == 1

    # the buttons say what they would do
    assert page.locator("#undo").get_attribute("title") == \
        f"Undo: add a blank shot at position {len(ids) + 2} of Night (Ctrl+Z)"
    assert page.locator("#redo").is_disabled() and page.locator("#redo").get_attribute("title") == "Nothing to redo"
    # the toolbar's buttons, not only the keys: undo twice, redo once
    page.locator("#undo").click()
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {len(ids) + 1}")
    page.locator("#undo").click()
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {len(ids)}")
    wait_revision(page, studio)
    assert [s["id"] for s in studio.project()["scenes"][1]["shots"]] == ids
    expect(page.locator("#redo")).to_have_attribute("title", "Redo: add a blank shot at position 1 of Night (Ctrl+Shift+Z)")
    page.locator("#redo").click()
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {len(ids) + 1}")
    wait_revision(page, studio)
    assert len(studio.project()["scenes"][1]["shots"]) == len(ids) + 1
    # the history reads like a log a person wrote: no ids of untitled shots
    history = studio.call("GET", f"/api/projects/{studio.pid}/history")
    current = next(h for h in history if h["current"])
    assert current["summary"] == "add a blank shot at position 1 of Night"
    assert history[0]["summary"] == f"add a blank shot at position {len(ids) + 2} of Night"  # undone, kept
    assert page.console.unexpected() == []


def test_undo_never_takes_back_an_edit_the_page_has_not_seen(page, studio):
    open_board(page, studio)
    film = studio.call("GET", f"/api/projects/{studio.pid}")
    scene = film["project"]["scenes"][1]
    # someone else (the CLI, another tab) renames a scene behind the page's back
    studio.call("PATCH", f"/api/projects/{studio.pid}/scenes/{scene['id']}",
                {"base_revision": film["revision"], "title": "Late night"})
    page.locator("#undo").click()
    page.wait_for_selector(".toast.warn")
    assert "nothing was undone" in page.locator(".toast.warn").inner_text().lower()
    # their edit stands, and the page now shows it
    assert studio.project()["scenes"][1]["title"] == "Late night"
    page.wait_for_function("window.storyloom.project.scenes[1].title === 'Late night'")
    wait_revision(page, studio)
    # on the fresh page, undo works again (and takes back that rename, now shown)
    page.locator("#undo").click()
    page.wait_for_function(f"window.storyloom.project.scenes[1].title === {json.dumps(scene['title'])}")
    assert studio.project()["scenes"][1]["title"] == scene["title"]
    assert page.console.unexpected("409") == []


def test_export_otio_downloads_the_timeline(page, studio, tmp_path):
    open_board(page, studio)
    with page.expect_download() as dl:
        page.locator("#otio-link").click()
    assert dl.value.suggested_filename.endswith(".otio")
    path = tmp_path / "film.otio"
    dl.value.save_as(path)
    timeline = json.loads(path.read_text())
    assert timeline["OTIO_SCHEMA"].startswith("Timeline.")
    film = studio.project()
    assert timeline["name"] == film["title"]
    assert page.console.unexpected() == []


def test_escape_closes_dialogs_and_gives_focus_back(page, studio):
    open_board(page, studio)
    for button, dialog in (("import-btn", "import-dialog"), ("cast-btn", "cast-dialog")):
        page.locator(f"#{button}").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#{dialog}[open]")
        page.keyboard.press("Escape")
        page.wait_for_function(f"!document.querySelector('#{dialog}').open")
        assert page.evaluate("document.activeElement.id") == button


def test_deleting_the_open_project_leaves_a_true_welcome_page(page, studio):
    page.goto(studio.url)
    page.wait_for_selector(".project-item")
    page.locator("#new-project").click()
    page.locator("#ask-input").fill("Throwaway")
    page.keyboard.press("Enter")
    page.wait_for_selector(".empty-board")
    expect(page.locator("#undo")).to_be_disabled()  # a new project: nothing to undo yet
    item = page.locator(".project-item", has_text="Throwaway")
    item.hover()
    item.locator("[data-act=delete-project]").click()
    page.locator("#ask-ok").click()
    page.wait_for_selector(".welcome")
    # the welcome page lists what is left, not the project just deleted
    page.wait_for_function("document.querySelectorAll('.welcome-card').length === 1")
    assert page.locator(".welcome-card").inner_text().startswith("Storyloom demo")
    assert page.locator(".welcome .welcome-new").is_visible()
    assert page.console.unexpected() == []


def test_tool_descriptions_show_names_as_code(page, studio):
    open_board(page, studio)
    page.locator(".card").first.click()
    page.wait_for_selector("details.tool[data-op='Restyle']")
    desc = page.locator("details.tool[data-op='Restyle'] .tool-desc")
    # (the tool is folded: text_content, which reads hidden text too)
    assert "``" not in desc.text_content()
    assert desc.locator("code").all_text_contents() == ["storyloom styles"]


def test_long_names_stay_on_one_line_and_overlap_nothing(page, studio):
    """Script headings and titles can be long: they are cut with "…", the project name
    keeps its place in the crumbs, and nothing wraps into the line below."""
    film = studio.call("GET", f"/api/projects/{studio.pid}")
    scene = film["project"]["scenes"][0]
    long = "INT. THE VERY LONG NAME OF A KITCHEN IN AN OLD HOUSE BY THE SEA WHERE NOTHING EVER HAPPENS - DAWN"
    r = studio.call("PATCH", f"/api/projects/{studio.pid}/scenes/{scene['id']}",
                    {"base_revision": film["revision"], "title": long})
    r = studio.call("PATCH", f"/api/projects/{studio.pid}/shots/{scene['shots'][0]['id']}",
                    {"base_revision": r["revision"], "title": "The astronaut looks into the camera for a very long time"})
    open_board(page, studio)
    head = page.locator(".scene-head").first.bounding_box()
    title = page.locator(".scene-title").first
    assert title.bounding_box()["height"] < 30 and long in title.get_attribute("title")
    assert page.locator(".scene-desc").first.bounding_box()["y"] >= head["y"] + head["height"] - 8
    page.locator(".card").first.click()
    page.wait_for_selector(".editor")
    crumb = page.locator("#crumbs a").bounding_box()
    assert crumb["width"] > 60  # the project's name is still there beside the long shot name
    where = page.locator(".ed-where").bounding_box()
    assert where["height"] < 24 and where["x"] + where["width"] <= page.locator(".ed-next").bounding_box()["x"]
    assert page.console.unexpected() == []


def test_layer_list_reorders_and_sets_opacity(page, studio):
    """The layer list's own controls: move a layer down the stack, set its opacity (one
    revision each, kept by the library)."""
    open_board(page, studio)
    shot = next(s for sc in studio.project()["scenes"] for s in sc["shots"] if s["title"] == "Visitor")
    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot['id']}")
    page.wait_for_selector(".layer")
    names = page.locator(".layer .layer-name strong").all_inner_texts()  # top of the stack first
    assert len(names) == 2
    top = page.locator(".layer").first
    before = page.evaluate("window.storyloom.revision")
    top.get_by_role("button", name="Move layer down").click()
    page.wait_for_function(f"window.storyloom.revision > {before}")
    wait_revision(page, studio)
    expect_names = names[::-1]
    assert page.locator(".layer .layer-name strong").all_inner_texts() == expect_names
    layers = next(s for sc in studio.project()["scenes"] for s in sc["shots"] if s["id"] == shot["id"])["takes"][0]["layers"]
    assert [l["name"] for l in layers] == expect_names[::-1]  # stored bottom first
    # opacity: the slider of the (now) top layer to 40 %, saved when let go
    slider = page.locator(".layer").first.locator("input.opacity")
    before = page.evaluate("window.storyloom.revision")
    slider.evaluate("(s) => { s.value = '0.4'; s.dispatchEvent(new Event('input', {bubbles: true}));"
                    " s.dispatchEvent(new Event('change', {bubbles: true})); }")
    page.wait_for_function(f"window.storyloom.revision > {before}")
    wait_revision(page, studio)
    assert page.locator(".layer").first.locator(".pct").inner_text() == "40%"
    layers = next(s for sc in studio.project()["scenes"] for s in sc["shots"] if s["id"] == shot["id"])["takes"][0]["layers"]
    opacity = layers[-1]["transform"]["opacity"]
    assert abs((opacity["value"] if isinstance(opacity, dict) else opacity) - 0.4) < 1e-6
    assert page.console.unexpected() == []

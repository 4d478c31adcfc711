"""Closed lists for free-text operation fields: the server lists them as JSON-schema
"examples" (from the engine packages); the page shows a select, or free text without them."""
from __future__ import annotations

import json


def test_examples_come_from_the_engines_and_fall_back_to_nothing(monkeypatch):
    from storyloom.api.routers import operations as ops
    from storyloom.engines.camera.base import MOVES
    from storyloom.engines.restyle.catalogue import style_names
    listed = {o["name"]: o["schema"]["properties"] for o in ops.describe_operations()}
    assert listed["CameraMove"]["move"]["examples"] == list(MOVES)
    assert listed["Restyle"]["style"]["examples"] == style_names()

    def missing():
        raise ImportError("No module named 'storyloom.engines.camera'")
    # an engine package that cannot be imported leaves its field free text; the rest still list
    monkeypatch.setitem(ops.FIELD_EXAMPLES, ("CameraMove", "move"), missing)
    listed = {o["name"]: o["schema"]["properties"] for o in ops.describe_operations()}
    assert "examples" not in listed["CameraMove"]["move"]
    assert listed["Restyle"]["style"]["examples"] == style_names()


def test_page_shows_free_text_without_examples(page, studio):
    """The same server answer with the examples taken out: the move is a text box, and
    what is typed there is what the operation gets."""
    def strip(route):
        res = route.fetch()
        body = res.json()
        for op in body:
            for prop in op["schema"].get("properties", {}).values():
                prop.pop("examples", None)
        route.fulfill(response=res, body=json.dumps(body))
    page.route("**/api/operations", strip)
    film = studio.project()
    shot = film["scenes"][0]["shots"][0]
    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot['id']}")
    cam = page.locator("details.tool[data-op='CameraMove']")
    cam.locator("summary").click()
    assert cam.locator("select[name=move]").count() == 0
    cam.locator("input[type=text][name=move]").fill("tilt-up")
    cam.get_by_role("button", name="Apply").click()
    page.wait_for_selector(".op-list .op")
    page.wait_for_function("window.storyloom.project.scenes[0].shots[0].takes[0].operations.length === 1")
    ops = studio.project()["scenes"][0]["shots"][0]["takes"][0]["operations"]
    assert [(o["schema"], o["move"]) for o in ops] == [("CameraMove.1", "tilt-up")]
    assert page.console.unexpected() == []

"""The cast panel (add, rename, delete characters; the shots each appears in) and the
revision history popover, in the real page against the real server."""
from __future__ import annotations

from playwright.sync_api import expect

SCRIPT = ("INT. KITCHEN - NIGHT\n\nAnna waits by the phone.\n\nANNA\nRing.\n\n"
          "EXT. STREET - DAY\n\nA bus passes.\n\nBORIS\nWait!\n\nANNA\nToo late.\n")


def shots_with(project: dict, name: str) -> list[str]:
    """Ids of the shots that name the character (listed, or speaking a line), in film order."""
    return [s["id"] for sc in project["scenes"] for s in sc["shots"]
            if name in s["characters"] or any(l["character"] == name for l in s["dialogue"])]


def test_cast_panel_and_history(page, studio, screenshots):
    film = studio.call("GET", f"/api/projects/{studio.pid}")
    res = studio.call("POST", f"/api/projects/{studio.pid}/script", {"base_revision": film["revision"], "text": SCRIPT})
    cast = {c["name"]: c for c in res["project"]["cast"]}
    assert set(cast) == {"Anna", "Boris"}
    anna = shots_with(res["project"], "Anna")
    assert len(anna) >= 2  # she speaks in both scenes

    page.goto(f"{studio.url}#/p/{studio.pid}")
    page.wait_for_function(f"window.storyloom.revision === {res['revision']}")
    page.locator("#cast-btn").click()
    dlg = page.locator("#cast-dialog")
    expect(dlg.locator(".cast-row")).to_have_count(2)
    row = dlg.locator(f".cast-row[data-character='{cast['Anna']['id']}']")
    # her chips link to exactly the shots the document names her in
    hrefs = row.locator(".chip").evaluate_all("cs => cs.map((c) => c.getAttribute('href'))")
    assert hrefs == [f"#/p/{studio.pid}/shot/{sid}" for sid in anna]

    # add: typed name + Enter is one revision
    dlg.locator("#cast-name").fill("Mara")
    dlg.locator("#cast-name").press("Enter")
    expect(dlg.locator(".cast-row")).to_have_count(3)
    page.wait_for_function(f"window.storyloom.revision === {res['revision'] + 1}")
    names = [c["name"] for c in studio.project()["cast"]]
    assert names == ["Anna", "Boris", "Mara"]
    expect(dlg.locator(".cast-row", has_text="Mara").locator(".cast-none")).to_have_text("in no shot yet")
    page.screenshot(path=str(screenshots / "cast.png"))

    # rename Anna: the shots that name her follow, and still show under her new name
    row.get_by_label("Rename Anna").click()
    page.locator("#ask-input").fill("Anne")
    page.locator("#ask-ok").click()
    expect(row.locator(".cast-name")).to_have_text("Anne")
    page.wait_for_function(f"window.storyloom.revision === {res['revision'] + 2}")
    film = studio.project()
    assert [c["name"] for c in film["cast"]] == ["Anne", "Boris", "Mara"]
    assert shots_with(film, "Anne") == anna and shots_with(film, "Anna") == []
    expect(row.locator(".chip")).to_have_count(len(anna))

    # delete Mara (confirmed in the page's own dialog)
    dlg.locator(".cast-row", has_text="Mara").get_by_label("Delete Mara").click()
    page.locator("#ask-ok").click()
    expect(dlg.locator(".cast-row")).to_have_count(2)
    page.wait_for_function(f"window.storyloom.revision === {res['revision'] + 3}")
    assert [c["name"] for c in studio.project()["cast"]] == ["Anne", "Boris"]

    # a chip opens its shot
    row.locator(".chip").first.click()
    page.wait_for_selector(".editor")
    assert page.evaluate("location.hash") == f"#/p/{studio.pid}/shot/{anna[0]}"
    expect(dlg).to_be_hidden()

    # history: newest first, the same numbers and summaries as the API, the head marked current
    page.locator("#history-btn").click()
    pop = page.locator("#history-pop")
    expect(pop).to_be_visible()
    truth = studio.call("GET", f"/api/projects/{studio.pid}/history?limit=50")
    expect(pop.locator(".rev-row")).to_have_count(len(truth))
    assert pop.locator(".rev-num").all_inner_texts() == [f"#{r['number']}" for r in truth]
    assert pop.locator(".rev-summary").all_inner_texts() == [r["summary"] for r in truth]
    assert truth[0]["summary"] == "delete character 'Mara'"
    current = pop.locator(".rev-row.current")
    expect(current).to_have_count(1)
    assert current.get_attribute("data-rev") == str(res["revision"] + 3)
    assert pop.locator(".rev-time").first.inner_text() in ("just now", "1 min ago")
    page.mouse.move(5, 400)
    page.wait_for_function("document.querySelector('.stage-msg')?.hidden")
    page.wait_for_selector("details.tool")
    page.screenshot(path=str(screenshots / "history.png"))
    # after an undo the popover marks the revision now shown (the newer one can be redone)
    page.mouse.click(700, 780)  # outside: the popover closes
    expect(pop).to_be_hidden()
    page.locator("#undo").click()
    page.wait_for_function(f"window.storyloom.revision === {res['revision'] + 2}")
    page.locator("#history-btn").click()
    expect(pop.locator(".rev-row.current")).to_have_attribute("data-rev", str(res["revision"] + 2))
    assert page.console.unexpected() == []

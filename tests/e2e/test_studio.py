"""The studio page in a real headless Chromium against the real server.

One module, one server, one demo project; the tests run in order (storyboard edits, the
shot editor, render, import, stale edits), each checking the page and, through the API,
that the library really changed.
"""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect


def titles(project: dict) -> list[list[str]]:
    return [[shot["title"] for shot in scene["shots"]] for scene in project["scenes"]]


def open_board(page, studio):
    page.goto(f"{studio.url}#/p/{studio.pid}")
    page.wait_for_selector(".card")
    page.wait_for_function("window.storyloom.revision !== null")


def wait_revision(page, studio):
    """Wait until the page shows the library's head revision (its edit came back)."""
    head = studio.call("GET", f"/api/projects/{studio.pid}")["revision"]
    page.wait_for_function(f"window.storyloom.revision === {head}")
    return head


def wait_new_revision(page, studio, before: int):
    """After an optimistic edit (shown at once, saved a moment later): wait for the saved
    revision, newer than ``before``, and for the page to show it."""
    page.wait_for_function(f"window.storyloom.revision > {before}")
    return wait_revision(page, studio)


def test_storyboard_collapse_drag_insert_undo(page, studio, screenshots):
    open_board(page, studio)
    assert page.locator(".scene").count() == 2
    assert page.locator(".card").count() == 5
    # every demo shot has rendered thumbnails, the video-only Moonrise included
    assert page.locator(".card img").count() == 5
    assert page.locator(".project-item").count() == 1

    # collapse "Night": its cards go, the scene remembers it through the API
    night = page.locator(".scene", has=page.locator(".scene-title", has_text="Night"))
    before = page.evaluate("window.storyloom.revision")
    night.locator("[data-act=collapse]").click()
    page.wait_for_function("!!document.querySelector('.scene.collapsed')")
    assert page.locator(".card").count() == 3
    page.wait_for_function("window.storyloom.project.scenes[1].collapsed === true")
    before = wait_new_revision(page, studio, before)
    assert studio.project()["scenes"][1]["collapsed"] is True
    night.locator("[data-act=collapse]").click()
    page.wait_for_function("document.querySelectorAll('.card').length === 5")
    wait_new_revision(page, studio, before)
    assert studio.project()["scenes"][1]["collapsed"] is False

    # drag "Coffee" (Morning) onto the right half of "Moonrise" (Night): it lands after it
    coffee = page.locator(".card", has_text="Coffee")
    moon = page.locator(".card", has_text="Moonrise")
    box = moon.bounding_box()
    before = page.evaluate("window.storyloom.revision")
    coffee.drag_to(moon, target_position={"x": box["width"] - 12, "y": box["height"] / 2})
    page.wait_for_function("window.storyloom.project.scenes[1].shots.length === 3")
    wait_new_revision(page, studio, before)
    assert titles(studio.project()) == [["Portrait", "Visitor"], ["Launch", "Moonrise", "Coffee"]]

    # keyboard: Alt+← moves the focused card one place left (Coffee before Moonrise)
    page.locator(".card", has_text="Coffee").focus()
    before = page.evaluate("window.storyloom.revision")
    page.keyboard.press("Alt+ArrowLeft")
    page.wait_for_function("window.storyloom.project.scenes[1].shots[1].title === 'Coffee'")
    wait_new_revision(page, studio, before)
    assert titles(studio.project())[1] == ["Launch", "Coffee", "Moonrise"]

    # "+" between Portrait and Visitor inserts a blank shot there
    before = studio.call("GET", f"/api/projects/{studio.pid}")["revision"]
    page.locator(".scene").first.locator(".slot[data-index='1']").click()
    page.wait_for_function("document.querySelectorAll('.card').length === 6")
    wait_revision(page, studio)
    morning = studio.project()["scenes"][0]["shots"]
    assert [s["title"] for s in morning][0::2] == ["Portrait", "Visitor"] and len(morning) == 3
    blank = morning[1]
    assert blank["thumbnails"] == [] and blank["takes"][0]["layers"] == []
    assert page.locator(f".card[data-shot='{blank['id']}'] .blank").count() == 1
    page.mouse.move(5, 5)  # no hover effects in the picture
    page.evaluate("document.activeElement.blur();"
                  "document.querySelectorAll('.flash').forEach((e) => e.classList.remove('flash'))")
    page.wait_for_timeout(300)  # let the card transitions settle
    page.screenshot(path=str(screenshots / "storyboard.png"))

    # Ctrl+Z takes it back (one revision), the page follows
    page.locator("body").click(position={"x": 600, "y": 760})
    page.keyboard.press("Control+z")
    page.wait_for_function("document.querySelectorAll('.card').length === 5")
    after = wait_revision(page, studio)
    assert after == before  # undo moves the head back to the revision before the insert
    assert len(studio.project()["scenes"][0]["shots"]) == 2
    # and Ctrl+Shift+Z brings it back
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function("document.querySelectorAll('.card').length === 6")
    wait_revision(page, studio)
    assert len(studio.project()["scenes"][0]["shots"]) == 3

    # duplicate "Visitor" (its copy follows it, with new ids), then delete the copy with the Del key
    visitor = page.locator(".card", has_text="Visitor")
    visitor.hover()
    visitor.locator("[data-act=duplicate]").click()
    page.wait_for_function("document.querySelectorAll('.card').length === 7")
    wait_revision(page, studio)
    morning = studio.project()["scenes"][0]["shots"]
    assert [s["title"] for s in morning][2:] == ["Visitor", "Visitor"] and morning[2]["id"] != morning[3]["id"]
    page.locator(f".card[data-shot='{morning[3]['id']}']").focus()
    page.keyboard.press("Delete")
    page.wait_for_function("document.querySelectorAll('.card').length === 6")
    assert "Undo" in page.locator(".toast").last.inner_text()
    # the keyboard stays on the board: the next card (Launch, first of Night) has the focus
    page.wait_for_function("document.activeElement?.classList.contains('card')")
    assert "Launch" in page.evaluate("document.activeElement.textContent")
    wait_revision(page, studio)
    assert [s["id"] for s in studio.project()["scenes"][0]["shots"]] == [s["id"] for s in morning[:3]]

    # drag the "Night" scene by its header above "Morning"; Alt+↓ on its title moves it back
    night_head = page.locator(".scene", has=page.locator(".scene-title", has_text="Night")).locator(".scene-head")
    morning_head = page.locator(".scene", has=page.locator(".scene-title", has_text="Morning")).locator(".scene-head")
    before = page.evaluate("window.storyloom.revision")
    night_head.drag_to(morning_head, source_position={"x": 10, "y": 20}, target_position={"x": 300, "y": 5})
    page.wait_for_function("window.storyloom.project.scenes[0].title === 'Night'")
    wait_new_revision(page, studio, before)
    assert [s["title"] for s in studio.project()["scenes"]] == ["Night", "Morning"]
    page.locator(".scene-title", has_text="Night").focus()
    before = page.evaluate("window.storyloom.revision")
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function("window.storyloom.project.scenes[0].title === 'Morning'")
    wait_new_revision(page, studio, before)
    assert [s["title"] for s in studio.project()["scenes"]] == ["Morning", "Night"]
    assert page.console.unexpected() == []


def test_shot_editor(page, studio, screenshots):
    open_board(page, studio)
    portrait = next(s for s in studio.project()["scenes"][0]["shots"] if s["title"] == "Portrait")
    page.locator(".card", has_text="Portrait").click()
    page.wait_for_selector(".editor")
    # the preview job renders the shot; the <video> gets a decodable picture
    page.wait_for_function("document.querySelector('.player-video')?.readyState >= 2", timeout=60_000)
    assert page.locator(".timecode").inner_text().endswith("frame 1/24")
    # frame stepping: "." twice, "," once → frame 2 (1-based display)
    page.locator(".ed-head").click()
    page.keyboard.press(".")
    page.keyboard.press(".")
    page.keyboard.press(",")
    page.wait_for_function("document.querySelector('.editor').dataset.frame === '1'")
    page.locator("[data-ctl=next]").click()
    page.wait_for_function("document.querySelector('.editor').dataset.frame === '2'")
    assert "frame 3/24" in page.locator(".timecode").inner_text()
    t = page.evaluate("document.querySelector('.player-video').currentTime")
    assert 2 / 24 <= t < 3 / 24

    # layers: top first (title over astronaut); hiding the title is one edit
    names = page.locator(".layer .layer-name strong").all_inner_texts()
    assert names == ["title", "astronaut"]
    page.get_by_label("Hide title").click()
    page.wait_for_selector(".layer.hidden-layer")
    wait_revision(page, studio)
    shot = next(s for s in studio.project()["scenes"][0]["shots"] if s["id"] == portrait["id"])
    assert [l["visible"] for l in shot["takes"][0]["layers"]] == [True, False]

    # tools from /api/operations: a form per operation; apply a camera move
    ops = studio.call("GET", "/api/operations")
    expect(page.locator("details.tool")).to_have_count(len(ops))
    for op in ops:
        if not op["available"]:
            assert page.locator(f"details.tool.unavailable[data-op='{op['name']}']").count() == 1
    cam = page.locator("details.tool[data-op='CameraMove']")
    cam.locator("summary").click()
    # the closed lists come from the server (JSON-schema "examples" from the engines), not the page
    from storyloom.engines.camera.base import MOVES
    from storyloom.engines.restyle.catalogue import style_names
    by_name = {op["name"]: op for op in ops}
    assert by_name["CameraMove"]["schema"]["properties"]["move"]["examples"] == list(MOVES)
    assert by_name["Restyle"]["schema"]["properties"]["style"]["examples"] == style_names()
    moves = cam.locator("select[name=move] option").evaluate_all("os => os.map((o) => o.value)")
    assert moves == ["", *MOVES]  # "choose…" first: the move is required and has no default
    styles = page.locator("details.tool[data-op='Restyle'] select[name=style] option").evaluate_all(
        "os => os.map((o) => o.value)")
    assert styles == ["", *style_names()]
    cam.locator("select[name=move]").select_option("push-in")
    cam.locator("input[type=number][name=amount]").fill("0.35")
    cam.get_by_role("button", name="Apply").click()
    page.wait_for_selector(".op-list .op")
    wait_revision(page, studio)
    shot = next(s for s in studio.project()["scenes"][0]["shots"] if s["id"] == portrait["id"])
    assert shot["takes"][0]["operations"] == [
        {"schema": "CameraMove.1", "engine": None, "move": "push-in", "amount": 0.35, "ease": "ease-in-out",
         "seed": 0}]
    assert "Camera move · push-in" in page.locator(".op-list").inner_text()  # the tool's name, not the type
    # the preview is rendered again for the changed recipe, then playing advances the clock
    page.wait_for_function("document.querySelector('.stage-msg')?.hidden && "
                           "document.querySelector('.player-video')?.readyState >= 2", timeout=60_000)
    page.mouse.move(5, 5)
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    page.evaluate("document.querySelector('main').scrollTo(0, 0)")  # the whole editor from its top
    page.screenshot(path=str(screenshots / "shot-editor.png"))

    # removing the operation is one more edit
    page.locator(".op-list .op button").click()
    page.wait_for_selector(".op-list .empty")
    wait_revision(page, studio)
    shot = next(s for s in studio.project()["scenes"][0]["shots"] if s["id"] == portrait["id"])
    assert shot["takes"][0]["operations"] == []

    # Cutout: "set point on player", click the picture's centre → a click in the layer's source pixels
    cut = page.locator("details.tool[data-op='Cutout']")
    if cut.get_attribute("class").find("unavailable") < 0:
        cut.locator("summary").click()
        assert cut.locator("select[name=layer_id]").input_value() == shot["takes"][0]["layers"][0]["id"]
        cut.get_by_role("button", name="Set point on player").click()
        video = page.locator(".player-video")
        vb = video.bounding_box()
        video.click(position={"x": vb["width"] / 2, "y": vb["height"] / 2})
        expect(cut.locator(".point-label")).to_have_text(re.compile(r"^\(\d+, \d+\) on frame \d+$"))
        cut.get_by_role("button", name="Apply").click()
        page.wait_for_function("window.storyloom.project.scenes[0].shots[0].takes[0].layers[0].operations.length === 1")
        wait_revision(page, studio)
        layer = studio.project()["scenes"][0]["shots"][0]["takes"][0]["layers"][0]
        (click,) = layer["operations"][0]["clicks"]
        # the 512×512 astronaut fills 320×180 (×0.625), pushed in and lowered by its keyframes at
        # frame 2: the centre of the picture is the image's centre column, above its middle row
        assert abs(click["x"] - 256) <= 2 and 120 < click["y"] < 200, click
        page.locator(".op-list .op button").click()
        page.wait_for_selector(".op-list .empty")
    page.keyboard.press("Escape")
    page.wait_for_selector(".board")
    assert page.console.unexpected() == []


def test_render_progress_and_play(page, studio, screenshots):
    open_board(page, studio)
    # every value the bar shows, as the job's events arrive
    page.evaluate("""() => { window.seen = [];
      new MutationObserver(() => window.seen.push(Number(document.querySelector('#render-progress').dataset.progress)))
        .observe(document.querySelector('#render-progress'), {attributes: true, attributeFilter: ['data-progress']}); }""")
    page.locator("#render-btn").click()
    dlg = page.locator("#render-dialog")
    # the bar fills from the job's events until 100 %, then says what was made
    page.wait_for_function("document.querySelector('#render-progress').dataset.progress === '100'", timeout=60_000)
    expect(page.locator("#render-progress .label")).to_contain_text("Done in")
    seen = page.evaluate("window.seen")
    assert seen[-1] == 100 and seen == sorted(seen) and len(set(seen)) >= 2, seen
    page.wait_for_selector("#render-video:not([hidden])")
    page.wait_for_function("document.querySelector('#render-video').readyState >= 2", timeout=20_000)
    duration = page.evaluate("document.querySelector('#render-video').duration")
    film = studio.project()
    expected = sum(s["duration"] for sc in film["scenes"] for s in sc["shots"])
    crossfades = sum(s["transition"]["duration"] for sc in film["scenes"] for s in sc["shots"]
                     if s["transition"]["kind"] == "crossfade")
    assert abs(duration - (expected - crossfades)) < 0.1, (duration, expected, crossfades)  # crossfades overlap
    page.evaluate("(v => { v.muted = true; v.play(); })(document.querySelector('#render-video'))")
    page.wait_for_function("document.querySelector('#render-video').currentTime > 0.3", timeout=20_000)
    href = dlg.locator("#render-download").get_attribute("href")
    assert href.startswith("/api/jobs/") and href.endswith("/output?download=1")
    page.evaluate("document.querySelector('#render-video').pause()")
    page.screenshot(path=str(screenshots / "render.png"))
    with page.expect_download() as dl:
        dlg.locator("#render-download").click()
    assert dl.value.suggested_filename.endswith(".mp4")
    assert page.locator("#otio-link").get_attribute("href") == f"/api/projects/{studio.pid}/export.otio"
    assert page.console.unexpected() == []


def test_import_video_adds_shots(page, studio, yardstick, tmp_path):
    case = yardstick.make("cuts", tmp_path / "cuts", seed=0, size=(320, 180))
    truth = json.loads((case / "truth.json").read_text())
    open_board(page, studio)
    shots_before = page.locator(".card").count()
    scenes_before = len(studio.project()["scenes"])
    page.locator("#import-btn").click()
    page.locator("#video-file").set_input_files(str(case / "input.mp4"))
    size = (case / "input.mp4").stat().st_size
    shown = f"{max(1, round(size / 1e3))} KB" if size < 1e6 else f"{size / 1e6:.1f} MB"
    expect(page.locator("#video-file-name")).to_have_text(f"input.mp4 · {shown}")  # never "0.0 MB"
    page.locator("#import-go").click()
    page.wait_for_function("!document.querySelector('#import-dialog').open", timeout=60_000)
    film = studio.project()
    new_scenes = film["scenes"][scenes_before:]
    new_shots = sum(len(s["shots"]) for s in new_scenes)
    # the splitter finds most of the case's transitions; every new shot shows as a card with its still
    assert new_shots >= (len(truth["transitions"]) + 1) // 2
    page.wait_for_function(f"document.querySelectorAll('.card').length === {shots_before + new_shots}")
    # the next Import starts afresh: no file still chosen to be imported twice by accident
    assert page.evaluate("document.querySelector('#video-file').files.length") == 0
    assert page.locator("#video-file-name").inner_text() == "Choose a video or drop it here"
    new_ids = [s["id"] for sc in new_scenes for s in sc["shots"]]
    assert all(s["thumbnails"] for sc in new_scenes for s in sc["shots"])
    imgs = page.locator(f".card[data-shot='{new_ids[0]}'] img")
    imgs.scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector(\".card[data-shot='{new_ids[0]}'] img\").naturalWidth > 0")
    assert page.console.unexpected() == []


def test_script_paste_then_fill_a_blank_shot(page, studio, tmp_path):
    open_board(page, studio)
    scenes_before = len(studio.project()["scenes"])
    page.locator("#import-btn").click()
    page.locator("[data-tab=script]").click()
    page.locator("#script-text").fill("INT. KITCHEN - NIGHT\n\nAnna waits by the phone.\n\nANNA\nRing.\n\n"
                                      "EXT. STREET - DAY\n\nA bus passes. Anna runs after it.\n")
    page.locator("#import-go").click()
    page.wait_for_function("!document.querySelector('#import-dialog').open")
    assert page.locator("#script-text").input_value() == ""  # imported once: the box is empty again
    film = studio.project()
    new = film["scenes"][scenes_before:]
    assert [s["title"] for s in new] == ["INT. KITCHEN - NIGHT", "EXT. STREET - DAY"]
    assert [c["name"] for c in film["cast"]] == ["Anna"]
    # script shots are blank cards showing their description
    kitchen = page.locator(".scene", has=page.locator(".scene-title", has_text="INT. KITCHEN - NIGHT"))
    desc = kitchen.locator(".card .blank-desc").first
    desc.scroll_into_view_if_needed()
    expect(desc).to_contain_text("Anna waits by the phone.")

    # open that blank shot and give it a picture layer with "+ Media"
    from PIL import Image
    import numpy as np
    yy, xx = np.mgrid[:90, :160]
    Image.fromarray(np.dstack([xx * 255 // 159, yy * 255 // 89, np.full_like(xx, 128)]).astype(np.uint8)).save(
        tmp_path / "kitchen.png")
    desc.click()
    page.wait_for_selector(".stage-blank:not([hidden])")
    page.locator(".layer-add input[type=file]").set_input_files(str(tmp_path / "kitchen.png"))
    page.wait_for_selector(".layer .layer-name strong:text('kitchen')")
    expect(page.locator(".stage-blank")).to_be_hidden()
    wait_revision(page, studio)
    shot = studio.project()["scenes"][scenes_before]["shots"][0]
    (layer,) = shot["takes"][0]["layers"]
    assert layer["source"]["asset"]["kind"] == "image" and layer["role"] == "background"
    page.wait_for_function("document.querySelector('.stage-msg')?.hidden && "
                           "document.querySelector('.player-video')?.readyState >= 2", timeout=60_000)
    assert page.console.unexpected() == []


def test_stale_edit_reloads_with_message(page, studio):
    open_board(page, studio)
    # someone else renames the first scene behind the page's back
    film = studio.call("GET", f"/api/projects/{studio.pid}")
    sid = film["project"]["scenes"][0]["id"]
    studio.call("PATCH", f"/api/projects/{studio.pid}/scenes/{sid}",
                {"base_revision": film["revision"], "title": "Dawn"})
    shots_before = len(studio.project()["scenes"][1]["shots"])
    # the page's edit is based on the old revision: 409, a clear toast, and the fresh project
    page.locator(".scene").nth(1).locator(".slot[data-index='0']").click()
    page.wait_for_selector(".toast.warn")
    assert "changed elsewhere" in page.locator(".toast.warn").inner_text().lower()
    page.wait_for_function("document.querySelector('.scene-title').textContent === 'Dawn'")
    wait_revision(page, studio)
    assert len(studio.project()["scenes"][1]["shots"]) == shots_before  # nothing applied twice or half
    # the same click now works
    page.locator(".scene").nth(1).locator(".slot[data-index='0']").click()
    page.wait_for_function(f"window.storyloom.project.scenes[1].shots.length === {shots_before + 1}")
    assert page.console.unexpected("409") == []


def test_projects_create_rename_delete(page, studio):
    page.goto(studio.url)
    page.wait_for_selector(".project-item")
    page.locator("#new-project").click()
    page.locator("#ask-input").fill("Trailer")
    page.keyboard.press("Enter")  # Enter in the name box means OK
    page.wait_for_selector(".empty-board")
    projects = studio.call("GET", "/api/projects")
    new = next(p for p in projects if p["title"] == "Trailer")
    assert page.evaluate("location.hash") == f"#/p/{new['id']}"
    item = page.locator(f".project-item[data-project='{new['id']}']")
    item.hover()
    item.locator("[data-act=rename-project]").click()
    page.locator("#ask-input").fill("Trailer v2")
    page.locator("#ask-ok").click()
    page.wait_for_selector(".project-title:text('Trailer v2')")
    assert studio.call("GET", f"/api/projects/{new['id']}")["project"]["title"] == "Trailer v2"
    item.hover()
    item.locator("[data-act=delete-project]").click()
    assert "cannot be undone" in page.locator("#ask-text").inner_text()
    page.locator("#ask-ok").click()
    page.wait_for_function(f"!document.querySelector(\".project-item[data-project='{new['id']}']\")")
    assert [p["id"] for p in studio.call("GET", "/api/projects")] == [studio.pid]
    assert page.console.unexpected() == []


def test_token_travels_on_every_url(page, start_studio):
    """A studio that needs a token: the page opened with ?token= loads, shows thumbnails
    and follows job events, with the token on its API, media and EventSource URLs."""
    s = start_studio(token="s3cret-token-for-tests")
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{s.url}?token=s3cret-token-for-tests#/p/{s.pid}")
    page.wait_for_selector(".card img")
    page.wait_for_function("[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)")
    page.locator(".card").first.click()
    page.wait_for_function("document.querySelector('.player-video')?.readyState >= 2", timeout=60_000)
    api_urls = [u for u in urls if "/api/" in u]
    assert any("/events" in u for u in api_urls) and any("/api/assets/" in u for u in api_urls)
    assert all("token=s3cret-token-for-tests" in u for u in api_urls), api_urls
    assert page.console.unexpected() == []

"""The layer tools in the real page against the real server: extract a layer by clicking
(or dragging a box) on the player, and replace a scene's background from the storyboard.

The footage is the yardstick's "layers" case: a textured blob moving over a panning
background, with its click point and box on frame 0.
"""
from __future__ import annotations

import json
import urllib.request
import uuid

from playwright.sync_api import expect

# the blob is no person: the default cut-out engine here ("people", mediapipe) keeps only part
# of it (IoU 0.46 against the truth, 0.82 with "matting"), so the page is told to use matting
ENGINE = "matting"
# the jobs run on a shared, busy machine: give the page's answers more than expect's 5 s
expect.set_options(timeout=30_000)
BLUE = (0x1E, 0x90, 0xFF)


def upload(studio, path) -> dict:
    """POST /api/assets with the file, as the page's uploads do (multipart)."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(studio.url + "api/assets", data=body, method="POST",
                                 headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def head(studio) -> int:
    return studio.call("GET", f"/api/projects/{studio.pid}")["revision"]


def wait_head(page, studio, after: int) -> int:
    """Wait for a new head revision (after ``after``) and for the page to show it."""
    page.wait_for_function(f"window.storyloom.revision > {after}", timeout=90_000)
    rev = head(studio)
    page.wait_for_function(f"window.storyloom.revision === {rev}")
    return rev


def find_shot(project: dict, shot_id: str) -> dict:
    return next(s for sc in project["scenes"] for s in sc["shots"] if s["id"] == shot_id)


def wait_preview(page):
    page.wait_for_function("document.querySelector('.stage-msg')?.hidden && "
                           "document.querySelector('.player-video')?.readyState >= 2", timeout=90_000)


def pixel(page, x: int, y: int) -> list[float]:
    """The preview's mean colour in a 5×5 patch at frame pixel (x, y) of the frame shown."""
    return page.evaluate("""([x, y]) => {
      const v = document.querySelector('.player-video');
      const c = document.createElement('canvas');
      c.width = v.videoWidth; c.height = v.videoHeight;
      const g = c.getContext('2d');
      g.drawImage(v, 0, 0);
      const d = g.getImageData(x - 2, y - 2, 5, 5).data;
      const m = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) m[k] += d[i + k] / 25;
      return m;
    }""", [x, y])


def test_extract_layer_then_replace_background(page, studio, yardstick, tmp_path, screenshots):
    case = yardstick.make("layers", tmp_path / "layers", seed=0, size=(320, 180))
    meta = json.loads((case / "meta.json").read_text())
    cx, cy = meta["click"]["x"], meta["click"]["y"]
    # a scene with one 1 s shot showing the clip (set up through the API; the tools go through the page)
    asset = upload(studio, case / "input.mp4")
    rev = head(studio)
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes", {"base_revision": rev, "title": "Blob"})
    sid = res["id"]
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes/{sid}/shots",
                      {"base_revision": res["revision"], "title": "Blob", "duration": 1.0})
    shot_id = res["id"]
    res = studio.call("POST", f"/api/projects/{studio.pid}/shots/{shot_id}/layers",
                      {"base_revision": res["revision"],
                       "source": {"kind": "asset", "asset": {"sha256": asset["sha256"], "name": asset["name"],
                                                             "kind": asset["kind"]}}})
    (clip,) = find_shot(res["project"], shot_id)["takes"][0]["layers"]
    assert clip["role"] == "background"

    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot_id}")
    wait_preview(page)
    panel = page.locator(".extract-panel")
    panel.locator("select[name=extract-engine]").select_option(ENGINE)

    # someone else edits the shot first: the page's request is stale → a warning, nothing saved
    before = head(studio)
    studio.call("PATCH", f"/api/projects/{studio.pid}/shots/{shot_id}", {"base_revision": before, "title": "Blob 1"})
    vb = page.locator(".stage").bounding_box()
    at = {"x": cx / 320 * vb["width"], "y": cy / 180 * vb["height"]}
    panel.get_by_role("button", name="Pick on player").click()
    page.locator(".pick-overlay").click(position=at)
    page.wait_for_selector(".toast.warn")
    assert "changed elsewhere" in page.locator(".toast.warn").inner_text().lower()
    base = wait_head(page, studio, before)
    assert base == before + 1 and len(find_shot(studio.project(), shot_id)["takes"][0]["layers"]) == 1

    # the same click again: a job (its bar in the panel), then the new layer above the clip
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    wait_preview(page)
    assert page.evaluate("document.querySelector('.editor').dataset.frame") == "0"
    panel.get_by_role("button", name="Pick on player").click()
    page.locator(".pick-overlay").click(position=at)
    expect(page.locator(".extract-progress")).to_be_visible()
    rev = wait_head(page, studio, base)
    assert rev == base + 1  # one revision
    expect(page.locator(".layer .layer-name strong")).to_have_text(["Cutout 1", "input"])
    layers = find_shot(studio.project(), shot_id)["takes"][0]["layers"]
    assert [l["name"] for l in layers] == ["input", "Cutout 1"] and layers[0]["id"] == clip["id"]
    cut = layers[1]
    assert cut["role"] == "foreground" and cut["source"] == clip["source"]
    (op,) = cut["operations"]
    assert op["schema"].startswith("Cutout.") and op["engine"] == ENGINE
    (click,) = op["clicks"]  # the 320×180 clip fills the 320×180 frame: the same pixels
    assert abs(click["x"] - cx) <= 2 and abs(click["y"] - cy) <= 2 and click["frame"] == 0, click
    history = studio.call("GET", f"/api/projects/{studio.pid}/history?limit=1")
    assert history[0]["summary"].startswith("extract layer 'Cutout 1'")
    expect(page.locator(".toast").last).to_contain_text("Extracted “Cutout 1”")
    expect(page.locator(".op-list .op-label")).to_have_text(["Cutout · 1 click"])  # one click, said so
    wait_preview(page)
    page.mouse.move(5, 5)
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    page.screenshot(path=str(screenshots / "layers.png"))

    # a box dragged around the blob makes a second cutout, its box mapped to the clip's pixels
    x0, y0, x1, y1 = (meta["box"][k] for k in ("x0", "y0", "x1", "y1"))
    ob = page.locator(".stage").bounding_box()
    sx, sy = ob["width"] / 320, ob["height"] / 180
    panel.get_by_role("button", name="Pick on player").click()
    page.mouse.move(ob["x"] + (x0 - 4) * sx, ob["y"] + (y0 - 4) * sy)
    page.mouse.down()
    page.mouse.move(ob["x"] + (x0 + x1) / 2 * sx, ob["y"] + (y0 + y1) / 2 * sy, steps=4)
    page.mouse.move(ob["x"] + (x1 + 4) * sx, ob["y"] + (y1 + 4) * sy, steps=4)
    expect(page.locator(".pick-box")).to_be_visible()
    page.mouse.up()
    rev = wait_head(page, studio, rev)
    layers = find_shot(studio.project(), shot_id)["takes"][0]["layers"]
    assert [l["name"] for l in layers] == ["input", "Cutout 2", "Cutout 1"]  # just above its source
    box = layers[1]["operations"][0]["box"]
    assert all(abs(a - b) <= 2 for a, b in zip(box, (x0 - 4, y0 - 4, x1 + 4, y1 + 4))), box
    # (removed again through the page: one layer less, one revision more)
    page.get_by_label("Delete layer Cutout 2").click()
    rev = wait_head(page, studio, rev)
    assert [l["name"] for l in find_shot(studio.project(), shot_id)["takes"][0]["layers"]] == ["input", "Cutout 1"]

    # the storyboard: "Replace background…" on the Blob scene, a colour, harmonise off
    page.locator(".ed-head a.btn").click()  # back to the storyboard
    page.wait_for_selector(".board")
    scene = page.locator(f".scene[data-scene='{sid}']")
    scene.scroll_into_view_if_needed()
    scene.locator(".scene-head").hover()
    scene.locator("[data-act=background]").click()
    dlg = page.locator("#bg-dialog")
    expect(dlg).to_be_visible()
    expect(dlg.locator("#bg-what")).to_contain_text("“Blob”")
    dlg.locator("#bg-color").fill("#1e90ff")
    expect(dlg.locator("#bg-color-hex")).to_have_text("#1e90ff")
    dlg.locator("#bg-harmonize").check()
    expect(dlg.locator(".bg-strength")).to_be_visible()
    page.evaluate("document.querySelectorAll('.toast, .job-chip').forEach((t) => t.remove())")
    page.screenshot(path=str(screenshots / "replace-background.png"))
    dlg.locator("#bg-harmonize").uncheck()
    dlg.locator("#bg-go").click()
    page.wait_for_function("!document.querySelector('#bg-dialog').open", timeout=90_000)
    rev = wait_head(page, studio, rev)
    layers = find_shot(studio.project(), shot_id)["takes"][0]["layers"]
    # the clip was the background: a colour layer takes its place; the cut-out stays on top
    assert [l["name"] for l in layers] == ["Background", "Cutout 1"], layers
    src = layers[0]["source"]
    assert (src["kind"], src["color"], layers[0]["role"]) == ("color", "#1e90ff", "background")
    assert all(o["schema"].split(".")[0] != "Harmonize" for o in layers[1]["operations"])
    history = studio.call("GET", f"/api/projects/{studio.pid}/history?limit=1")
    assert history[0]["number"] == rev and "background" in history[0]["summary"].lower()
    expect(page.locator(".toast").last).to_contain_text("New background behind 1 shot")

    # the shot's preview now shows the blue where the clip's background was, the blob where it is
    page.locator(f".card[data-shot='{shot_id}']").click()
    wait_preview(page)
    corner = pixel(page, 8, 8)
    assert all(abs(a - b) <= 16 for a, b in zip(corner, BLUE)), corner
    blob = pixel(page, cx, cy)
    assert sum(abs(a - b) for a, b in zip(blob, BLUE)) > 120, blob
    assert page.console.unexpected("409") == []


def test_layer_tool_errors_are_toasts(page, studio, tmp_path):
    """A request the server refuses shows its one-line detail as a toast: a sound file
    chosen as a scene's background (uploaded fine, refused by the background tool)."""
    import wave
    import numpy as np
    tone = (np.sin(np.arange(8000) * 2 * np.pi * 440 / 8000) * 8000).astype("<i2")
    with wave.open(str(tmp_path / "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(tone.tobytes())
    page.goto(f"{studio.url}#/p/{studio.pid}")
    page.wait_for_selector(".card")
    page.wait_for_function("window.storyloom.revision !== null")
    before = studio.project()
    rev = studio.call("GET", f"/api/projects/{studio.pid}")["revision"]
    first = before["scenes"][0]
    page.locator(f".scene[data-scene='{first['id']}'] .scene-head").hover()
    page.locator(f".scene[data-scene='{first['id']}'] [data-act=background]").click()
    dlg = page.locator("#bg-dialog")
    dlg.locator("[data-bgtab=media]").click()
    dlg.locator("#bg-file").set_input_files(str(tmp_path / "tone.wav"))
    expect(dlg.locator("#bg-file-name")).to_contain_text("tone.wav")
    dlg.locator("#bg-go").click()
    expect(page.locator(".toast.error")).to_contain_text("has no picture to use as a background")
    expect(dlg.locator("#bg-progress .label")).to_contain_text("Failed:")
    expect(dlg).to_be_visible()  # the dialog stays for another choice
    assert studio.call("GET", f"/api/projects/{studio.pid}")["revision"] == rev  # nothing saved
    dlg.get_by_role("button", name="Close").click()
    assert page.console.unexpected("400") == []


def test_refine_a_cutout_layer_on_the_player(page, studio, tmp_path, screenshots):
    """"Refine" on a cutout layer: a step to frame 6, an Alt-click on the block the cutout
    wrongly took, Apply → one revision, and the preview (the clip hidden under the cutout)
    shows the red block alone. Escape cancels without saving; Backspace takes a click back."""
    import importlib.util
    import pathlib
    from storyloom.media import write_video
    spec = importlib.util.spec_from_file_location(
        "_blocks", pathlib.Path(__file__).parents[1] / "engines" / "cutout" / "test_cutout_clicks.py")
    B = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(B)
    frames, red, blue = B._two_blocks()         # 160x90, 12 frames: shown at 2x in the 320x180 frame
    asset = upload(studio, write_video(tmp_path / "blocks.mp4", list(frames), 24))
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes", {"base_revision": head(studio), "title": "Blocks"})
    res = studio.call("POST", f"/api/projects/{studio.pid}/scenes/{res['id']}/shots",
                      {"base_revision": res["revision"], "title": "Blocks", "duration": 0.5})
    shot_id = res["id"]
    res = studio.call("POST", f"/api/projects/{studio.pid}/shots/{shot_id}/layers",
                      {"base_revision": res["revision"],
                       "source": {"kind": "asset", "asset": {k: asset[k] for k in ("sha256", "name", "kind")}}})
    # the wrong cutout to correct: a box around both blocks
    job = studio.call("POST", f"/api/projects/{studio.pid}/shots/{shot_id}/extract",
                      {"base_revision": res["revision"], "box": [2 * v for v in B.BOX], "engine": ENGINE})
    rev = wait_job_revision(studio, job["job_id"])

    page.goto(f"{studio.url}#/p/{studio.pid}/shot/{shot_id}")
    wait_preview(page)
    refine = page.get_by_role("button", name="Refine cutout Cutout 1")
    expect(page.get_by_role("button", name="Refine cutout blocks")).to_have_count(0)   # the clip has no cutout
    bar = page.locator(".refine-bar")
    vb = page.locator(".stage").bounding_box()
    on = lambda x, y: {"x": x / 320 * vb["width"], "y": y / 180 * vb["height"]}  # noqa: E731  frame px → overlay px
    blue6, red6 = on(2 * B.BLUE_CX(6), 86), on(2 * (B.RED_X(6) + 10), 86)

    # Escape cancels: the clicks go, nothing is saved
    refine.click()
    expect(bar).to_be_visible()
    page.locator(".pick-overlay").click(position=red6)
    expect(page.locator(".refine-mark.pos")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(page.locator(".refine-mark")).to_have_count(0)
    assert head(studio) == rev

    # the keyboard: Refine, frame 6 with ".", a click, Backspace takes it back
    refine.focus()
    page.keyboard.press("Enter")
    expect(refine).to_have_attribute("aria-pressed", "true")
    for _ in range(6):
        page.keyboard.press(".")
    page.wait_for_function("document.querySelector('.editor').dataset.frame === '6'")
    page.locator(".pick-overlay").click(position=red6)
    page.keyboard.press("Backspace")
    expect(page.locator(".refine-mark")).to_have_count(0)
    expect(bar.get_by_role("button", name="Apply")).to_be_disabled()
    # Alt-click on the blue block: a − mark where it was clicked, on this frame only
    page.locator(".pick-overlay").click(position=blue6, modifiers=["Alt"])
    expect(page.locator(".refine-mark.neg")).to_have_count(1)
    expect(bar.locator(".refine-count")).to_have_text("1 click on frame 7")   # the timecode counts from 1
    page.mouse.move(5, 5)
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    page.screenshot(path=str(screenshots / "refine-cutout.png"))
    page.keyboard.press(",")
    expect(page.locator(".refine-mark")).to_have_count(0)
    page.keyboard.press(".")
    expect(page.locator(".refine-mark.neg")).to_have_count(1)

    bar.get_by_role("button", name="Apply").click()
    expect(page.locator(".refine-progress")).to_be_visible()
    rev = wait_head(page, studio, rev)
    expect(page.locator(".toast").last).to_contain_text("Refined “Cutout 1” with 1 click")
    expect(bar).to_be_hidden()
    expect(page.locator(".op-list .op-label")).to_have_text(["Cutout · box · 1 correction"])
    history = studio.call("GET", f"/api/projects/{studio.pid}/history?limit=1")
    assert history[0]["number"] == rev and history[0]["summary"].startswith("refine cutout 'Cutout 1' (-1 click on frame 6)")
    layers = find_shot(studio.project(), shot_id)["takes"][0]["layers"]
    (op,) = layers[1]["operations"]
    (c,) = op["clicks"]                          # in the clip's own pixels: half the frame's
    assert (c["frame"], c["positive"]) == (6, False) and abs(c["x"] - B.BLUE_CX(6)) <= 1 and abs(c["y"] - 43) <= 1, c

    # the picture: with the clip hidden, frame 6 shows the red block and black where the blue one was
    page.get_by_label("Hide blocks").click()
    rev = wait_head(page, studio, rev)
    wait_preview(page)
    page.evaluate("document.querySelector('.player-video').currentTime = 6.5 / 24")
    page.wait_for_function("Math.abs(document.querySelector('.player-video').currentTime - 6.5 / 24) < 1e-3")
    page.wait_for_timeout(300)
    at_red, at_blue = pixel(page, 2 * (B.RED_X(6) + 10), 86), pixel(page, 2 * B.BLUE_CX(6), 86)
    assert at_red[0] > 160 and at_red[2] < 90, at_red
    assert max(at_blue) < 40, at_blue
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    page.screenshot(path=str(screenshots / "refined-cutout.png"))
    assert page.console.unexpected() == []


def wait_job_revision(studio, job_id: str) -> int:
    """Wait for a job through the API; its result's revision."""
    import time
    for _ in range(600):
        job = studio.call("GET", f"/api/jobs/{job_id}")
        if job["status"] in ("done", "failed", "cancelled"):
            assert job["status"] == "done", job
            return job["result"]["revision"]
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")

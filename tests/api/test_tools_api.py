"""The tool panel's layer tools as jobs: extract an object as a layer, replace a scene's
background; on the yardstick's layers case (160x90, exact alpha truth)."""
import json
import time

import cv2
import numpy as np
import pytest

from api_helpers import hold_worker, new_project, ok
from test_jobs_api import _wait

from storyloom.media import probe, read_frames


@pytest.fixture(scope="module")
def layers_case(yardstick, tmp_path_factory):
    out = tmp_path_factory.mktemp("yardstick") / "layers"
    yardstick.make("layers", out, seed=0, size=(160, 90), fps=12)
    return out


def _setup(client, case):
    """A 160x90 12 fps project: scene 1 with one 1 s shot of the case's video."""
    pid, rev, _ = new_project(client)
    up = ok(client.post("/api/assets", files={"file": ("walk.mp4", (case / "input.mp4").read_bytes(), "video/mp4")}))
    scene = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Park"}))
    shot = ok(client.post(f"/api/projects/{pid}/scenes/{scene['id']}/shots",
                          json={"base_revision": scene["revision"], "title": "Walk", "duration": 1.0}))
    layer = ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/layers",
                           json={"base_revision": shot["revision"], "source": {"kind": "asset", "asset": up}}))
    return pid, layer["revision"], scene["id"], shot["id"], layer["id"]


def _iou(alpha, truth):
    a, t = alpha > 127, truth > 127
    return (a & t).sum() / max(1, (a | t).sum())


def test_extract_cuts_the_object_out_as_a_layer(client, layers_case):
    meta = json.loads((layers_case / "meta.json").read_text())
    pid, rev, _, shot_id, src_id = _setup(client, layers_case)
    click = [meta["click"]["x"], meta["click"]["y"]]
    # the matting engine by name: the default choice here (the people engine) loses a
    # non-person object after a frame on this case
    job_id = ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/extract",
                            json={"base_revision": rev, "point": click, "frame": 0, "engine": "matting"}))["job_id"]
    job = _wait(client, job_id)
    assert job["status"] == "done", job
    assert job["kind"] == "extract" and job["result"]["revision"] == rev + 1
    got = ok(client.get(f"/api/projects/{pid}"))
    assert got["revision"] == rev + 1
    layers = got["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    assert [l["id"] for l in layers][0] == src_id and layers[1]["id"] == job["result"]["layer_id"]
    assert layers[1]["role"] == "foreground" and layers[1]["operations"][-1]["schema"].startswith("Cutout")
    assert ok(client.get(f"/api/projects/{pid}/history"))[0]["summary"].startswith("extract layer")
    # the new layer's matte against the case's exact alpha
    from storyloom.export.layers import iter_layer_frames
    lib = client.app.state.lib
    project, _ = lib.load(pid)
    shot = project.shots()[0]
    frames = list(iter_layer_frames(lib, project, shot, shot.layer(job["result"]["layer_id"]), [0, 6]))
    for i, f in zip((0, 6), frames):
        truth = cv2.imread(str(sorted((layers_case / "alpha").glob("*.png"))[i]), cv2.IMREAD_GRAYSCALE)
        assert _iou(f[..., 3], truth) > 0.85, i    # measured 0.93 / 0.93


def test_extract_refuses_bad_requests_before_any_job(client, layers_case):
    pid, rev, _, shot_id, src_id = _setup(client, layers_case)
    url = f"/api/projects/{pid}/shots/{shot_id}/extract"
    outside = client.post(url, json={"base_revision": rev, "point": [500, 20]})
    assert outside.status_code == 400 and "outside the 160x90 frame" in outside.json()["detail"]
    r = client.post(url, json={"base_revision": rev})
    assert r.status_code == 400 and "give a point or a box" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev, "point": [80, 45], "frame": 40})
    assert r.status_code == 400 and "frame 40 does not exist" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev - 1, "point": [80, 45]})
    assert r.status_code == 409 and r.json()["revision"] == rev
    assert client.post(url, json={"base_revision": rev, "point": [80, 45], "layer_id": "nope"}).status_code == 404
    assert client.post(f"/api/projects/{pid}/shots/nope/extract",
                       json={"base_revision": rev, "point": [80, 45]}).status_code == 404
    r = client.post(url, json={"base_revision": rev, "point": [80, 45], "engine": "nonesuch"})
    assert r.status_code == 400 and "not a segment engine" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev, "box": [10, 10, 5, 5]})
    assert r.status_code == 400 and "has no area" in r.json()["detail"]
    assert client.app.state.lib.jobs(pid) == []
    assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev


def test_background_colour_with_harmonize_renders_behind_the_subject(client, layers_case, tmp_path):
    pid, rev, sid, shot_id, _ = _setup(client, layers_case)
    job = _wait(client, ok(client.post(f"/api/projects/{pid}/scenes/{sid}/background",
                                       json={"base_revision": rev, "color": "#2266AA", "harmonize": True,
                                             "engine": "matting"}))["job_id"])
    assert job["status"] == "done", job
    res = job["result"]
    assert res["revision"] == rev + 1 and res["shots"] == 1 and res["scene_id"] == sid
    assert [e["shot_id"] for e in res["extracted"]] == [shot_id]   # no foreground yet: the subject was found
    layers = ok(client.get(f"/api/projects/{pid}"))["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    assert len(layers) == 2   # the video layer added at the bottom was the background: replaced
    assert layers[0]["role"] == "background" and layers[0]["source"] == {
        "schema": layers[0]["source"]["schema"], "kind": "color", "color": "#2266aa"}
    fg = [l for l in layers if l["role"] == "foreground"]
    assert len(fg) == 1 and [o["schema"].split(".")[0] for o in fg[0]["operations"]] == ["Cutout", "Harmonize"]
    # the picture: the new colour where the object is not, the object where it is
    preview = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/preview"))["job_id"])
    clip = tmp_path / "p.mp4"
    clip.write_bytes(client.get(preview["result"]["url"]).content)
    assert probe(clip).frames == 12
    from storyloom.export.layers import iter_layer_frames
    lib = client.app.state.lib
    project, _ = lib.load(pid)
    shot = project.shots()[0]
    alpha = next(iter_layer_frames(lib, project, shot, shot.layers[1], [0]))[..., 3]
    fg, bg = alpha > 250, alpha == 0
    assert fg.sum() > 100 and bg.sum() > 100
    first = read_frames(clip, 0, 1)[0].astype(int)
    assert np.abs(first[bg].mean(0) - [0x22, 0x66, 0xaa]).max() < 20, first[bg].mean(0)
    assert np.abs(first[fg].mean(0) - [0x22, 0x66, 0xaa]).max() > 30   # the subject stays in front


def test_background_from_asset_or_shot_and_refusals(client, layers_case, png_bytes):
    pid, rev, sid, shot_id, _ = _setup(client, layers_case)
    url = f"/api/projects/{pid}/scenes/{sid}/background"
    r = client.post(url, json={"base_revision": rev})
    assert r.status_code == 400 and "exactly one of color, asset or shot_id" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev, "color": "#fff", "shot_id": shot_id})
    assert r.status_code == 400 and "(got color, shot_id)" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev, "color": "blue"})
    assert r.status_code == 400 and "#rrggbb" in r.json()["detail"]
    r = client.post(url, json={"base_revision": rev, "shot_id": shot_id})
    assert r.status_code == 400 and "cannot be its own background" in r.json()["detail"]
    assert client.post(url, json={"base_revision": rev, "asset": {"sha256": "ab" * 32}}).status_code == 404
    assert client.post(f"/api/projects/{pid}/scenes/nope/background",
                       json={"base_revision": rev, "color": "#000000"}).status_code == 404
    assert client.app.state.lib.jobs(pid) == []

    still = ok(client.post("/api/assets", files={"file": ("sky.png", png_bytes, "image/png")}))
    job = _wait(client, ok(client.post(url, json={"base_revision": rev, "asset": still}))["job_id"])
    assert job["status"] == "done", job
    rev = job["result"]["revision"]
    layers = ok(client.get(f"/api/projects/{pid}"))["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    assert layers[0]["source"]["asset"]["sha256"] == still["sha256"] and layers[0]["source"]["asset"]["kind"] == "image"
    assert len([l for l in layers if l["role"] == "background"]) == 1

    # another scene's shot as the background: the background layer keeps its slot (same id)
    other = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Sky"}))
    sky = ok(client.post(f"/api/projects/{pid}/scenes/{other['id']}/shots",
                         json={"base_revision": other["revision"], "title": "Sky"}))
    job = _wait(client, ok(client.post(url, json={"base_revision": sky["revision"], "shot_id": sky["id"]}))["job_id"])
    assert job["status"] == "done", job
    after = ok(client.get(f"/api/projects/{pid}"))["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    assert after[0]["id"] == layers[0]["id"] and after[0]["source"] == {
        "schema": after[0]["source"]["schema"], "kind": "shot", "shot_id": sky["id"]}


def test_extract_keeps_an_edit_saved_while_it_waited(make_client, layers_case):
    client = make_client(job_workers=1)
    meta = json.loads((layers_case / "meta.json").read_text())
    pid, rev, _, shot_id, _ = _setup(client, layers_case)
    release = hold_worker(client)
    job_id = ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/extract",
                            json={"base_revision": rev, "point": [meta["click"]["x"], meta["click"]["y"]],
                                  "engine": "matting"}))["job_id"]
    renamed = ok(client.patch(f"/api/projects/{pid}", json={"base_revision": rev, "title": "Renamed meanwhile"}))
    release.set()
    job = _wait(client, job_id)
    assert job["status"] == "done", job
    assert job["result"]["revision"] == renamed["revision"] + 1
    got = ok(client.get(f"/api/projects/{pid}"))["project"]
    assert got["title"] == "Renamed meanwhile"
    assert len(got["scenes"][0]["shots"][0]["takes"][0]["layers"]) == 2


def test_cancel_before_saving_saves_nothing(make_client, layers_case):
    client = make_client(job_workers=1)
    pid, rev, _, shot_id, _ = _setup(client, layers_case)
    release = hold_worker(client)
    job_id = ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/extract",
                            json={"base_revision": rev, "box": [40, 20, 100, 70]}))["job_id"]
    assert ok(client.post(f"/api/jobs/{job_id}/cancel"))["status"] == "cancelled"
    release.set()
    time.sleep(0.2)
    assert _wait(client, job_id)["status"] == "cancelled"
    assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev


def test_preview_of_a_shot_showing_another_shot(client, layers_case, tmp_path):
    """After "background from another shot", the shot's preview shows that shot behind
    the subject (the shown shot must be rendered with it, then left out of the clip)."""
    pid, rev, sid, shot_id, _ = _setup(client, layers_case)
    other = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Sky"}))
    sky = ok(client.post(f"/api/projects/{pid}/scenes/{other['id']}/shots",
                         json={"base_revision": other["revision"], "title": "Sky", "duration": 0.5}))
    red = ok(client.post(f"/api/projects/{pid}/shots/{sky['id']}/layers",
                         json={"base_revision": sky["revision"], "source": {"kind": "color", "color": "#dd2211"}}))
    job = _wait(client, ok(client.post(f"/api/projects/{pid}/scenes/{sid}/background",
                                       json={"base_revision": red["revision"], "shot_id": sky["id"],
                                             "engine": "matting"}))["job_id"])
    assert job["status"] == "done", job
    preview = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/preview"))["job_id"])
    assert preview["status"] == "done", preview
    clip = tmp_path / "p.mp4"
    clip.write_bytes(client.get(preview["result"]["url"]).content)
    info = probe(clip)
    assert info.frames == 12 and abs(info.duration - 1.0) < 0.1   # the shot alone, not the sky after it
    # frame 3: where the subject layer's matte is opaque the video shows, elsewhere the sky shot
    from storyloom.export.layers import iter_layer_frames
    lib = client.app.state.lib
    project, _ = lib.load(pid)
    shot = project.shots()[0]
    alpha = next(iter_layer_frames(lib, project, shot, shot.layers[1], [3]))[..., 3]
    fg, bg = alpha > 250, alpha == 0
    assert fg.sum() > 100 and bg.sum() > 100
    got = read_frames(clip, 3, 4)[0].astype(int)
    video = read_frames(layers_case / "input.mp4", 3, 4)[0].astype(int)
    assert np.abs(got[bg].mean(0) - [0xdd, 0x22, 0x11]).max() < 20
    assert np.abs(got[fg] - video[fg]).mean() < 15
    # the sky shot changes: the preview is made again (its key covers the shots it shows)
    ok(client.patch(f"/api/projects/{pid}/shots/{sky['id']}/layers/{red['id']}",
                    json={"base_revision": job["result"]["revision"], "opacity": 0.5}))
    again = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/preview"))["job_id"])
    assert again["status"] == "done" and again["result"]["cached"] is False
    assert not list((client.app.state.lib.cache_dir / "previews").glob(".*"))   # no temp files left


def test_cancel_while_cutting_saves_nothing(client, layers_case):
    """A cancel that arrives while the engine runs stops the job at its save: the job runs
    the studio's layer edit on the head, then reports "saving" before it saves."""
    from types import SimpleNamespace
    from storyloom.store.jobs import Cancelled
    from storyloom.studio.jobs import extract
    pid, rev, _, shot_id, _ = _setup(client, layers_case)
    said = []

    def report(fraction, message):
        said.append(message)
        if message == "saving":
            raise Cancelled()
    job = SimpleNamespace(id="no-job-row", project_id=pid, params={
        "shot_id": shot_id, "layer_id": None, "point": None, "box": [40, 20, 100, 70], "clicks": [], "frame": 0,
        "engine": "matting"})
    with pytest.raises(Cancelled):
        extract(client.app.state.lib, job, SimpleNamespace(report=report, add_work=lambda w: None))
    assert said[-1] == "saving" and said.count("saving") == 1
    assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev


def test_tool_clicked_twice_shares_one_job(make_client, layers_case):
    client = make_client(job_workers=1)
    pid, rev, sid, shot_id, _ = _setup(client, layers_case)
    release = hold_worker(client)
    ask = {"base_revision": rev, "box": [40, 20, 100, 70], "engine": "matting"}
    url = f"/api/projects/{pid}/shots/{shot_id}/extract"
    a, b = (ok(client.post(url, json=ask))["job_id"] for _ in range(2))
    c = ok(client.post(url, json={**ask, "box": [40, 20, 100, 80]}))["job_id"]
    bg = f"/api/projects/{pid}/scenes/{sid}/background"
    d, e = (ok(client.post(bg, json={"base_revision": rev, "color": "#000000"}))["job_id"] for _ in range(2))
    assert a == b and c != a and d == e
    for j in (a, c, d):
        client.post(f"/api/jobs/{j}/cancel")
    release.set()
    assert {_wait(client, j)["status"] for j in (a, c, d)} == {"cancelled"}


# ---------------------------------------------------------------- refine a cutout layer
def _blocks_module():
    """The two-block clip of tests/engines/cutout (a red and a blue block side by side)."""
    import importlib.util
    import pathlib
    spec = importlib.util.spec_from_file_location(
        "_blocks", pathlib.Path(__file__).parents[1] / "engines" / "cutout" / "test_cutout_clicks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


B = _blocks_module()


@pytest.fixture(scope="module")
def blocks_clip(tmp_path_factory):
    from storyloom.media import write_video
    frames, red, blue = B._two_blocks()
    path = write_video(tmp_path_factory.mktemp("blocks") / "blocks.mp4", list(frames), 24)
    return path, red, blue


def _blocks_project(client, clip):
    """A 160x90 24 fps project: one 0.5 s shot (12 frames) showing the two-block clip, and
    'Cutout 1' extracted from it with a box around both blocks (the wrong cutout to correct)."""
    pid, rev, _ = new_project(client, fps=24)
    up = ok(client.post("/api/assets", files={"file": ("blocks.mp4", clip.read_bytes(), "video/mp4")}))
    scene = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Blocks"}))
    shot = ok(client.post(f"/api/projects/{pid}/scenes/{scene['id']}/shots",
                          json={"base_revision": scene["revision"], "title": "Blocks", "duration": 0.5}))
    src = ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/layers",
                         json={"base_revision": shot["revision"], "source": {"kind": "asset", "asset": up}}))
    job = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/extract",
                                       json={"base_revision": src["revision"], "box": list(B.BOX),
                                             "engine": "matting"}))["job_id"])
    assert job["status"] == "done", job
    return pid, job["result"]["revision"], shot["id"], src["id"], job["result"]["layer_id"]


def _alpha(client, pid, shot_id, layer_id):
    from storyloom.export.layers import iter_layer_frames
    lib = client.app.state.lib
    project, _ = lib.load(pid)
    shot = project.shots()[0]
    return np.stack([f[..., 3] for f in iter_layer_frames(lib, project, shot, shot.layer(layer_id), list(range(12)))])


def _cutout_clicks(client, pid, layer_id):
    layers = ok(client.get(f"/api/projects/{pid}"))["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    (op,) = [o for o in next(l for l in layers if l["id"] == layer_id)["operations"] if o["schema"].startswith("Cutout")]
    return [(c["frame"], c["positive"]) for c in op["clicks"]]


def test_refine_removes_the_wrongly_taken_block(client, blocks_clip, tmp_path):
    clip, red, blue = blocks_clip
    pid, rev, shot_id, src_id, cut_id = _blocks_project(client, clip)
    both = _alpha(client, pid, shot_id, cut_id)
    assert B._iou(both, red | blue).mean() > 0.9 and B._iou(both, red).max() < 0.65   # the box took both
    # a negative click on the blue block on frame 6, in frame pixels
    job = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/layers/{cut_id}/refine",
                                       json={"base_revision": rev,
                                             "clicks": [[B.BLUE_CX(6), 43, False, 6]]}))["job_id"])
    assert job["status"] == "done", job
    assert job["kind"] == "refine" and job["result"] == {"revision": rev + 1, "layer_id": cut_id,
                                                         "shot_id": shot_id, "emptied": []}
    assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev + 1          # one revision
    assert ok(client.get(f"/api/projects/{pid}/history"))[0]["summary"] == \
        "refine cutout 'Cutout 1' (-1 click on frame 6) in shot Blocks"
    assert _cutout_clicks(client, pid, cut_id) == [(6, False)]
    iou = B._iou(_alpha(client, pid, shot_id, cut_id), red)
    assert iou[1:].min() > 0.85, iou        # the red block alone, before frame 6 as well
    # the rendered preview, the clip hidden under the cutout: red where the red block is,
    # the empty (black) frame where the blue one was taken out
    hidden = ok(client.patch(f"/api/projects/{pid}/shots/{shot_id}/layers/{src_id}",
                             json={"base_revision": rev + 1, "visible": False}))
    preview = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/preview"))["job_id"])
    path = tmp_path / "p.mp4"
    path.write_bytes(client.get(preview["result"]["url"]).content)
    f6 = read_frames(path, 6, 7)[0].astype(int)
    inner = lambda m: cv2.erode(m.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)  # noqa: E731
    assert np.abs(f6[inner(red[6])].mean(0) - [225, 60, 40]).max() < 30, f6[inner(red[6])].mean(0)
    assert f6[inner(blue[6])].mean() < 30, f6[inner(blue[6])].mean(0)
    # undo: the clip shown again, then one more undo restores the cutout as it was
    ok(client.post(f"/api/projects/{pid}/undo?base_revision={hidden['revision']}"))
    assert _cutout_clicks(client, pid, cut_id) == [(6, False)]
    ok(client.post(f"/api/projects/{pid}/undo?base_revision={rev + 1}"))
    assert _cutout_clicks(client, pid, cut_id) == []
    assert B._iou(_alpha(client, pid, shot_id, cut_id), red | blue).mean() > 0.9


def test_extract_takes_clicks_on_other_frames(client, blocks_clip):
    clip, red, _ = blocks_clip
    pid, rev, shot_id, src_id, _ = _blocks_project(client, clip)
    job = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{shot_id}/extract",
                                       json={"base_revision": rev, "box": list(B.BOX), "engine": "matting",
                                             "layer_id": src_id,
                                             "clicks": [[B.BLUE_CX(6), 43, False, 6]]}))["job_id"])
    assert job["status"] == "done", job
    assert _cutout_clicks(client, pid, job["result"]["layer_id"]) == [(6, False)]
    assert B._iou(_alpha(client, pid, shot_id, job["result"]["layer_id"]), red)[1:].min() > 0.85


def test_refine_refuses_bad_requests(client, blocks_clip):
    clip, _, _ = blocks_clip
    pid, rev, shot_id, src_id, cut_id = _blocks_project(client, clip)
    jobs = len(client.app.state.lib.jobs(pid))
    url = f"/api/projects/{pid}/shots/{shot_id}/layers/{cut_id}/refine"

    def refused(status, body, said, at=url):
        r = client.post(at, json={"base_revision": rev, **body})
        assert r.status_code == status, r.text
        detail = r.json()["detail"]
        assert said in str(detail) and "\n" not in str(detail), detail
    refused(400, {"clicks": [[60, 43, False, 0]]}, "layer blocks: has no cutout to refine",
            at=f"/api/projects/{pid}/shots/{shot_id}/layers/{src_id}/refine")
    refused(400, {"clicks": [[500, 20, False, 0]]}, "point (500,20): outside the 160x90 frame")
    refused(400, {"clicks": [[60, 43, False, 40]]}, "frame 40 of click (60,43) does not exist (the shot has frames 0-11)")
    refused(400, {"clicks": [[60, 43, True]], "frame": 12}, "frame 12 of click")
    refused(404, {"clicks": [[60, 43, False, 0]]}, "no layer 'nope'",
            at=f"/api/projects/{pid}/shots/{shot_id}/layers/nope/refine")
    refused(404, {"clicks": [[60, 43, False, 0]]}, "nope", at=f"/api/projects/{pid}/shots/nope/layers/{cut_id}/refine")
    refused(422, {"clicks": []}, "at least 1")
    refused(422, {"clicks": [[60]]}, "")
    r = client.post(url, json={"base_revision": rev - 1, "clicks": [[60, 43, False, 6]]})
    assert r.status_code == 409 and r.json()["revision"] == rev
    assert len(client.app.state.lib.jobs(pid)) == jobs           # no job started
    # clicks that leave nothing of the cutout: the job fails, nothing is saved
    job = _wait(client, ok(client.post(url, json={"base_revision": rev, "clicks": [
        [B.RED_X(0) + 10, 43, False, 0], [B.BLUE_CX(0), 43, False, 0]]}))["job_id"])
    assert job["status"] == "failed" and "refine layer Cutout 1:" in job["message"], job
    assert "nothing" in job["message"] and "\n" not in job["message"]
    assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev
    assert _cutout_clicks(client, pid, cut_id) == []

"""Jobs: a real render followed over server-sent events, shot previews (cached), cancel,
and importing the yardstick's cuts case as shots."""
import json
import threading
import time

import pytest

from api_helpers import new_project, ok, sse_events
from storyloom.media import probe, read_frames


def _project_with_shots(client, shots=((1.0, "#3366ff"), (0.5, "#ff3300"))):
    pid, rev, _ = new_project(client)
    s = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev}))
    rev, ids = s["revision"], []
    for i, (duration, color) in enumerate(shots):
        shot = ok(client.post(f"/api/projects/{pid}/scenes/{s['id']}/shots",
                              json={"base_revision": rev, "title": f"S{i}", "duration": duration}))
        layer = ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/layers",
                               json={"base_revision": shot["revision"], "source": {"kind": "color", "color": color}}))
        rev = layer["revision"]
        ids.append(shot["id"])
    return pid, rev, ids


def _wait(client, job_id, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = ok(client.get(f"/api/jobs/{job_id}"))
        if job["status"] in ("done", "failed", "cancelled", "interrupted"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_render_job_streams_progress_to_done(client, tmp_path):
    pid, _, _ = _project_with_shots(client)
    job_id = ok(client.post(f"/api/projects/{pid}/render", json={"format": "mp4"}))["job_id"]
    r = client.get(f"/api/jobs/{job_id}/events")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    assert events[-1]["status"] == "done" and events[-1]["progress"] == 1.0
    assert all(e["id"] == job_id and e["kind"] == "render" for e in events)
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)            # never goes backwards
    result = events[-1]["result"]
    assert result["url"] == f"/api/jobs/{job_id}/output" and result["frames"] == 18   # (1 + 0.5) s at 12 fps

    out = client.get(result["url"])
    assert out.status_code == 200 and out.headers["content-type"] == "video/mp4"
    film = tmp_path / "film.mp4"
    film.write_bytes(out.content)
    info = probe(film)
    assert (info.width, info.height, info.frames) == (160, 90, 18)
    frames = read_frames(film, 0, 18)
    assert abs(int(frames[3][45, 80, 2]) - 0xff) <= 12 and abs(int(frames[15][45, 80, 0]) - 0xff) <= 12
    part = client.get(result["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == out.content[:100]
    # a finished job's stream is one event and ends at once
    again = sse_events(client.get(f"/api/jobs/{job_id}/events").text)
    assert len(again) == 1 and again[0]["status"] == "done"
    assert client.get("/api/jobs/0123456789ab/events").status_code == 404


def test_render_of_empty_project_is_refused(client):
    pid, _, _ = new_project(client)
    r = client.post(f"/api/projects/{pid}/render", json={})
    assert r.status_code == 400 and "no shots" in r.json()["detail"]


def test_shot_preview_renders_that_shot_alone_and_caches(client, tmp_path):
    pid, rev, ids = _project_with_shots(client)
    job_id = ok(client.post(f"/api/projects/{pid}/shots/{ids[1]}/preview"))["job_id"]
    job = _wait(client, job_id)
    assert job["status"] == "done" and job["result"]["cached"] is False
    clip = tmp_path / "preview.mp4"
    clip.write_bytes(client.get(job["result"]["url"]).content)
    info = probe(clip)
    assert info.frames == 6   # 0.5 s at 12 fps: the second shot only
    assert abs(int(read_frames(clip, 0, 1)[0][45, 80, 0]) - 0xff) <= 12
    again = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{ids[1]}/preview"))["job_id"])
    assert again["result"]["cached"] is True and again["result"]["path"] == job["result"]["path"]
    # an edit to the shot makes a new preview
    ok(client.patch(f"/api/projects/{pid}/shots/{ids[1]}", json={"base_revision": rev, "duration": 1.0}))
    third = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{ids[1]}/preview"))["job_id"])
    assert third["result"]["cached"] is False and third["result"]["path"] != job["result"]["path"]
    assert client.post(f"/api/projects/{pid}/shots/nope/preview").status_code == 404


def test_cancel_queued_and_running_jobs(make_client):
    client = make_client(job_workers=1)
    runner = client.app.state.runner
    started, release = threading.Event(), threading.Event()

    def busy(report, job_id):
        started.set()
        for i in range(2000):   # stops only by cancel (or after ~20 s: a failure below)
            report(i / 2000, f"step {i}")
            if release.is_set():
                return {"steps": i}
            time.sleep(0.01)
        return {"steps": 2000}

    running = runner.submit("test", None, {}, busy)
    assert started.wait(10)
    pid, _, _ = _project_with_shots(client)
    queued = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    assert ok(client.get(f"/api/jobs/{queued}"))["status"] == "queued"
    assert ok(client.post(f"/api/jobs/{queued}/cancel"))["status"] == "cancelled"
    while ok(client.get(f"/api/jobs/{running}"))["progress"] == 0:
        time.sleep(0.02)
    t0 = time.monotonic()
    ok(client.post(f"/api/jobs/{running}/cancel"))
    events = sse_events(client.get(f"/api/jobs/{running}/events").text)
    assert events[-1]["status"] == "cancelled" and time.monotonic() - t0 < 5
    assert 0 < events[-1]["progress"] < 1
    assert _wait(client, queued)["status"] == "cancelled"
    r = client.get(f"/api/jobs/{queued}/output")
    assert r.status_code == 409


@pytest.fixture(scope="module")
def cuts_case(yardstick, tmp_path_factory):
    out = tmp_path_factory.mktemp("yardstick") / "cuts"
    yardstick.make("cuts", out, seed=0)
    return out


def test_import_job_splits_yardstick_cuts_into_shots(client, cuts_case):
    truth = json.loads((cuts_case / "truth.json").read_text())
    pid, rev, _ = new_project(client, width=320, height=180, fps=24)
    data = (cuts_case / "input.mp4").read_bytes()
    r = client.post(f"/api/projects/{pid}/import", files={"file": ("input.mp4", data, "video/mp4")},
                    data={"split": "true"})
    job_id = ok(r)["job_id"]
    events = sse_events(client.get(f"/api/jobs/{job_id}/events").text)
    assert events[-1]["status"] == "done", events[-1]
    assert events[-1]["progress"] == 1.0 and len(events) >= 3
    got = ok(client.get(f"/api/projects/{pid}"))
    assert got["revision"] == rev + 1 == events[-1]["result"]["revision"]
    shots = [s for sc in got["project"]["scenes"] for s in sc["shots"]]
    n_truth = len(truth["transitions"]) + 1
    assert abs(len(shots) - n_truth) <= 1, (len(shots), n_truth)
    # every shot starts at a true transition (within 2 frames of its span)
    starts = [round(s["takes"][0]["layers"][0]["source"]["in_point"] * 24) for s in shots[1:]]
    spans = [(t["start"], t["end"]) for t in truth["transitions"]]
    matched = sum(any(a - 2 <= f <= b + 2 for a, b in spans) for f in starts)
    assert matched >= 0.9 * len(starts), (starts, spans)
    assert matched >= 0.9 * len(spans)
    total = sum(s["duration"] for s in shots)
    assert abs(total - truth["frames"] / 24) < 1.0  # overlapping crossfades add at most their length
    assert shots[0]["title"] == "input 1" and shots[0]["takes"][0]["layers"][0]["source"]["asset"]["name"] == "input.mp4"
    assert all(len(s["thumbnails"]) >= 1 for s in shots)
    hist = ok(client.get(f"/api/projects/{pid}/history"))
    assert hist[0]["summary"] == f"import input.mp4 ({len(shots)} shots)"
    assert not list((client.app.state.lib.root / "uploads").glob("*"))   # the upload was cleaned up


def test_cancel_stops_a_running_render_and_keeps_no_output(client):
    pid, _, _ = _project_with_shots(client, shots=((12.0, "#00ff00"),))
    job_id = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    end = time.monotonic() + 60
    while ok(client.get(f"/api/jobs/{job_id}"))["progress"] == 0 and time.monotonic() < end:
        time.sleep(0.01)
    ok(client.post(f"/api/jobs/{job_id}/cancel"))
    job = _wait(client, job_id)
    assert job["status"] == "cancelled" and job["progress"] < 1 and job["result"] is None
    renders = client.app.state.lib.cache_dir / "renders"
    assert not list(renders.glob("*.mp4")) if renders.exists() else True


def test_import_still_into_a_scene_without_split(client, png_bytes):
    pid, rev, _ = new_project(client)
    s = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Stills"}))
    r = client.post(f"/api/projects/{pid}/import", files={"file": ("../poster.png", png_bytes, "image/png")},
                    data={"split": "false", "scene_id": s["id"]})
    job = _wait(client, ok(r)["job_id"])
    assert job["status"] == "done", job
    project = ok(client.get(f"/api/projects/{pid}"))["project"]
    assert len(project["scenes"]) == 1
    (shot,) = project["scenes"][0]["shots"]
    layer = shot["takes"][0]["layers"][0]
    assert shot["title"] == "poster" and shot["duration"] == 3.0
    assert layer["source"]["asset"]["kind"] == "image" and layer["source"]["asset"]["name"] == "poster.png"
    bad = client.post(f"/api/projects/{pid}/import", files={"file": ("x.mp4", b"hello" * 100, "video/mp4")})
    assert bad.status_code == 415
    assert client.post(f"/api/projects/{pid}/import", files={"file": ("p.png", png_bytes, "image/png")},
                       data={"scene_id": "nope"}).status_code == 404


def test_import_keeps_edits_saved_while_it_ran():
    from storyloom.studio.jobs import _merge_import
    from storyloom.model import Project, Shot
    before = Project(title="T")
    before.add_scene("Intro").add_shot(Shot(title="a"))
    after = before.model_copy(deep=True)
    after.scenes[0].add_shot(Shot(title="imported into intro"))
    after.add_scene("Scene 2").add_shot(Shot(title="imported 2"))
    head = before.model_copy(deep=True)
    head.title = "renamed meanwhile"
    head.add_scene("Added meanwhile")
    _merge_import(before, after, head)
    assert head.title == "renamed meanwhile"
    assert [(s.title, [x.title for x in s.shots]) for s in head.scenes] == [
        ("Intro", ["a", "imported into intro"]), ("Added meanwhile", []), ("Scene 3", ["imported 2"])]


def test_an_interrupted_render_shows_as_interrupted_and_resumes_from_the_studio(make_client):
    """A render left running by a studio server that was killed reads as interrupted (not
    failed) once the server is back; "resume" finishes it under the same job id."""
    import subprocess
    import sys
    from storyloom.store.jobs import this_process
    client = make_client()
    pid, _, _ = _project_with_shots(client)
    lib = client.app.state.lib
    jid = lib.create_job("render", pid, {"origin": "studio", "workers": 0, "ray": False})
    lib.start_job(jid)
    lib.update_job(jid, progress=0.4, message="frame 7/18")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host, _, start = this_process().split(":")
    lib._con().execute("UPDATE jobs SET owner=? WHERE id=?", (f"{host}:{dead.pid}:{int(start) + 1}", jid))
    job = ok(client.get(f"/api/jobs/{jid}"))
    assert (job["status"], job["resumable"], job["progress"]) == ("interrupted", True, 0.4)
    listed = ok(client.get("/api/jobs", params={"status": "interrupted"}))
    assert [j["id"] for j in listed] == [jid]
    assert ok(client.post(f"/api/jobs/{jid}/resume"))["status"] in ("queued", "running", "done")
    done = _wait(client, jid)
    assert done["status"] == "done" and done["attempts"] == 2 and done["result"]["frames"] == 18
    assert client.get(done["result"]["url"]).status_code == 200
    assert client.post(f"/api/jobs/{jid}/resume").status_code == 409    # done: nothing to resume


def test_render_on_ray_is_asked_in_the_body(client, monkeypatch):
    """The render dialog's choice travels to the job: pool, or Ray with an address."""
    pid, _, _ = _project_with_shots(client)
    runner = client.app.state.runner
    seen = []
    monkeypatch.setattr(runner, "_queue", lambda jid, cleanup, fn=None: seen.append(runner.lib.job(jid).params))
    ok(client.post(f"/api/projects/{pid}/render", json={"executor": "ray", "ray_address": "10.0.0.5:6379"}))
    ok(client.post(f"/api/projects/{pid}/render", json={"executor": "pool"}))
    assert [p["ray"] for p in seen] == ["10.0.0.5:6379", False]
    bad = client.post(f"/api/projects/{pid}/render", json={"executor": "ray", "ray_address": "x; rm -rf /"})
    assert bad.status_code == 422

"""What a demanding user hits: the same file uploaded twice, buttons clicked twice, long job
lists, deleting a project while it renders, undo from a stale page, messages on one line."""
import threading
import time

from api_helpers import hold_worker, new_project, ok
from test_jobs_api import _project_with_shots, _wait

from storyloom.api.deps import one_line
from storyloom.errors import BadInput


def test_same_file_uploaded_twice_is_stored_once(client, tiny_clip):
    data = tiny_clip.read_bytes()
    a = ok(client.post("/api/assets", files={"file": ("holiday.mp4", data, "video/mp4")}))
    b = ok(client.post("/api/assets", files={"file": ("copy of holiday.mp4", data, "video/mp4")}))
    assert a["sha256"] == b["sha256"] and (a["name"], b["name"]) == ("holiday.mp4", "copy of holiday.mp4")
    assert a["info"] == b["info"] and a["kind"] == b["kind"] == "video"
    lib = client.app.state.lib
    assert [f.name for f in lib.assets_dir.rglob("*") if f.is_file()] == [f"{a['sha256']}.mp4"]
    assert lib._con().execute("SELECT COUNT(*) FROM assets").fetchone()[0] == 1
    assert list((lib.root / "uploads").glob("*")) == []
    assert client.get(f"/api/assets/{a['sha256']}").content == data


def test_preview_and_render_clicked_twice_share_one_job(make_client):
    client = make_client(job_workers=1)
    pid, rev, ids = _project_with_shots(client)
    release = hold_worker(client)
    p1 = ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"]
    p2 = ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"]
    other = ok(client.post(f"/api/projects/{pid}/shots/{ids[1]}/preview"))["job_id"]
    r1 = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    r2 = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    assert p1 == p2 and other != p1 and r1 == r2
    # an edit in between: the next click is a new render of the new revision
    ok(client.patch(f"/api/projects/{pid}", json={"base_revision": rev, "title": "Longer"}))
    r3 = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    assert r3 != r1
    release.set()
    assert [_wait(client, j)["status"] for j in (p1, other, r1, r3)] == ["done"] * 4
    # once finished, asking again starts a new job (a cached preview answers at once)
    p3 = ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"]
    assert p3 != p1 and _wait(client, p3)["result"]["cached"] is True


def test_job_list_is_limited_and_filtered(client):
    runner = client.app.state.runner
    ids = [runner.submit("test", None, {}, lambda report, job_id: {"n": 1}) for _ in range(12)]
    for j in ids:
        _wait(client, j)
    failed = runner.submit("test", None, {}, lambda report, job_id: (_ for _ in ()).throw(BadInput("x: broken")))
    assert _wait(client, failed)["status"] == "failed"
    assert len(ok(client.get("/api/jobs"))) == 13
    newest = ok(client.get("/api/jobs?limit=5"))
    assert [j["id"] for j in newest] == [failed, *ids[::-1][:4]]
    assert [j["id"] for j in ok(client.get("/api/jobs?status=failed"))] == [failed]
    assert len(ok(client.get("/api/jobs?status=done&status=failed&limit=3"))) == 3
    assert client.get("/api/jobs?limit=0").status_code == 422
    assert client.get("/api/jobs?status=exploded").status_code == 422


def test_deleting_a_project_cancels_its_jobs(make_client):
    client = make_client(job_workers=1)
    pid, _, _ = _project_with_shots(client, shots=((12.0, "#00ff00"),))
    keep, _, _ = _project_with_shots(client, shots=((0.25, "#0000ff"),))
    running = ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"]
    end = time.monotonic() + 60
    while ok(client.get(f"/api/jobs/{running}"))["progress"] == 0 and time.monotonic() < end:
        time.sleep(0.01)
    queued = ok(client.post(f"/api/projects/{pid}/shots/"
                            f"{ok(client.get(f'/api/projects/{pid}'))['project']['scenes'][0]['shots'][0]['id']}"
                            f"/preview"))["job_id"]
    other = ok(client.post(f"/api/projects/{keep}/render", json={}))["job_id"]
    assert client.delete(f"/api/projects/{pid}").status_code == 204
    assert _wait(client, running)["status"] == "cancelled"
    assert _wait(client, queued)["status"] == "cancelled"
    assert _wait(client, other)["status"] == "done"      # another project's job goes on
    assert client.get(f"/api/projects/{pid}").status_code == 404


def test_undo_from_a_stale_page_is_409(client):
    pid, rev, _ = new_project(client)
    edited = ok(client.patch(f"/api/projects/{pid}", json={"base_revision": rev, "title": "Other tab"}))
    r = client.post(f"/api/projects/{pid}/undo?base_revision={rev}")
    assert r.status_code == 409 and r.json()["revision"] == edited["revision"]
    assert ok(client.get(f"/api/projects/{pid}"))["project"]["title"] == "Other tab"   # nothing undone
    undone = ok(client.post(f"/api/projects/{pid}/undo?base_revision={edited['revision']}"))
    assert undone["revision"] == rev and undone["project"]["title"] == "Trip"
    assert client.post(f"/api/projects/{pid}/redo?base_revision={edited['revision']}").status_code == 409
    assert ok(client.post(f"/api/projects/{pid}/redo?base_revision={rev}"))["revision"] == edited["revision"]
    assert ok(client.post(f"/api/projects/{pid}/undo"))["revision"] == rev   # without it: as before


def test_messages_are_one_line(client):
    assert one_line("decoder said:\n  bad header\n\tat byte 12") == "decoder said: bad header at byte 12"
    assert len(one_line("x" * 1000)) == 400 and one_line("x" * 1000).endswith("…")
    runner = client.app.state.runner

    def broken(report, job_id):
        report(0.5, "step\none")
        raise RuntimeError("first line\nsecond line")
    job = _wait(client, runner.submit("test", None, {}, broken))
    assert job["status"] == "failed" and job["message"] == "internal error: RuntimeError: first line second line"


def test_cancel_after_the_work_is_done_reports_done(client):
    runner = client.app.state.runner
    ready, go = threading.Event(), threading.Event()

    def work(report, job_id):
        report(0.5, "half")
        ready.set()
        go.wait(10)     # the cancel arrives here, after the last progress step
        return {"saved": True}
    jid = runner.submit("test", None, {}, work)
    assert ready.wait(10)
    runner.cancel(jid)
    go.set()
    job = _wait(client, jid)
    assert job["status"] == "done" and job["result"] == {"saved": True}
    assert job["message"] == "done (the cancel came too late)"


def test_history_limit(client):
    pid, rev, _ = new_project(client)
    for i in range(5):
        rev = ok(client.patch(f"/api/projects/{pid}", json={"base_revision": rev, "title": f"T{i}"}))["revision"]
    assert len(ok(client.get(f"/api/projects/{pid}/history"))) == 6
    newest = ok(client.get(f"/api/projects/{pid}/history?limit=2"))
    assert [h["number"] for h in newest] == [6, 5] and newest[0]["current"] is True
    assert client.get(f"/api/projects/{pid}/history?limit=0").status_code == 422

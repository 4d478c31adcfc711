"""Finished outputs in the cache: the preview key follows the renderer's code, the engines
and the shots a shot shows; old renders and previews are pruned."""
import os
import time

from api_helpers import ok
from test_jobs_api import _project_with_shots, _wait

import storyloom.studio.previews as work
from storyloom.model import Project
from storyloom.model.document import ColorSource, Layer, ShotSource


def _two_shots():
    p = Project(title="K")
    scene = p.add_scene("S")
    a, b = scene.add_shot(title="A"), scene.add_shot(title="B")
    b.add_layer(Layer(name="sky", source=ColorSource(color="#3366ff")))
    a.add_layer(Layer(name="bg", source=ShotSource(shot_id=b.id)))
    return p, a, b


def test_preview_key_follows_content_renderer_and_engines(monkeypatch):
    from storyloom.engines.base import Availability, engines
    from storyloom.model import Click, Cutout
    p, a, b = _two_shots()
    key = work.preview_key(p, a)
    assert work.preview_key(p, a) == key and len(key) == 32
    a.title = "renamed"                     # titles do not change the picture
    assert work.preview_key(p, a) == key
    b.layers[0].source.color = "#ff0000"    # the shot A shows changed: A's preview is stale
    assert work.preview_key(p, a) != key
    key = work.preview_key(p, a)
    monkeypatch.setattr(work, "renderer_fingerprint", lambda: "other renderer code")
    assert work.preview_key(p, a) != key
    monkeypatch.undo()
    assert work.preview_key(p, a) == key
    # an operation's engines: one becoming available changes which runs, so the key
    a.layers[0].operations.append(Cutout(clicks=[Click(x=5, y=5)]))
    key = work.preview_key(p, a)
    seg = engines("segment")[0]
    was = bool(seg.is_available())
    monkeypatch.setattr(seg, "is_available", classmethod(lambda cls: Availability(not was, "flipped")))
    assert work.preview_key(p, a) != key


def test_fingerprint_covers_renderer_code_only():
    fp = work.renderer_fingerprint()
    assert len(fp) == 16 and int(fp, 16) >= 0
    work.renderer_fingerprint.cache_clear()
    assert work.renderer_fingerprint() == fp   # stable for the same code


def test_preview_made_by_other_renderer_code_is_not_served(client, monkeypatch):
    pid, _, ids = _project_with_shots(client, shots=((0.5, "#00ff00"),))
    first = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"])
    assert first["status"] == "done" and first["result"]["cached"] is False
    assert _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"])[
        "result"]["cached"] is True
    monkeypatch.setattr(work, "renderer_fingerprint", lambda: "a newer renderer")
    again = _wait(client, ok(client.post(f"/api/projects/{pid}/shots/{ids[0]}/preview"))["job_id"])
    assert again["result"]["cached"] is False and again["result"]["path"] != first["result"]["path"]


def _file(path, age_s):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 10)
    t = time.time() - age_s
    os.utime(path, (t, t))
    return path


def test_prune_outputs_keeps_newest_per_project(tmp_path):
    from storyloom.store import Library
    lib = Library.open(tmp_path / "lib")
    p1, p2, gone = Project(title="one"), Project(title="two"), Project(title="deleted")
    for p in (p1, p2, gone):
        lib.create_project(p)
    renders = lib.cache_dir / "renders"
    r1 = [_file(renders / f"{lib.create_job('render', p1.id)}.mp4", age) for age in (50, 40, 30, 20)]
    r2 = [_file(renders / f"{lib.create_job('render', p2.id)}.mp4", 100)]
    r_gone = _file(renders / f"{lib.create_job('render', gone.id)}.mp4", 5)
    stray = _file(renders / "0123456789ab.mp4", 5)          # no job row: nobody can ask for it
    lib.delete_project(gone.id)
    previews = lib.cache_dir / "previews"
    pv = [_file(previews / f"{i:032x}.mp4", age) for i, age in enumerate((10, 20, 30, 40))]
    old_pv = _file(previews / ("f" * 32 + ".mp4"), 20 * 86400)   # among the newest 3, but unused for 20 days

    removed = work.prune_outputs(lib, keep_renders=2, keep_previews=3, preview_days=14)
    assert sorted(removed) == sorted([r1[0], r1[1], r_gone, stray, pv[3], old_pv])
    assert all(f.exists() for f in r1[2:] + r2 + pv[:3])
    assert work.prune_outputs(lib, keep_renders=2, keep_previews=3) == []


def test_render_jobs_prune_older_renders(client, monkeypatch):
    monkeypatch.setattr(work, "KEEP_RENDERS", 1)
    pid, _, _ = _project_with_shots(client, shots=((0.25, "#123456"),))
    first = _wait(client, ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"])
    assert client.get(first["result"]["url"]).status_code == 200  # served while it is the newest
    time.sleep(0.02)   # distinct file times
    second = _wait(client, ok(client.post(f"/api/projects/{pid}/render", json={}))["job_id"])
    assert second["status"] == "done"
    gone = client.get(first["result"]["url"])
    assert gone.status_code == 404 and "run it again" in gone.json()["detail"]
    assert client.get(second["result"]["url"]).status_code == 200
    assert [f.stem for f in (client.app.state.lib.cache_dir / "renders").glob("*.mp4")] == [second["id"]]

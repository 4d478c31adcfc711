"""The library store: revisions, undo/redo, stale saves, assets, gc, jobs, concurrency."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import datetime, timezone

import cv2
import numpy as np
import pytest

import storyloom.store.assets as libmod
from storyloom.errors import BadInput, NotFound, StaleRevision
from storyloom.media import probe, write_video
from storyloom.model.document import AssetSource, Layer, Project
from storyloom.model.schema import NewerSchemaError
from storyloom.store import Library, ProjectInfo, RevisionInfo


def _video(path, seed=0):
    """A 320x180, 12-frame clip whose content depends on ``seed`` (distinct hashes)."""
    frames = []
    for i in range(12):
        f = np.zeros((180, 320, 3), np.uint8)
        f[:, :, 0] = (seed * 40 + i * 10) % 256
        f[40:140, 20 + i * 10:80 + i * 10] = (255, 255 - seed * 30, 0)
        frames.append(f)
    return write_video(path, frames, fps=24)


def _png(seed=0) -> bytes:
    img = np.full((18, 32, 3), seed * 50 % 256, np.uint8)
    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def _with_asset(project: Project, ref) -> Project:
    shot = project.scenes[0].shots[0] if project.scenes else project.add_scene("S").add_shot(title="A")
    shot.add_layer(Layer(name=ref.name, source=AssetSource(asset=ref)))
    return project


def test_create_load_round_trip(tmp_path):
    lib = Library.open(tmp_path / "lib")
    assert (lib.root / "library.sqlite").is_file() and lib.assets_dir.is_dir() and lib.cache_dir.is_dir()
    assert lib._con().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert lib._con().execute("PRAGMA foreign_keys").fetchone()[0] == 1
    p = Project(title="Demo")
    p.add_scene("Opening").add_shot(title="Wide", duration=2.5)
    assert lib.create_project(p) == 1
    loaded, head = lib.load()
    assert head == 1 and loaded == p and loaded.scenes[0].shots[0].duration == 2.5
    infos = lib.projects()
    assert infos == [ProjectInfo(p.id, "Demo", 1, infos[0].updated, infos[0].created)]
    with pytest.raises(NotFound):  # saving a project never created is refused
        lib.save(Project(title="Stranger"), 1, "edit")
    # reopening the folder finds the same project
    lib.close()
    again, head = Library.open(tmp_path / "lib").load(p.id)
    assert again == p and head == 1


def test_load_none_with_zero_or_several_projects(tmp_path):
    lib = Library.open(tmp_path)
    with pytest.raises(NotFound):
        lib.load()
    a, b = Project(title="A"), Project(title="B")
    lib.create_project(a)
    lib.create_project(b)
    with pytest.raises(BadInput) as e:
        lib.load()
    assert a.id in str(e.value) and b.id in str(e.value)
    with pytest.raises(NotFound):
        lib.load("nope")
    with pytest.raises(BadInput):
        lib.create_project(a)  # same id twice
    lib.delete_project(b.id)
    assert [i.id for i in lib.projects()] == [a.id]
    assert lib.load()[0].title == "A"


def test_newer_document_propagates(tmp_path):
    lib = Library.open(tmp_path)
    p = Project(title="Future")
    lib.create_project(p)
    doc = json.loads(p.model_dump_json())
    doc["schema"] = "Project.99"
    lib._con().execute("UPDATE revisions SET document=?", (json.dumps(doc),))
    with pytest.raises(NewerSchemaError):
        lib.load(p.id)


def test_revisions_undo_redo_history(tmp_path):
    lib = Library.open(tmp_path)
    p = Project(title="v1")
    before = datetime.now(timezone.utc)
    lib.create_project(p, "create")
    for n in (2, 3):
        p.title = f"v{n}"
        assert lib.save(p, n - 1, f"rename to v{n}") == n
    hist = lib.history(p.id)
    assert [h.number for h in hist] == [3, 2, 1]
    assert [h.summary for h in hist] == ["rename to v3", "rename to v2", "create"]
    assert [h.current for h in hist] == [True, False, False]
    stamps = [datetime.fromisoformat(h.timestamp) for h in hist]
    assert all(s.utcoffset().total_seconds() == 0 for s in stamps)  # UTC
    assert stamps == sorted(stamps, reverse=True) and stamps[-1] >= before.replace(microsecond=0)
    assert isinstance(hist[0], RevisionInfo)

    assert lib.undo(p.id) == 2
    assert lib.load(p.id)[0].title == "v2"
    assert lib.undo(p.id) == 1
    with pytest.raises(BadInput, match="nothing to undo"):
        lib.undo(p.id)
    assert lib.redo(p.id) == 2
    assert lib.redo(p.id) == 3
    with pytest.raises(BadInput, match="nothing to redo"):
        lib.redo(p.id)
    loaded, head = lib.load(p.id)
    assert (loaded.title, head) == ("v3", 3)
    assert lib.projects()[0].title == "v3" and lib.projects()[0].revision == 3


def test_save_after_undo_branches(tmp_path):
    lib = Library.open(tmp_path)
    p = Project(title="one")
    lib.create_project(p)
    p.title = "two"
    lib.save(p, 1, "two")
    assert lib.undo(p.id) == 1
    with pytest.raises(StaleRevision):  # the head moved: an edit based on 2 is stale
        lib.save(p, 2, "stale")
    p.title = "branch"
    assert lib.save(p, 1, "branch") == 3
    assert [(h.number, h.parent) for h in lib.history(p.id)] == [(3, 1), (2, 1), (1, None)]
    with pytest.raises(BadInput, match="nothing to redo"):
        lib.redo(p.id)
    assert lib.undo(p.id) == 1
    # redo follows the newest child: the branch, never the abandoned revision 2
    assert lib.redo(p.id) == 3
    assert lib.load(p.id)[0].title == "branch"


def test_stale_save_refused(tmp_path):
    lib = Library.open(tmp_path)
    lib.create_project(Project(title="Shared"))
    a, base_a = lib.load()
    b, base_b = lib.load()
    a.title, b.title = "from A", "from B"
    assert lib.save(a, base_a, "A edits") == 2
    with pytest.raises(StaleRevision) as e:
        lib.save(b, base_b, "B edits")
    assert str(e.value) == ("project from B: your edit is based on revision 1 but the project is at "
                            "revision 2; reload and try again")
    loaded, head = lib.load()
    assert (loaded.title, head) == ("from A", 2)
    assert len(lib.history(loaded.id)) == 2


def test_concurrent_saves_one_wins_per_base(tmp_path):
    lib = Library.open(tmp_path)
    p = Project(title="race")
    lib.create_project(p)
    for base in (1, 2, 3):
        barrier = threading.Barrier(2)
        outcome: dict[str, object] = {}

        def worker(name):
            mine = Project.model_validate_json(p.model_dump_json())
            mine.title = f"{name}@{base}"
            barrier.wait()
            try:
                outcome[name] = lib.save(mine, base, name)
            except StaleRevision as e:
                outcome[name] = e

        threads = [threading.Thread(target=worker, args=(n,)) for n in ("x", "y")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wins = [n for n, v in outcome.items() if isinstance(v, int)]
        assert len(wins) == 1 and outcome[wins[0]] == base + 1
        assert sum(isinstance(v, StaleRevision) for v in outcome.values()) == 1
        assert lib.load()[0].title == f"{wins[0]}@{base}"
    assert [h.number for h in lib.history(p.id)] == [4, 3, 2, 1]


def test_import_asset_dedups_and_probes_once(tmp_path, monkeypatch):
    lib = Library.open(tmp_path / "lib")
    clip = _video(tmp_path / "Clip.MP4")
    calls = []

    def counting_probe(path):
        calls.append(path)
        return probe(path)

    monkeypatch.setattr(libmod, "probe", counting_probe)
    ref, info = lib.import_asset(clip)
    sha = hashlib.sha256(clip.read_bytes()).hexdigest()
    assert (ref.sha256, ref.name, ref.kind) == (sha, "Clip.MP4", "video")
    assert (info.width, info.height, info.frames) == (320, 180, 12)
    stored = lib.asset_path(sha)
    assert stored == lib.assets_dir / sha[:2] / f"{sha}.mp4"  # suffix lower-cased
    assert stored.read_bytes() == clip.read_bytes()
    copy = tmp_path / "again.mp4"
    copy.write_bytes(clip.read_bytes())
    ref2, info2 = lib.import_asset(copy)
    assert len(calls) == 1  # the second import reused the stored probe
    assert ref2.sha256 == sha and ref2.name == "again.mp4" and info2 == info
    assert lib.asset_info(sha) == info
    row = lib._con().execute("SELECT * FROM assets").fetchall()
    assert len(row) == 1 and row[0]["kind"] == "video" and row[0]["size"] == clip.stat().st_size
    assert json.loads(row[0]["info"])["frames"] == 12
    assert [p for p in lib.assets_dir.rglob("*") if p.is_file()] == [stored]  # no temp files left


def test_bad_file_refused_nothing_copied(tmp_path):
    lib = Library.open(tmp_path / "lib")
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    with pytest.raises(BadInput):
        lib.import_asset(fake)
    with pytest.raises(BadInput):
        lib.import_asset(tmp_path / "missing.mp4")
    assert [p for p in lib.assets_dir.rglob("*") if p.is_file()] == []
    assert lib._con().execute("SELECT COUNT(*) FROM assets").fetchone()[0] == 0
    with pytest.raises(BadInput, match="junk.png"):
        lib.add_asset_bytes(b"not a png", ".png", "junk.png")
    assert [p for p in lib.assets_dir.rglob("*") if p.is_file()] == []
    with pytest.raises(NotFound, match="missing from the library"):
        lib.asset_path("0" * 64)


def test_add_asset_bytes(tmp_path):
    lib = Library.open(tmp_path)
    data = _png(1)
    ref = lib.add_asset_bytes(data, "PNG", "still.png")
    assert ref.kind == "image" and ref.sha256 == hashlib.sha256(data).hexdigest()
    assert lib.asset_path(ref.sha256).suffix == ".png"
    assert lib.asset_path(ref.sha256).read_bytes() == data
    assert (lib.asset_info(ref.sha256).width, lib.asset_info(ref.sha256).height) == (32, 18)
    assert lib.add_asset_bytes(data, ".png", "other.png").sha256 == ref.sha256
    assert lib._con().execute("SELECT COUNT(*) FROM assets").fetchone()[0] == 1


def test_gc_keeps_used_assets(tmp_path):
    lib = Library.open(tmp_path / "lib")
    used = lib.add_asset_bytes(_png(1), ".png", "used.png")
    old = lib.add_asset_bytes(_png(2), ".png", "old.png")
    unused = lib.add_asset_bytes(_png(3), ".png", "unused.png")
    clip_ref, _ = lib.import_asset(_video(tmp_path / "c.mp4", seed=2))  # used only as a thumbnail
    p = _with_asset(Project(title="G"), old)
    lib.create_project(p)
    p.scenes[0].shots[0].takes[0].layers.clear()
    p = _with_asset(p, used)
    p.scenes[0].shots[0].thumbnails.append(clip_ref.sha256)
    lib.save(p, 1, "swap the asset")  # `old` is now used only by revision 1
    unused_path = lib.asset_path(unused.sha256)

    assert lib.gc() == []   # everything was added just now: within the grace period
    assert lib.gc(grace_hours=0) == [unused.sha256]
    assert not unused_path.exists()
    with pytest.raises(NotFound):
        lib.asset_path(unused.sha256)
    for ref in (used, old, clip_ref):
        assert lib.asset_path(ref.sha256).is_file()
    assert lib.gc() == []

    # deleting the project frees its assets on the next gc
    lib.delete_project(p.id)
    assert lib.gc(grace_hours=0) == sorted([used.sha256, old.sha256, clip_ref.sha256])
    assert [f for f in lib.assets_dir.rglob("*") if f.is_file()] == []
    assert lib._con().execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == 0


def test_jobs(tmp_path):
    lib = Library.open(tmp_path)
    jid = lib.create_job("render", "p1", {"out": "film.mp4"})
    other = lib.create_job("engine", None, {})
    j = lib.job(jid)
    assert (j.kind, j.project_id, j.params, j.state, j.progress, j.result) == (
        "render", "p1", {"out": "film.mp4"}, "queued", 0.0, None)
    lib.update_job(jid, progress=0.5, message="frame 12/24", state="running")
    j = lib.update_job(jid, progress=1.0, state="done", result={"path": "film.mp4", "frames": 24})
    assert (j.state, j.progress, j.message, j.result) == ("done", 1.0, "frame 12/24",
                                                           {"path": "film.mp4", "frames": 24})
    with pytest.raises(BadInput):
        lib.update_job(jid, state="exploded")
    with pytest.raises(NotFound):
        lib.job("nope")
    assert [x.id for x in lib.jobs("p1")] == [jid]
    assert {x.id for x in lib.jobs()} == {jid, other}


def test_threads_use_their_own_connections(tmp_path):
    lib = Library.open(tmp_path)
    lib.create_project(Project(title="T"))
    seen = []

    def reader():
        seen.append((id(lib._con()), lib.load()[1]))

    t = threading.Thread(target=reader)
    t.start()
    t.join()
    assert seen[0][1] == 1 and seen[0][0] != id(lib._con())
    # a second library object on the same folder sees committed saves (WAL readers)
    other = Library.open(tmp_path)
    p, head = other.load()
    p.title = "T2"
    other.save(p, head, "rename")
    assert lib.load()[0].title == "T2"
    assert isinstance(lib._con(), sqlite3.Connection)


def test_undo_redo_summaries_follow_the_history_without_reading_it(tmp_path):
    """What undo and redo would do (the studio's buttons), read by two indexed lookups,
    agrees with the full history through undo, a new branch and redo."""
    lib = Library.open(tmp_path / "lib")
    p = Project(title="T")
    lib.create_project(p)
    assert lib.undo_redo(p.id) == (None, None)
    for i in range(3):
        doc, head = lib.load(p.id)
        doc.add_scene(f"S{i}")
        lib.save(doc, head, f"add scene S{i}")

    def from_history():
        revs = lib.history(p.id)
        head = next(r for r in revs if r.current)
        redo = next((r for r in revs if r.parent == head.number), None)
        return (head.summary if head.parent is not None else None, redo.summary if redo else None)
    assert lib.undo_redo(p.id) == from_history() == ("add scene S2", None)
    lib.undo(p.id)
    lib.undo(p.id)
    assert lib.undo_redo(p.id) == from_history() == ("add scene S0", "add scene S1")
    doc, head = lib.load(p.id)
    lib.save(doc, head, "retitle")                 # a new branch: redo picks the newest child
    lib.undo(p.id)
    assert lib.undo_redo(p.id) == from_history() == ("add scene S0", "retitle")
    with pytest.raises(NotFound):
        lib.undo_redo("nope")

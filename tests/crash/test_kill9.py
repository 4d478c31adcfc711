"""Crash safety: real processes killed with SIGKILL at random points while they save
revisions, import media and render. Afterwards the library opens with every committed
revision whole (``PRAGMA integrity_check`` ok), no stored file is truncated or orphaned,
no partial film is left, and the same command again finishes with only the missing work.

The kill points come from ``random.Random(SEED)``; the seed is in each assertion message."""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import run
from storyloom.media import probe, write_video
from storyloom.model import Restyle
from storyloom.model.document import AssetSource, Layer, TextSource
from storyloom.store import Library
from storyloom.studio.project import Project as Film

SEED = int(os.environ.get("STORYLOOM_CRASH_SEED", "17"))
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _child(code: str, *args) -> subprocess.Popen:
    """``python -c code args...`` with this checkout's storyloom first on its path."""
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _kill(proc: subprocess.Popen) -> str:
    """SIGKILL ``proc`` (no clean-up of any kind runs) and reap it; its stdout."""
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    return out


def _integrity(root: Path) -> str:
    con = sqlite3.connect(root / "library.sqlite")
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- saving revisions
SAVER = r"""
import sys
from storyloom.store import Library
lib = Library.open(sys.argv[1])
doc, head = lib.load()
shots = doc.shots()
while True:
    k = head + 1
    doc.title = f"rev {k}"
    shots[k % len(shots)].title = f"edited at {k}"
    head = lib.save(doc, head, f"edit {k}")
    print(head, flush=True)
"""


def test_killed_while_saving_keeps_every_committed_revision_whole(tmp_path):
    rng = random.Random(SEED)
    film = Film.create(tmp_path / "lib", title="rev 1")
    doc, head = film.library.load()
    scene = doc.add_scene("s")
    for i in range(300):   # a document of some size: a save takes a while to write
        scene.add_shot(title=f"shot {i}", duration=1.0).add_layer(Layer(source=TextSource(text=f"card {i}" * 20)))
    doc.title = "rev 2"
    film.library.save(doc, head, "edit 2")
    committed = {1, 2}
    for round_ in range(3):
        proc = _child(SAVER, tmp_path / "lib")
        assert proc.stdout.readline().strip(), proc.stderr.read()   # it saves
        time.sleep(rng.uniform(0.1, 0.8))
        committed |= {int(line) for line in _kill(proc).split()}
        assert _integrity(tmp_path / "lib") == "ok", f"seed {SEED} round {round_}"
        lib = Library.open(tmp_path / "lib")
        numbers = {r.number for r in lib.history(film.id)}
        assert committed <= numbers, f"seed {SEED}: committed revisions lost: {sorted(committed - numbers)}"
        # at most the one revision whose commit landed before its number was printed
        assert max(numbers) <= max(committed) + 1, f"seed {SEED}"
        for n in numbers - {1}:   # every revision is whole: its content is the one saved as number n
            rev = lib.load_revision(film.id, n)
            assert rev.title == f"rev {n}" and len(rev.shots()) == 300, f"seed {SEED} revision {n}"
        print(f"save round {round_}: {len(numbers)} revisions whole after the kill")
        committed = numbers
        lib.close()
    assert len(committed) > 10


# ---------------------------------------------------------------- importing media
IMPORTER = r"""
import sys
from storyloom.cli.main import main
sys.exit(main(["import", *sys.argv[1:]]))
"""


@pytest.fixture(scope="module")
def footage(tmp_path_factory):
    """Four different clips (2 s, 320x180, two shots each: a cut at 1 s)."""
    d = tmp_path_factory.mktemp("footage")
    rng = np.random.default_rng(SEED)
    paths = []
    for k in range(4):
        frames = []
        for i in range(48):
            base = rng.integers(0, 255, 3) if i in (0, 24) else base
            f = np.empty((180, 320, 3), np.uint8)
            f[:] = base
            f[40:140, 8 * (i % 24):8 * (i % 24) + 80] = 255 - base
            frames.append(f)
        paths.append(write_video(d / f"clip{k}.mp4", frames, 24))
    return paths


def _stored_files(lib: Library) -> set[Path]:
    return {p for p in lib.assets_dir.rglob("*") if p.is_file()}


def test_killed_while_importing_leaves_no_broken_asset_and_the_same_command_finishes(tmp_path, footage):
    rng = random.Random(SEED + 1)
    root = tmp_path / "lib"
    film = Film.create(root, title="imports", size="320x180", fps=24)
    proc = _child(IMPORTER, root, *footage)
    lib = Library.open(root)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(j.kind == "import" and j.state == "running" for j in lib.jobs()):
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 1.5))   # somewhere in copying, probing, finding shots, thumbnails, saving
    _kill(proc)
    assert _integrity(root) == "ok", f"seed {SEED}"
    # every asset any revision uses is recorded and whole; every recorded file is whole
    for number in [r.number for r in lib.history(film.id)]:
        for sha in lib.load_revision(film.id, number).asset_hashes():
            assert _sha(lib.asset_path(sha)) == sha, f"seed {SEED}: asset {sha} of revision {number}"
    rows = lib._con().execute("SELECT sha256, suffix FROM assets").fetchall()
    for r in rows:
        assert _sha(lib._asset_file(r["sha256"], r["suffix"])) == r["sha256"], f"seed {SEED}"
    job = lib.jobs()[0]
    interrupted = job.state != "done"
    print(f"import: killed at {job.progress:.0%} ({job.message}), assets recorded {len(rows)}")
    assert job.state in ("interrupted", "done"), job   # never "failed", never "running"
    # files no row names (copied but not recorded, half-copied temporaries) go with gc
    lib.gc(grace_hours=0)
    assert _stored_files(lib) == {lib._asset_file(r["sha256"], r["suffix"])
                                  for r in lib._con().execute("SELECT sha256, suffix FROM assets")}, f"seed {SEED}"
    # the same command again finishes the import: each clip's two shots, once
    assert run("import", root, *footage) == 0
    doc, _ = lib.load(film.id)
    if interrupted:
        again = lib.job(job.id)
        assert again.state == "done" and again.attempts == 2, again
        assert len(doc.shots()) == 8, f"seed {SEED}: {[s.title for s in doc.shots()]}"
    else:   # it had finished before the kill: the command imports the clips a second time
        assert len(doc.shots()) == 16
    assert all(len(s.thumbnails) == 3 for s in doc.shots())
    for sha in doc.asset_hashes():
        assert _sha(lib.asset_path(sha)) == sha


# ---------------------------------------------------------------- rendering
SHOTS = 16
RENDERER = r"""
import sys
from storyloom.cli.main import main
sys.exit(main(["render", sys.argv[1], "-o", sys.argv[2], "--workers", "2"]))
"""


def test_killed_while_rendering_leaves_no_film_and_the_rerun_does_only_the_rest(tmp_path, footage):
    rng = random.Random(SEED + 2)
    root = tmp_path / "lib"
    film = Film.create(root, title="restyled", size="128x72", fps=12)
    with film.edit("sixteen restyled shots") as doc:
        ref, _ = film.library.import_asset(footage[0])
        scene = doc.add_scene("s")
        for i in range(SHOTS):
            shot = scene.add_shot(duration=1.0)
            shot.add_layer(Layer(source=AssetSource(asset=ref, in_point=0.1 * i)))
            shot.add_operation(Restyle(style="oil-painting"))   # a step of its own: its input differs
    out = tmp_path / "out" / "film.mp4"
    out.parent.mkdir()
    proc = _child(RENDERER, root, out)
    lib = Library.open(root)
    target = rng.randint(SHOTS // 2, SHOTS * 5 // 8)   # killed once at least half the steps are done (the pool runs ahead of what is joined)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        jobs = [j for j in lib.jobs() if j.kind == "render"]
        if jobs and jobs[0].work and jobs[0].work[-1].get("steps", 0) >= target:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"seed {SEED}: the render ended before it was killed: {proc.stderr.read()}"
    _kill(proc)
    job = [j for j in lib.jobs() if j.kind == "render"][0]
    assert job.state == "interrupted" and job.resumable, job
    first = job.work[0]["steps"]
    assert first >= SHOTS // 2
    assert not out.exists(), "a killed render left its film"
    # the same command again: the same job, a second attempt, only the steps not finished
    assert run("render", root, "-o", out, "--workers", "2") == 0
    job = lib.job(job.id)
    assert job.state == "done" and job.attempts == 2, job
    redone = job.work[1]["steps"]
    assert redone + job.work[1]["reused"] == SHOTS, job.work
    print(f"render: killed after {first} of {SHOTS} steps; the rerun computed {redone}, reused {SHOTS - redone}")
    assert redone <= 0.6 * SHOTS, f"seed {SEED}: killed after {first} of {SHOTS} steps, the rerun did {redone}"
    info = probe(out)
    assert info.frames == SHOTS * 12
    assert not [p.name for p in out.parent.iterdir() if p != out], "partial files left beside the film"
    assert not list(lib.cache_dir.glob("render-*")), "chunk folders of the killed render left"
    json.dumps(job.work)

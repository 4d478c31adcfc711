"""Jobs any door can follow, cancel and resume: a job whose process is gone reads as
interrupted (not failed), a cancel asked from another process stops it, and ``storyloom
resume`` (or the same command again) finishes it with only the missing work."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import run
from storyloom.errors import BadInput
from storyloom.model.document import ColorSource, Layer, TextSource
from storyloom.model import Restyle
from storyloom.store import Library
from storyloom.store.jobs import process_alive, this_process
from storyloom.studio.project import Project as Film


def _gone_process() -> str:
    """The owner string of a process that has ended (a real pid, no longer running)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    host, _, start = this_process().split(":")
    return f"{host}:{proc.pid}:{int(start) + 1}"


def test_a_job_whose_process_is_gone_reads_as_interrupted_and_a_cancelled_one_as_cancelled(tmp_path):
    lib = Library.open(tmp_path / "lib")
    assert process_alive(this_process()) and not process_alive(_gone_process())
    a, b, c = (lib.create_job("render", None, {"out": f"{k}.mp4"}) for k in "abc")
    for jid in (a, b):
        lib.start_job(jid)
        lib._con().execute("UPDATE jobs SET owner=? WHERE id=?", (_gone_process(), jid))
    lib._con().execute("UPDATE jobs SET cancel=1 WHERE id=?", (b,))
    assert lib.job(a).state == "interrupted" and lib.job(a).resumable and "resume" in lib.job(a).message
    assert lib.job(b).state == "cancelled"
    assert lib.job(c).state == "queued"            # its process (this one) still runs
    lib.start_job(c)
    lib._con().execute("UPDATE jobs SET owner=? WHERE id=?", ("elsewhere:1:1", c))
    with pytest.raises(BadInput, match="running in process 1"):
        lib.start_job(c)                           # a job running on another host is not taken over


SLOW_RENDER = r"""
import sys, time
import storyloom.render.timeline as t
orig = t.render_project
def slow(*a, **k):
    p = k["progress"]
    def prog(f, m=""):
        p(f, m); time.sleep(0.05)
    k["progress"] = prog
    return orig(*a, **k)
import storyloom.studio.jobs as jobs; jobs.render_project = slow
from storyloom.cli.main import main
sys.exit(main(["render", sys.argv[1], "-o", sys.argv[2], "--workers", "0"]))
"""


def test_cancel_from_another_process_then_resume_finishes_with_the_rest(tmp_path, capsys):
    root, out = tmp_path / "lib", tmp_path / "film.mp4"
    film = Film.create(root, title="t", size="96x64", fps=12)
    with film.edit("shots") as doc:
        scene = doc.add_scene("s")
        for i in range(4):
            shot = scene.add_shot(duration=1.0)
            shot.add_layer(Layer(source=ColorSource(color=f"#{40 * i:02x}6080")))
            shot.add_layer(Layer(source=TextSource(text=f"shot {i}", size=14)))
            shot.add_operation(Restyle(style="pencil-sketch"))
    src = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_RENDER, root, out], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])})
    lib = Library.open(root)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(j.work and j.work[-1].get("steps") for j in lib.jobs()):
        time.sleep(0.05)
    jid = lib.jobs()[0].id
    assert run("cancel", root, jid) == 0 and "asked to stop" in capsys.readouterr().out
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "cancelled" in err, err
    job = lib.job(jid)
    assert job.state == "cancelled" and not out.exists() and not list(tmp_path.glob(".film*"))
    done_before = job.work[0]["steps"]
    assert run("jobs", root) == 0
    listed = capsys.readouterr().out
    assert f"{jid}  render  cancelled" in listed and "storyloom resume" in listed
    assert run("resume", root, jid) == 0
    job = lib.job(jid)
    assert job.state == "done" and job.attempts == 2 and out.is_file()
    assert job.work[1]["reused"] >= done_before and job.work[1]["steps"] == 4 - job.work[1]["reused"], job.work
    assert run("resume", root, jid) == 2 and "is done already" in capsys.readouterr().err
    assert run("cancel", root, jid) == 0 and "done already" in capsys.readouterr().out


def test_the_same_command_again_resumes_the_interrupted_job(tmp_path):
    """The same command after an interruption is the same job (its second attempt), not a new one."""
    root, out = tmp_path / "lib", tmp_path / "film.mp4"
    film = Film.create(root, title="t", size="96x64", fps=12)
    with film.edit("a shot") as doc:
        doc.add_scene("s").add_shot(duration=1.0).add_layer(Layer(source=ColorSource(color="#336699")))
    jid = film.library.create_job("render", film.id, {"out": str(out.resolve())})
    film.library.start_job(jid)
    film.library._con().execute("UPDATE jobs SET owner=? WHERE id=?", (_gone_process(), jid))
    assert run("render", root, "-o", out, "--workers", "0") == 0
    jobs = [j for j in film.library.jobs() if j.kind == "render"]
    assert [(j.id, j.state, j.attempts) for j in jobs] == [(jid, "done", 2)]

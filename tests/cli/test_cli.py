"""The CLI as a user meets it: real commands in a subprocess-free runner, real files."""
import json

import numpy as np
import opentimelineio as otio
import pytest

from storyloom.cli.main import main
from helpers import write_audio_only


def run(*args, capsys=None):
    code = main([str(a) for a in args])
    return code


@pytest.fixture
def library(tmp_path, tiny_clip):
    lib = tmp_path / "lib"
    assert run("new", lib, "--title", "Test", "--size", "160x90", "--fps", "24") == 0
    return lib


def snapshot(lib):
    from storyloom.store import Library
    doc, rev = Library.open(lib).load()
    return doc.model_dump_json(), rev


def test_new_import_info_undo_redo_history(library, tiny_clip, tmp_path, capsys):
    from PIL import Image
    still = tmp_path / "still.png"
    Image.fromarray(np.zeros((90, 160, 3), np.uint8)).save(still)
    assert run("import", library, tiny_clip, still, "--no-split") == 0
    capsys.readouterr()
    assert run("info", library) == 0
    out = capsys.readouterr().out
    assert "clip" in out and "1.00 s" in out and "still" in out and "3.00 s" in out
    _, rev = snapshot(library)
    assert run("undo", library) == 0 and snapshot(library)[1] == rev - 1
    assert run("redo", library) == 0 and snapshot(library)[1] == rev
    capsys.readouterr()
    assert run("history", library) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("*") and "import clip.mp4, still.png" in lines[0]
    assert "create project" in lines[-1]


def test_export_otio_has_one_clip_per_shot_with_durations(library, tiny_clip, tmp_path):
    assert run("import", library, tiny_clip, tiny_clip, "--no-split") == 0
    out = tmp_path / "film.otio"
    assert run("export", library, "--otio", out) == 0
    timeline = otio.adapters.read_from_file(str(out))
    clips = list(timeline.find_clips())
    assert len(clips) == 2
    assert [c.source_range.duration.to_frames() for c in clips] == [24, 24]
    assert timeline.duration().to_seconds() == pytest.approx(2.0)
    assert clips[0].media_reference.target_url.startswith("file://")


@pytest.mark.parametrize("make,expect", [
    (lambda p: p.write_text("this is not a video"), "not a video"),
    (lambda p: p.write_bytes(b""), "empty"),
])
def test_bad_media_is_refused_with_one_line_and_project_unchanged(library, tmp_path, capsys, make, expect):
    bad = tmp_path / "bad.mp4"
    make(bad)
    before = snapshot(library)
    capsys.readouterr()
    assert run("import", library, bad) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.mp4" in err and expect in err
    assert "Traceback" not in err
    assert snapshot(library) == before


def test_truncated_and_audio_only_files_are_refused(library, tiny_clip, tmp_path, capsys):
    from storyloom.media import VideoWriter
    data = tiny_clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    audio = write_audio_only(tmp_path / "voice.wav")
    before = snapshot(library)
    for bad in (cut, audio):
        capsys.readouterr()
        assert run("import", library, bad) == 2, bad
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and bad.name in err
    assert snapshot(library) == before


def test_huge_image_is_refused(library, tmp_path, capsys):
    from PIL import Image
    big = tmp_path / "huge.png"
    Image.new("1", (20000, 20000)).save(big)
    capsys.readouterr()
    assert run("import", library, big) == 2
    err = capsys.readouterr().err
    assert "huge.png" in err and "20000x20000" in err


def test_newer_project_file_is_refused(library, capsys):
    import sqlite3
    db = sqlite3.connect(library / "library.sqlite")
    row = db.execute("select rowid, document from revisions order by rowid desc limit 1").fetchone()
    doc = json.loads(row[1])
    doc["schema"] = "Project.7"
    db.execute("update revisions set document=? where rowid=?", (json.dumps(doc), row[0]))
    db.commit()
    db.close()
    capsys.readouterr()
    assert run("info", library) == 2
    err = capsys.readouterr().err
    assert "newer Storyloom" in err and len(err.strip().splitlines()) == 1


def test_missing_asset_is_reported(library, tiny_clip, tmp_path, capsys):
    assert run("import", library, tiny_clip) == 0
    for f in (library / "assets").rglob("*.mp4"):
        f.unlink()
    capsys.readouterr()
    assert run("render", library, "-o", tmp_path / "out.mp4", "--workers", "0") == 2
    err = capsys.readouterr().err
    assert "missing" in err and not (tmp_path / "out.mp4").exists()


def test_not_a_library(tmp_path, capsys):
    assert run("info", tmp_path / "nowhere") == 2
    assert "not a Storyloom library" in capsys.readouterr().err


def test_gc_keeps_used_assets(library, tiny_clip, capsys):
    assert run("import", library, tiny_clip) == 0
    capsys.readouterr()
    assert run("gc", library) == 0
    assert "removed 0" in capsys.readouterr().out


def test_ctrl_c_leaves_no_film_and_says_so(library, tiny_clip, tmp_path):
    """A real SIGINT in the middle of a render: exit 130, no output, job cancelled."""
    import signal
    import subprocess
    import sys
    import time
    assert run("import", library, *[tiny_clip] * 8, "--no-split") == 0
    out = tmp_path / "film.mp4"
    code = "import sys, time, storyloom.render.timeline as j\n" \
           "orig = j.render_project\n" \
           "def slow(*a, **k):\n" \
           "    p = k.get('progress')\n" \
           "    def prog(f, m=''):\n" \
           "        p(f, m); time.sleep(0.2)\n" \
           "    k['progress'] = prog\n" \
           "    return orig(*a, **k)\n" \
           "import storyloom.render as r; r.render_project = slow\n" \
           "from storyloom.cli.main import main; sys.exit(main(sys.argv[1:]))\n"
    proc = subprocess.Popen([sys.executable, "-c", code, "render", str(library), "-o", str(out), "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    from storyloom.store import Library
    lib = Library.open(library)
    deadline = time.time() + 60   # interrupt once the render has really started
    while time.time() < deadline and not any(j.state == "running" for j in lib.jobs()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode()
    assert not out.exists() and not list(tmp_path.glob(".film*"))
    assert lib.jobs()[0].state == "interrupted" and lib.jobs()[0].resumable   # Ctrl-C: run it again to finish


def test_usage_errors_exit_2(library, capsys):
    assert run("render", library) == 2
    assert "--output" in capsys.readouterr().err


def test_engines_lists_availability_and_reason(capsys):
    from storyloom.engines import Availability, Engine, register, resolve
    from storyloom.engines.base import _REGISTRY

    @register
    class NeedsWeights(Engine):
        NAME, CAPABILITY, PRIORITY = "test-needs-weights", "shots", 99

        @classmethod
        def is_available(cls):
            return Availability(False, "no weights configured (set STORYLOOM_TEST_WEIGHTS)")
    try:
        capsys.readouterr()
        assert run("engines") == 0
        out = capsys.readouterr().out
        assert "histogram" in out and "available" in out
        assert "test-needs-weights" in out and "unavailable: no weights configured" in out
        # the default is marked, and the shots default says why it beats transnetv2
        assert any(line.split()[:2] == ["shots", "*histogram"] for line in out.splitlines())
        why = next(line for line in out.splitlines() if "(default histogram:" in line)
        assert "transnetv2" in why and "wipes" in why and "F1" in why
        choice = resolve("shots")   # the unavailable one is skipped, and the answer says why
        assert choice.engine.NAME != "test-needs-weights" and "no weights configured" in choice.why
    finally:
        del _REGISTRY[("shots", "test-needs-weights")]


@pytest.mark.parametrize("args", [["restyle", "{src}", "--style", "sepia", "-o", "{out}"],
                                  ["camera", "{src}", "--move", "roll", "-o", "{out}"],
                                  ["upscale", "{src}", "--scale", "2", "-o", "{out}"]])
@pytest.mark.parametrize("out,message", [("missing/o.mp4", "folder"), ("o.gif", "unknown video format")])
def test_file_commands_check_the_output_before_any_work(tmp_path, capsys, args, out, message):
    """A missing output folder (or a format that cannot be written) is one line and exit 2
    before anything is decoded; no folder or file is created."""
    import numpy as np
    from storyloom.cli.main import main
    from storyloom.media import write_video
    src = write_video(tmp_path / "in.mp4", [np.full((36, 64, 3), 90, np.uint8)] * 4, 24)
    capsys.readouterr()
    code = main([a.format(src=src, out=tmp_path / out) for a in args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]


@pytest.mark.parametrize("args", [["camera", "{src}", "--move", "pan-left", "-o", "{out}"]])
def test_video_too_large_for_memory_is_refused_up_front(tmp_path, capsys, monkeypatch, args):
    """Commands that hold a whole video in memory (camera on a video) say so in one line
    (exit 2, nothing written) when it would not fit, instead of being killed half-way by
    the system. (restyle and upscale stream, so they never need to.)"""
    import numpy as np
    import storyloom.cli.app as cli_app
    from storyloom.cli.main import main
    from storyloom.media import write_video
    src = write_video(tmp_path / "in.mp4", [np.full((36, 64, 3), 90, np.uint8)] * 24, 24)
    out = tmp_path / "o.mp4"
    monkeypatch.setattr(cli_app, "free_memory", lambda: 200_000)     # 0.2 MB free
    capsys.readouterr()
    code = main([a.format(src=src, out=out) for a in args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "24 frames of 64x36 need about" in err[0], err
    assert not out.exists()
    monkeypatch.setattr(cli_app, "free_memory", lambda: None)         # unknown: no refusal
    assert main([a.format(src=src, out=out) for a in args]) == 0 and out.exists()

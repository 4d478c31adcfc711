"""Awkward footage through `storyloom import`: one frame, audio only, variable frame rate,
rotation metadata, 4K. Each gives a clear one-line refusal or a sensible storyboard, and
every import is recorded as a job."""
import subprocess
from fractions import Fraction

import av
import numpy as np
import pytest

from helpers import run, write_audio_only
from storyloom.media import probe, read_frames, write_video
from storyloom.store import Library


@pytest.fixture
def library(tmp_path):
    lib = tmp_path / "lib"
    assert run("new", lib, "--size", "160x90", "--fps", "12") == 0
    return lib


def _imported(lib, file, capsys):
    capsys.readouterr()
    code = run("import", lib, file)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured


def _marked(n, value=40):
    """Frames of one look with a red top-left marker (a little noise so they are real video)."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        f = np.clip(value + rng.normal(0, 2, (90, 160, 3)), 0, 255).astype(np.uint8)
        f[:20, :20] = (255, 0, 0)
        out.append(f)
    return out


def test_one_frame_video_becomes_a_held_still(library, tmp_path, capsys):
    one = write_video(tmp_path / "one.mp4", _marked(1, 200), 24)
    assert probe(one).frames == 1
    code, captured = _imported(library, one, capsys)
    assert code == 0 and "added shot 'one' (3.00 s)" in captured.out
    lib = Library.open(library)
    doc, _ = lib.load()
    shot = doc.shots()[0]
    assert shot.duration == 3.0 and len(shot.thumbnails) == 1
    out = tmp_path / "film.mp4"
    assert run("render", library, "-o", out, "--workers", "0") == 0
    last = read_frames(out, 35, 36)[0]                       # the frame is held to the end
    assert probe(out).frames == 36 and last[60:, 60:].mean() == pytest.approx(200, abs=6)
    job = lib.jobs(doc.id)
    assert [j.kind for j in job] == ["render", "import"]
    assert job[1].state == "done" and job[1].progress == 1.0 and len(job[1].result["shots"]) == 1


def test_audio_only_is_refused_and_the_job_says_why(library, tmp_path, capsys):
    audio = write_audio_only(tmp_path / "voice.wav")
    before = Library.open(library).load()
    code, captured = _imported(library, audio, capsys)
    err = captured.err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "voice.wav" in err and "audio only" in err
    lib = Library.open(library)
    assert lib.load()[1] == before[1]                         # nothing saved
    job = lib.jobs()[0]
    assert job.kind == "import" and job.state == "failed" and "audio only" in job.message


def _write_vfr(path, gaps_ms):
    with av.open(str(path), "w", format="matroska") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 160, 90, "yuv420p"
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        s.options = {"preset": "ultrafast", "bf": "0"}
        t = 0
        for frame, gap in zip(_marked(len(gaps_ms)), gaps_ms):
            f = av.VideoFrame.from_ndarray(frame, format="rgb24")
            f.pts, f.time_base = t, Fraction(1, 1000)
            t += gap
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def test_variable_frame_rate_is_one_shot_of_the_whole_duration(library, tmp_path, capsys):
    vfr = _write_vfr(tmp_path / "vfr.mkv", [60, 20] * 15)      # 30 frames over 1.2 s
    info = probe(vfr)
    assert info.variable_frame_rate
    code, captured = _imported(library, vfr, capsys)
    assert code == 0
    doc, _ = Library.open(library).load()
    assert [s.title for s in doc.shots()] == ["vfr"]
    assert doc.shots()[0].duration == pytest.approx(info.duration, abs=0.1)


def test_rotated_phone_video_is_imported_upright(library, tmp_path, capsys):
    from imageio_ffmpeg import get_ffmpeg_exe
    from PIL import Image
    plain = write_video(tmp_path / "plain.mp4", _marked(12), 24)
    rot = tmp_path / "rot.mp4"
    subprocess.run([get_ffmpeg_exe(), "-y", "-v", "error", "-display_rotation", "90", "-i", str(plain),
                    "-c", "copy", str(rot)], check=True)
    code, captured = _imported(library, rot, capsys)
    assert code == 0 and "added shot 'rot' (0.50 s)" in captured.out
    lib = Library.open(library)
    shot = lib.load()[0].shots()[0]
    thumb = Image.open(lib.asset_path(shot.thumbnails[0]))
    assert thumb.width < thumb.height                         # portrait, as the phone showed it
    pic = np.asarray(thumb.convert("RGB"))
    # turned 90 degrees counter-clockwise: the top-left marker is now bottom-left
    assert pic[-10:, :10, 0].mean() > 180 and pic[:10, :10, 0].mean() < 120


def test_4k_video_is_imported_and_renders_at_project_size(library, tmp_path, capsys):
    frames = [np.full((2160, 3840, 3), 90, np.uint8) for _ in range(6)]
    for f in frames:
        f[:480, :480] = (255, 0, 0)
    big = write_video(tmp_path / "big.mp4", frames, 24, preset="ultrafast")
    code, captured = _imported(library, big, capsys)
    assert code == 0 and "added shot 'big' (0.25 s)" in captured.out
    lib = Library.open(library)
    shot = lib.load()[0].shots()[0]
    assert lib.asset_info(shot.layers[0].source.asset.sha256).width == 3840
    out = tmp_path / "film.mp4"
    assert run("render", library, "-o", out, "--workers", "0") == 0
    f = read_frames(out, 0, 1)[0]
    assert f.shape == (90, 160, 3) and f[:15, :15, 0].mean() > 200 and f[60:, 100:].mean() == pytest.approx(90, abs=8)


def test_importing_the_same_file_twice_reuses_the_stored_asset(library, tmp_path, capsys):
    clip = write_video(tmp_path / "clip.mp4", _marked(12), 24)
    assert run("import", library, clip) == 0
    assert run("import", library, clip) == 0
    lib = Library.open(library)
    doc, _ = lib.load()
    shots = doc.shots()
    assert len(shots) == 2
    assert shots[0].layers[0].source.asset.sha256 == shots[1].layers[0].source.asset.sha256
    assert len(list((library / "assets").rglob("*.mp4"))) == 1
    jobs = lib.jobs(doc.id)
    assert [j.state for j in jobs] == ["done", "done"]
    assert jobs[0].result["asset"] == jobs[1].result["asset"] == shots[0].layers[0].source.asset.sha256


def test_import_job_reports_progress_while_running(tmp_path):
    from storyloom.studio.importer import import_footage
    from storyloom.model import Project
    clip = write_video(tmp_path / "clip.mp4", _marked(12) + _marked(12, 200), 24)
    lib = Library.open(tmp_path / "lib")
    project = Project(size={"width": 160, "height": 90})
    seen = []

    def progress(fraction, message=""):
        jobs = lib.jobs()
        seen.append((round(fraction, 2), jobs[0].state, jobs[0].progress))
        said.append(message)

    said = []
    shots = import_footage(lib, project, clip, progress=progress)
    assert len(shots) == 2
    # no step of the import says "done" before the import is
    assert not any(m.lower().startswith("done") for m in said) and "finding shots" in said
    assert seen[0][1] == "queued" and all(state == "running" for _, state, _ in seen[1:])
    assert [f for f, _, _ in seen][-1] == 1.0 and len(seen) >= 3
    job = lib.jobs()[0]
    assert (job.kind, job.state, job.progress, job.params["path"]) == ("import", "done", 1.0, str(clip))
    assert job.result["shot_ids"] == [s.id for s in shots]
    # a caller running the import as its own job (the studio) records no second one
    import_footage(lib, project, clip, record_job=False)
    assert len(lib.jobs()) == 1 and len(project.shots()) == 4

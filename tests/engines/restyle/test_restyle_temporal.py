"""No flicker: the warping error of restyled video under the yardstick's exact camera
motion (``score.py temporal``), against the input's own, for representative styles; a
version whose textures are drawn afresh every frame (or stuck to the screen) fails."""
from __future__ import annotations

import json

import numpy as np
import pytest

from storyloom.engines.restyle.cpu import CpuStyles
from storyloom.media import read_frames, write_video

FRAMES = 16
GOAL = 1.5


@pytest.fixture(scope="module")
def motion(yardstick, tmp_path_factory):
    """The yardstick motion case (seed 0) at 160x90, cut to its first 16 frames."""
    full = yardstick.make("motion", tmp_path_factory.mktemp("ys") / "motion", seed=0, size=(160, 90))
    case = full.parent / "short"
    case.mkdir()
    meta = json.loads((full / "meta.json").read_text())
    meta["canvas_to_frame"] = meta["canvas_to_frame"][:FRAMES]
    meta["frames"] = FRAMES
    (case / "meta.json").write_text(json.dumps(meta))
    frames = np.stack(read_frames(full / "input.mp4"))[:FRAMES]
    write_video(case / "input.mp4", list(frames), 24, crf=10)
    return case, np.stack(read_frames(case / "input.mp4")), yardstick.score


def _ratio(motion, frames, tmp_path, name):
    case, _, score = motion
    pred = write_video(tmp_path / f"{name}.mp4", list(frames), 24, crf=10)
    return score.score_temporal(case, pred)["ratio_to_input"]


@pytest.mark.parametrize("style", ["watercolour", "comic-halftone", "impressionist", "pixel-art", "stained-glass"])
def test_warping_error_within_goal_and_flicker_fails(style, motion, tmp_path):
    _, src, _ = motion
    with CpuStyles() as eng:
        steady = eng.restyle(src, style)
        # the naive way: every frame restyled on its own with fresh random textures
        fresh = np.concatenate([eng.restyle(f[None], style, seed=i) for i, f in enumerate(src)])
    with CpuStyles(temporal=False) as flat:
        screen = flat.restyle(src, style)      # textures stuck to the screen, no carry-over
    r_steady = _ratio(motion, steady, tmp_path, "steady")
    r_fresh = _ratio(motion, fresh, tmp_path, "fresh")
    r_screen = _ratio(motion, screen, tmp_path, "screen")
    print(f"{style}: warping error ratio {r_steady} (per-frame random {r_fresh}, screen-fixed {r_screen})")
    assert r_steady <= GOAL
    assert r_fresh > GOAL and r_screen > r_steady * 1.3

"""The ``people`` engine is chosen by itself when the prompt lands on a person, and its
matte follows the person; elsewhere the default engine is chosen."""
from __future__ import annotations

import numpy as np
import pytest

from storyloom.engines.cutout import Prompt, choose, cut_out
from storyloom.engines.cutout.people import PeopleSegmenter

pytestmark = pytest.mark.skipif(not PeopleSegmenter.is_available(), reason="mediapipe not installed")


def _astronaut_clip(n: int = 6) -> np.ndarray:
    """A 320x180 pan across scikit-image's astronaut photo."""
    import cv2
    from skimage import data
    img = cv2.resize(data.astronaut(), (384, 384), interpolation=cv2.INTER_AREA)
    return np.stack([img[30:210, 4 * i:4 * i + 320] for i in range(n)])


def test_person_prompt_chooses_people_and_follows_her():
    clip = _astronaut_clip()
    face = Prompt.make(clicks=[(0, 150, 45)])
    assert choose(clip, face).engine.NAME == "people"
    alpha = cut_out(clip, clicks=[(0, 150, 45)])
    # the photo pans 4 px a frame to the left: her face is 20 px further left on frame 5
    assert alpha[5, 45, 130] > 200
    # the backdrop beside her (top right) and the flag (left edge) stay out
    assert alpha[0, 10, 310] < 30 and alpha[0, 60, 5] < 30
    # the matte is soft only in a thin band at her outline
    soft = ((alpha > 25) & (alpha < 230)).mean()
    assert 0.002 < soft < 0.08


def test_prompt_off_the_person_chooses_matting():
    clip = _astronaut_clip()
    flag = Prompt.make(clicks=[(0, 12, 60)])            # the flag at the left edge
    choice = choose(clip, flag)
    assert choice.engine.NAME == "matting" and "people: prompt not on its kind of object" in choice.why


def test_negative_click_on_the_person_drops_her():
    clip = _astronaut_clip(2)
    with PeopleSegmenter() as eng:
        both = eng.track(clip, Prompt.make(clicks=[(0, 150, 45)]))
        none = eng.track(clip, Prompt.make(clicks=[(0, 150, 45), (0, 150, 100, False)]))
    assert both[0, 45, 150] > 200 and none[0, 45, 150] < 30


def test_a_blob_the_selfie_model_calls_a_person_still_gets_matting(yardstick, tmp_path):
    """Yardstick layers seed 1: MediaPipe's selfie model gives the hairy blob person
    probability ~1 under the click, but no body pose spans it, so the default engine is
    not the people engine (which scores J&F ~0.5 on these cases)."""
    import json
    from storyloom.engines.cutout.people import _person_prob, _selfie
    out = yardstick.make("layers", tmp_path / "layers", seed=1)
    meta = json.loads((out / "meta.json").read_text())
    frames = np.stack(yardstick.mediaio.read_frames(out / "input.mp4")).astype(np.uint8)[:3]
    c = meta["click"]
    seg = _selfie()
    try:
        assert _person_prob(seg, frames[0])[c["y"], c["x"]] > 0.5     # the selfie model alone is fooled
    finally:
        seg.close()
    choice = choose(frames, Prompt.make(clicks=[(0, c["x"], c["y"])]))
    assert choice.engine.NAME == "matting" and "people: prompt not on its kind of object" in choice.why

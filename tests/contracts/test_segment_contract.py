"""Every ``segment`` engine keeps the ``track`` contract: one uint8 matte per frame at
the frames' size, progress in [0, 1] ending at 1, BadInput for a prompt outside the
picture, the same answer twice, a single picture works. Engines that need weights run
with a tiny random SAM 2 built here (shape contract only: random weights find nothing)."""
from __future__ import annotations

import numpy as np
import pytest

from storyloom.engines import engines
from storyloom.engines.cutout import Prompt
from storyloom.errors import BadInput

SEGMENTERS = engines("segment")


def _astronaut_clip(n: int = 6) -> np.ndarray:
    """A 320x180 pan across scikit-image's astronaut photo (a person on a studio backdrop)."""
    import cv2
    from skimage import data
    img = cv2.resize(data.astronaut(), (384, 384), interpolation=cv2.INTER_AREA)
    return np.stack([img[30:210, 4 * i:4 * i + 320] for i in range(n)])


FACE = (150, 45)      # on her face in frame 0 of _astronaut_clip
BOX = (60, 5, 300, 179)


@pytest.fixture(scope="module")
def clip():
    return _astronaut_clip()


@pytest.fixture
def engine_cls(request, monkeypatch, tmp_path_factory):
    cls = request.param
    if cls.NAME == "sam2" and not cls.is_available():
        pytest.importorskip("transformers")
        from engines.cutout.sam2_tiny import tiny_sam2
        monkeypatch.setenv("STORYLOOM_SAM2_MODEL", str(tiny_sam2(tmp_path_factory.mktemp("sam2") / "tiny")))
        request.node.random_weights = True
    a = cls.is_available()
    if not a:
        pytest.skip(f"{cls.NAME}: {a.reason}")
    return cls


def _params():
    return pytest.mark.parametrize("engine_cls", SEGMENTERS, ids=[c.NAME for c in SEGMENTERS], indirect=True)


@_params()
def test_one_matte_per_frame_with_progress(engine_cls, clip):
    seen = []
    with engine_cls() as eng:
        alpha = eng.track(clip, Prompt.make(clicks=[(0, *FACE)]), progress=lambda f, m="": seen.append(f))
    assert alpha.shape == clip.shape[:3] and alpha.dtype == np.uint8
    assert seen and all(0.0 <= f <= 1.0 for f in seen) and seen[-1] == pytest.approx(1.0)


@_params()
def test_box_prompt_on_a_middle_frame(engine_cls, clip):
    with engine_cls() as eng:
        alpha = eng.track(clip, Prompt.make(box=BOX, frame=3))
    assert alpha.shape == clip.shape[:3]


@_params()
def test_prompt_outside_the_picture_is_bad_input(engine_cls, clip):
    with engine_cls() as eng:
        with pytest.raises(BadInput, match="outside"):
            eng.track(clip, Prompt.make(clicks=[(0, 320, 10)]))
        with pytest.raises(BadInput, match="frame 6"):
            eng.track(clip, Prompt.make(clicks=[(6, 10, 10)]))
        with pytest.raises(BadInput, match="no area"):
            eng.track(clip, Prompt.make(box=(10, 10, 10, 50)))


@_params()
def test_same_answer_twice_and_single_picture(engine_cls, clip):
    with engine_cls() as eng:
        a = eng.track(clip[:3], Prompt.make(clicks=[(0, *FACE)]))
        b = eng.track(clip[:3], Prompt.make(clicks=[(0, *FACE)]))
        one = eng.track(clip[0], Prompt.make(clicks=[(0, *FACE)]))
    assert np.array_equal(a, b)
    assert one.shape == (1,) + clip.shape[1:3]


@_params()
def test_clicked_person_is_opaque(engine_cls, clip, request):
    """With real weights (every CPU engine): the clicked person is in the matte, the
    backdrop's far corner is not."""
    if getattr(request.node, "random_weights", False):
        pytest.skip("random test weights: shape contract only")
    with engine_cls() as eng:
        alpha = eng.track(clip, Prompt.make(clicks=[(0, *FACE)]))
    assert alpha[0, FACE[1], FACE[0]] >= 128
    assert alpha[0, 5, 315] < 128

"""The ``sam2`` engine: unavailable with a reason when no weights are configured; with a
tiny random-weight SAM 2 built from a config here, ``track`` runs end to end (this proves
the code path — points, box, propagation both ways, matting — not the quality)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from storyloom.engines import resolve  # noqa: E402
from storyloom.engines.cutout import Prompt, cut_out  # noqa: E402
from storyloom.engines.cutout.sam2 import Sam2Segmenter  # noqa: E402
from storyloom.errors import BadInput, EngineUnavailable  # noqa: E402
from engines.cutout.sam2_tiny import tiny_sam2  # noqa: E402


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return tiny_sam2(tmp_path_factory.mktemp("sam2") / "tiny")


def _clip(n=5):
    rng = np.random.default_rng(1)
    frames = (rng.random((n, 72, 96, 3)) * 80).astype(np.uint8)
    for t in range(n):
        frames[t, 20:50, 20 + 3 * t:50 + 3 * t] = (230, 80, 40)
    return frames


def test_unavailable_without_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYLOOM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("STORYLOOM_SAM2_MODEL", raising=False)
    monkeypatch.delenv("STORYLOOM_SAM2_WEIGHTS", raising=False)
    a = Sam2Segmenter.is_available()
    assert not a and "no weights configured" in a.reason
    with pytest.raises(EngineUnavailable, match="no weights configured"):
        resolve("segment", "sam2")
    # and the default choice passes over it, saying why
    assert "sam2: no weights configured" in resolve("segment").why


def test_tiny_random_model_tracks_end_to_end(monkeypatch, tiny_model):
    monkeypatch.setenv("STORYLOOM_SAM2_MODEL", str(tiny_model))
    assert Sam2Segmenter.is_available()
    frames = _clip()
    seen = []
    with resolve("segment", "sam2").engine() as eng:
        for prompt in (Prompt.make(clicks=[(2, 40, 35), (2, 80, 10, False)]),
                       Prompt.make(box=(20, 18, 60, 52), frame=0)):
            alpha = eng.track(frames, prompt, progress=lambda f, m="": seen.append(f))
            # random weights: any matte, but one per frame, full size, uint8
            assert alpha.shape == (5, 72, 96) and alpha.dtype == np.uint8
    assert seen and max(seen) == pytest.approx(1.0) and all(0 <= f <= 1 for f in seen)


def test_tiny_model_through_cut_out_checks_prompt(monkeypatch, tiny_model):
    monkeypatch.setenv("STORYLOOM_SAM2_MODEL", str(tiny_model))
    with pytest.raises(BadInput, match="outside"):
        cut_out(_clip(), clicks=[(0, 500, 5)], engine="sam2")


def test_bad_weights_path_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYLOOM_SAM2_MODEL", str(tmp_path / "missing-model"))
    with pytest.raises(EngineUnavailable, match="cannot load"):
        with Sam2Segmenter() as eng:
            eng.track(_clip(), Prompt.make(clicks=[(0, 40, 35)]))

"""Restyle at strength 0 is the input and costs nothing: no look is decided (no palette, no
texture, no optical flow) and none is drawn, in the whole-clip and the streaming call, for
every restyle engine (available or not: nothing of it runs)."""
from __future__ import annotations

import time

import numpy as np
import pytest

from storyloom.engines import engines
from storyloom.engines.restyle import cpu
from storyloom.engines.restyle.cpu import CpuStyles
from storyloom.errors import BadInput

from engines.restyle.test_restyle_styles import pan_clip

RESTYLERS = engines("restyle")


@pytest.fixture(scope="module")
def clip():
    return pan_clip(n=12)


@pytest.fixture
def nothing_may_run(monkeypatch):
    """Any look work (a backend's restyle, the CPU looks' per-clip decisions) fails the test."""
    def boom(*args, **kwargs):
        raise AssertionError("strength 0 computed a look")
    for cls in RESTYLERS:
        monkeypatch.setattr(cls, "_restyle", boom)
        monkeypatch.setattr(cls, "_restyle_stream", boom)
    monkeypatch.setattr(cpu, "ClipLook", boom)


@pytest.mark.parametrize("cls", RESTYLERS, ids=[c.NAME for c in RESTYLERS])
def test_strength_zero_returns_the_input_without_deciding_a_look(cls, clip, nothing_may_run):
    with cls() as eng:
        whole = eng.restyle(clip, "stained-glass", strength=0.0)
        streamed = list(eng.restyle_stream(iter(clip), "stained-glass", sample=None, strength=0.0))
        rgba = eng.restyle(np.concatenate([clip, np.full(clip.shape[:3] + (1,), 255, np.uint8)], -1), "sepia", 0.0)
    assert np.array_equal(whole, clip) and whole is not clip
    assert np.array_equal(np.stack(streamed), clip)
    assert np.array_equal(rgba, clip)                # alpha dropped, as at any strength
    whole[:] = 0                                     # the answer is the caller's to change
    assert clip.any()


@pytest.mark.parametrize("cls", RESTYLERS, ids=[c.NAME for c in RESTYLERS])
def test_strength_zero_still_refuses_a_bad_style_or_strength(cls, clip, nothing_may_run):
    with cls() as eng:
        with pytest.raises(BadInput, match="cubism"):
            eng.restyle(clip, "cubism", strength=0.0)
        with pytest.raises(BadInput, match="cubism"):      # at the call, before any frame is read
            eng.restyle_stream(iter(clip), "cubism", sample=None, strength=0.0)
        with pytest.raises(BadInput, match="0..1"):
            eng.restyle_stream(iter(clip), "sepia", sample=None, strength=-0.1)


def test_strength_zero_is_far_faster_than_a_faint_style(clip):
    """Measured in the same run: strength 0 against strength 0.01 of the same style."""
    with CpuStyles() as eng:
        t0 = time.perf_counter()
        faint = eng.restyle(clip, "stained-glass", strength=0.01)
        t_faint = time.perf_counter() - t0
        t_zero = min(_timed(lambda: eng.restyle(clip, "stained-glass", strength=0.0)) for _ in range(3))
        t_stream = min(_timed(lambda: list(eng.restyle_stream(iter(clip), "stained-glass", None, 0.0)))
                       for _ in range(3))
    assert not np.array_equal(faint, clip)           # a faint style is work, and shows
    assert t_zero < t_faint / 50 and t_stream < t_faint / 50, (t_zero, t_stream, t_faint)


def _timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0

"""Audio comes back sample-exact and aligned; writers end audio with the video."""
from __future__ import annotations

import av
import numpy as np
import pytest

from storyloom.media import VideoWriter, probe, read_audio, write_video

from conftest import H, W

SR = 48000
CLICKS = [0.1, 1.3]  # seconds


def clicky(seconds: float = 2.0) -> np.ndarray:
    """Quiet 220 Hz tone with loud one-millisecond clicks at known times."""
    t = np.arange(int(seconds * SR)) / SR
    a = np.stack([0.05 * np.sin(2 * np.pi * 220 * t)] * 2).astype(np.float32)
    for c in CLICKS:
        i = int(c * SR)
        a[:, i:i + 48] = 0.9
    return a


def click_at(audio: np.ndarray, near: float, start: float = 0.0) -> float:
    """Time (s, file timeline) where the first sample above 0.5 occurs near ``near``."""
    lo = max(0, int((near - start - 0.05) * SR))
    idx = np.nonzero(np.abs(audio[0, lo:lo + int(0.1 * SR)]) > 0.5)[0]
    assert len(idx), "click not found"
    return start + (lo + idx[0]) / SR


@pytest.fixture(scope="module", params=[".mp4", ".mov", ".webm"])
def clip(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("audio") / f"clip{request.param}"
    frames = [np.zeros((H, W, 3), np.uint8)] * 48  # 2 s at 24 fps
    return write_video(path, frames, fps=24, audio=clicky(2.0), audio_rate=SR)


def test_read_audio_length_and_alignment(clip):
    info = probe(clip)
    assert info.has_audio and info.audio_rate == SR
    full = read_audio(clip, rate=SR)
    assert full.shape == (2, round(info.duration * SR)) == (2, 2 * SR)
    exact = read_audio(clip, rate=SR, duration=1.5)
    assert exact.shape == (2, 72000)
    # clicks where they were written, to within a tenth of a millisecond (AAC priming removed)
    for c in CLICKS:
        assert abs(click_at(full, c) - c) < 1e-4
    # a late start goes through the seek path and keeps alignment
    late = read_audio(clip, rate=SR, start=1.2, duration=0.5)
    assert late.shape == (2, 24000)
    assert abs(click_at(late, 1.3, start=1.2) - 1.3) < 1e-4


def test_read_audio_resamples_to_mono(clip):
    mono = read_audio(clip, rate=16000, channels=1, duration=1.0)
    assert mono.shape == (1, 16000) and mono.dtype == np.float32
    i = np.nonzero(np.abs(mono[0]) > 0.4)[0][0]
    assert abs(i / 16000 - CLICKS[0]) < 5e-4


def _stream_seconds(path) -> tuple[float, float]:
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        return float(v.frames / v.average_rate), float(a.duration * a.time_base)


@pytest.mark.parametrize("seconds", [0.5, 1.0, 3.0])
def test_writer_audio_ends_with_video(tmp_path, seconds):
    path = tmp_path / "w.mp4"
    # audio written first, shorter or longer than the 1 s of video
    with VideoWriter(path, W, H, fps=24, audio_rate=SR) as w:
        w.write_audio(clicky(seconds))
        for _ in range(24):
            w.write(np.zeros((H, W, 3), np.uint8))
    vsec, asec = _stream_seconds(path)
    assert vsec == pytest.approx(1.0)
    assert asec == pytest.approx(1.0, abs=1 / SR)
    assert read_audio(path, rate=SR).shape == (2, SR)

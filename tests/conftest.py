import numpy as np
import pytest


@pytest.fixture
def tiny_clip(tmp_path):
    """A 1 s, 160x90 clip at 24 fps with a 440 Hz tone; frame i is grey level 8*i."""
    from storyloom.media import write_video
    frames = [np.full((90, 160, 3), 8 * i, np.uint8) for i in range(24)]
    t = np.arange(48000) / 48000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return write_video(tmp_path / "clip.mp4", frames, 24, audio=np.stack([tone, tone]))

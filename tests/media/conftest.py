"""Tiny media made once per test session (all <= 64x48, <= 2 s)."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from storyloom.media import write_video

W, H, N, FPS = 64, 48, 30, 24


def grey_frames(n: int = N) -> list[np.ndarray]:
    """Frame i is uniform grey level 8*i, so its index can be read back from its mean."""
    return [np.full((H, W, 3), 8 * i, np.uint8) for i in range(n)]


def index_of(frame: np.ndarray) -> int:
    return int(round(float(frame[..., :3].mean()) / 8))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def mp4_bframes(media_dir):
    # preset medium gives H.264 B-frames, so decode order differs from display order
    return write_video(media_dir / "grey.mp4", grey_frames(), fps=FPS, preset="medium")


@pytest.fixture(scope="session")
def mov_file(media_dir):
    return write_video(media_dir / "grey.mov", grey_frames(), fps=FPS)


def write_vfr(path, pts_ms: list[int]) -> None:
    """An MKV whose frames sit at irregular millisecond timestamps; frame i is grey 8*i."""
    with av.open(str(path), "w", format="matroska") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.time_base = Fraction(1, 1000)
        s.codec_context.time_base = Fraction(1, 1000)
        s.options = {"preset": "ultrafast", "crf": "10", "bf": "0"}
        for i, p in enumerate(pts_ms):
            f = av.VideoFrame.from_ndarray(np.full((H, W, 3), 8 * i, np.uint8), format="rgb24")
            f.pts, f.time_base = p, Fraction(1, 1000)
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)

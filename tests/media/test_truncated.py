"""Files cut short: a truncated MP4 is refused by ``probe`` with its own one-line message
saying where it ends, and ``frames_by_index`` on a file cut mid-stream raises, naming the
file and the first frame it could not decode, instead of answering with part of the frames."""
from __future__ import annotations

import re
import struct

import av
import numpy as np
import pytest

from storyloom.errors import BadInput
from storyloom.media import frames_by_index, probe, write_video

from conftest import FPS, H, W

N = 24


def _frames():
    """Noisy frames (so packets are kilobytes, not bytes); frame i is about grey 8*i."""
    rng = np.random.default_rng(3)
    return [np.clip(rng.normal(8 * i, 30, (H, W, 3)), 0, 255).astype(np.uint8) for i in range(N)]


@pytest.fixture(scope="module")
def faststart(tmp_path_factory):
    """An H.264 MP4 with B-frames and its index (moov) before its data, written with PyAV."""
    path = tmp_path_factory.mktemp("trunc") / "fast.mp4"
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as c:
        s = c.add_stream("libx264", rate=FPS)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.options = {"preset": "medium"}
        for f in _frames():
            for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


@pytest.fixture(scope="module")
def index_last(tmp_path_factory):
    """An MP4 as most encoders (and Storyloom) write it: the index (moov) after the data."""
    return write_video(tmp_path_factory.mktemp("trunc") / "last.mp4", _frames(), FPS)


def _box(data: bytes, kind: bytes) -> tuple[int, int]:
    """(offset, size) of a top-level box, found by its type."""
    at = data.index(kind) - 4
    return at, struct.unpack(">I", data[at:at + 4])[0]


def _cut(src, dst, keep: int):
    dst.write_bytes(src.read_bytes()[:keep])
    return dst


def _refused(path) -> str:
    with pytest.raises(BadInput) as e:
        probe(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{path.name}: the file is truncated (it ends "), msg
    assert msg.endswith("); re-export or re-copy it"), msg
    return msg


def test_cut_in_its_data_before_its_index(index_last, tmp_path):
    data = index_last.read_bytes()
    at, size = _box(data, b"mdat")
    cut = _cut(index_last, tmp_path / "cut.mp4", at + 8 + (size - 8) // 3)
    assert "into its picture and sound data, before the index of its frames" in _refused(cut)
    assert re.search(r"it ends 33% into", _refused(cut))


def test_cut_just_before_its_index(index_last, tmp_path):
    at, _ = _box(index_last.read_bytes(), b"moov")
    cut = _cut(index_last, tmp_path / "noindex.mp4", at)
    assert "(it ends before the index of its frames)" in _refused(cut)


def test_index_first_cut_in_its_data_or_its_index(faststart, tmp_path):
    data = faststart.read_bytes()
    at, size = _box(data, b"mdat")
    half = _cut(faststart, tmp_path / "half.mp4", at + 8 + (size - 8) // 2)
    assert "(it ends 50% into its picture and sound data)" in _refused(half)
    mat, msize = _box(data, b"moov")
    early = _cut(faststart, tmp_path / "early.mp4", mat + msize // 2)
    assert "(it ends inside the index of its frames)" in _refused(early)


def test_whole_files_are_not_called_truncated(faststart, index_last, tmp_path):
    for whole in (faststart, index_last):
        assert probe(whole).frames == N
    padded = tmp_path / "padded.mp4"                 # a few stray bytes after the last box
    padded.write_bytes(index_last.read_bytes() + b"\0\0\0")
    assert probe(padded).frames == N


def test_frames_by_index_names_the_frame_it_cannot_decode(faststart, tmp_path):
    info = probe(faststart)                          # probed whole, then cut (a damaged copy)
    at, size = _box(faststart.read_bytes(), b"mdat")
    cut = _cut(faststart, tmp_path / "cut.mp4", at + 8 + (size - 8) // 2)
    with pytest.raises(BadInput) as e:
        frames_by_index(cut, range(N), info=info)
    msg = str(e.value)
    m = re.fullmatch(r"cut\.mp4: frame (\d+) cannot be decoded \(.+\); the file is damaged or cut short", msg)
    assert m, msg
    first_bad = int(m.group(1))
    assert 0 < first_bad < N
    # every frame before it decodes, as in the whole file; asking for it again raises again
    whole = frames_by_index(faststart, range(first_bad), info=info)
    good = frames_by_index(cut, range(first_bad), info=info)
    assert sorted(good) == list(range(first_bad))
    assert all(np.array_equal(good[i], whole[i]) for i in good)
    with pytest.raises(BadInput, match=f"frame {first_bad} cannot be decoded"):
        frames_by_index(cut, [0, first_bad], info=info)


def test_frames_past_the_end_of_a_whole_file_are_left_out(faststart):
    got = frames_by_index(faststart, [0, N - 1, N + 10])
    assert sorted(got) == [0, N - 1]

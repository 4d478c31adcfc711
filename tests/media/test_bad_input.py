"""Unusable files are refused with one line naming the file and the problem."""
from __future__ import annotations

import struct
import zlib
from fractions import Fraction

import av
import numpy as np
import pytest

from storyloom.errors import BadInput
from storyloom.media import frames_at, iter_frames, probe, read_audio, read_frames, read_image
from storyloom.media.probe import MediaInfo, require_video

from conftest import H, W


def one_line_naming(exc: pytest.ExceptionInfo, name: str, *words: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(name), msg
    for w in words:
        assert w in msg.lower(), msg
    return msg


def test_text_file_named_mp4(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is not a video\n" * 20)
    with pytest.raises(BadInput) as e:
        probe(p)
    one_line_naming(e, "notes.mp4", "not a video")
    with pytest.raises(BadInput) as e:
        read_frames(p)
    one_line_naming(e, "notes.mp4")
    with pytest.raises(BadInput) as e:
        read_audio(p)
    one_line_naming(e, "notes.mp4")


def test_truncated_video(tmp_path, mp4_bframes):
    data = mp4_bframes.read_bytes()
    p = tmp_path / "cut.mp4"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInput) as e:
        probe(p)
    one_line_naming(e, "cut.mp4")


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_zero_frame_video(tmp_path, suffix):
    p = tmp_path / f"noframes{suffix}"
    with av.open(str(p), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        c.start_encoding()  # header written, no frame ever encoded
    assert p.stat().st_size > 0
    with pytest.raises(BadInput) as e:
        probe(p)
    one_line_naming(e, p.name, "frames")
    with pytest.raises(BadInput):
        read_frames(p)


@pytest.fixture
def audio_only(tmp_path):
    p = tmp_path / "song.m4a"
    with av.open(str(p), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=48000)
        s.layout = "mono"
        for i in range(10):
            f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            f.sample_rate, f.pts, f.time_base = 48000, i * 1024, Fraction(1, 48000)
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return p


def test_audio_only_where_video_needed(audio_only):
    info = probe(audio_only)
    assert info.kind == "audio" and info.has_audio and info.audio_rate == 48000
    # 10 AAC frames were written; the container states the exact length (FFmpeg's muxer
    # trims a few samples of encoder padding), and read_audio follows it to the sample
    n = read_audio(audio_only, rate=48000).shape[1]
    assert n == round(info.duration * 48000) and abs(n - 10240) <= 32
    for call in (lambda: list(iter_frames(audio_only)), lambda: list(frames_at(audio_only, [0.0])),
                 lambda: read_frames(audio_only, 0, 1)):
        with pytest.raises(BadInput) as e:
            call()
        assert str(e.value) == "song.m4a: has no video stream (audio only)"
    with pytest.raises(BadInput):
        require_video(MediaInfo(kind="audio"), audio_only)
    require_video(MediaInfo(kind="video"), audio_only)  # no error for video


def _png_claiming(path, width: int, height: int) -> None:
    """A tiny valid 8x8 PNG whose header is rewritten to claim width x height."""
    from PIL import Image
    Image.new("L", (8, 8)).save(path)
    data = bytearray(path.read_bytes())
    ihdr = 8 + 8  # signature, then length + b"IHDR"
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", zlib.crc32(bytes(data[ihdr - 4:ihdr + 13])))
    path.write_bytes(bytes(data))


def test_huge_png_refused_before_decoding(tmp_path, monkeypatch):
    p = tmp_path / "bomb.png"
    _png_claiming(p, 20000, 20000)
    assert p.stat().st_size < 200
    from PIL import ImageFile
    # if anything tried to decode pixels, this would be hit first
    def no_load(self, *a, **k):
        raise AssertionError("pixels decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_load)
    with pytest.raises(BadInput) as e:
        probe(p)
    one_line_naming(e, "bomb.png", "20000x20000")
    with pytest.raises(BadInput) as e:
        read_image(p)
    one_line_naming(e, "bomb.png", "20000x20000")


def test_missing_and_empty_files(tmp_path):
    missing = tmp_path / "gone.mp4"
    for call in (probe, read_frames, read_audio, read_image):
        with pytest.raises(BadInput) as e:
            call(missing)
        assert "gone.mp4" in str(e.value) and "no such file" in str(e.value)
    for name in ("zero.mp4", "zero.png"):
        empty = tmp_path / name
        empty.write_bytes(b"")
        for call in (probe, read_frames, read_audio):
            with pytest.raises(BadInput) as e:
                call(empty)
            one_line_naming(e, name, "empty")

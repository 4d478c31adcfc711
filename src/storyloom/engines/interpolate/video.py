"""File in, file out for engines that work on YUV 4:2:0 planes (``resample_planes``).

H.264 video is YUV 4:2:0: decoding to RGB and encoding back converts colour twice, and
each conversion rounds and smooths chroma (on yardstick interp seeds 0-1 the round trip
alone cost 0.95 dB). Here frames stay in the decoder's planes, the in-betweens are
streamed to the encoder as they are made (encoding overlaps the flow work), and the
source's sound is copied packet for packet, not re-encoded.

    >>> from storyloom.engines import resolve
    >>> with resolve("interpolate").engine() as e:                       # doctest: +SKIP
    ...     interpolate_file(e, "in.mp4", "out.mp4", ratio=2.5, fps=60)
    121
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from storyloom.engines.base import Progress, no_progress
from storyloom.engines.interpolate.base import detect_cuts, plan
from storyloom.errors import BadInput
from storyloom.media.encode import _rate

#: x264 preset and threads of the written video (see interpolate_file)
PRESET = "veryfast"
ENCODER_THREADS = "2"
#: containers this path writes (H.264 in each); others go through storyloom.media in RGB
SUFFIXES = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}

#: a frame rate as a fraction, NTSC rates exact (the media writer's own rule)
rate = _rate


def supports(info, output) -> bool:
    """Whether ``interpolate_file`` can carry a video with ``info`` (storyloom.media's
    MediaInfo) to ``output``: even size, stored upright, no alpha, a container it writes.

    >>> from storyloom.media import MediaInfo
    >>> supports(MediaInfo(kind="video", width=320, height=180), "out.mp4")
    True
    """
    return (info.kind == "video" and info.width % 2 == 0 and info.height % 2 == 0 and not info.rotation
            and not info.has_alpha and Path(output).suffix.lower() in SUFFIXES)


def read_planes(path) -> list:
    """The video's frames as [(Y, 1), (UV, 2)] planes (UV: (H/2, W/2, 2) uint8)."""
    import av
    pictures = []
    try:
        with av.open(str(path)) as container:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            for packet in container.demux(vs):
                for frame in packet.decode():
                    if frame.format.name != "yuv420p":
                        frame = frame.reformat(format="yuv420p")
                    flat = frame.to_ndarray().ravel()   # I420: Y, then U, then V, each packed
                    h, w = frame.height, frame.width
                    q = (h // 2) * (w // 2)
                    u = flat[h * w:h * w + q].reshape(h // 2, w // 2)
                    v = flat[h * w + q:].reshape(h // 2, w // 2)
                    pictures.append([(flat[:h * w].reshape(h, w), 1), (np.dstack([u, v]), 2)])
            return pictures
    except av.error.FFmpegError as e:
        raise BadInput(f"{Path(path).name}: decoding failed ({e})") from None


def interpolate_file(engine, src, dst, ratio: float, fps: float, crf: int = 18, hold: str = "nearer",
                     progress: Progress = no_progress, preset: str = PRESET) -> tuple[int, int]:
    """Write ``dst``: ``src`` at ``ratio`` times its frame rate (output rate ``fps``) made by
    ``engine.resample_planes``; returns (source frames, frames written). Nothing is left at
    ``dst`` unless it succeeds.

    >>> interpolate_file(eng, "in.mp4", "out.mp4", 2, 48, crf=10)     # doctest: +SKIP
    (37, 73)
    """
    import av
    dst = Path(dst)
    pictures = read_planes(src)
    if len(pictures) < 2:
        raise BadInput(f"{Path(src).name}: needs at least 2 frames, has {len(pictures)}")
    h, w = pictures[0][0][0].shape
    cuts = detect_cuts(np.stack([p[0][0] for p in pictures]))
    positions = plan(len(pictures), ratio)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=dst.suffix + ".part", dir=dst.parent)
    os.close(fd)
    written = 0
    try:
        with av.open(str(src)) as source, av.open(tmp, "w", format=SUFFIXES[dst.suffix.lower()]) as out:
            r = rate(fps)
            vs = out.add_stream("libx264", rate=r)
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            # Storyloom's usual preset (storyloom.media's default); on the yardstick at CRF 10
            # "medium" gives +0.35 dB at about the same size but 2.5x the encoding time, and
            # "ultrafast" +0.06 dB in 3.8x the bytes. Two encoder threads: the flow work
            # already fills the cores
            vs.options = {"crf": str(crf), "preset": preset, "threads": ENCODER_THREADS}
            vs.thread_type = "AUTO"
            # the sound is copied as it is (same codec, same packets): nothing to re-encode
            sound = list(source.streams.audio[:1])
            copies = [out.add_stream_from_template(a) for a in sound]

            def emit(j: int, planes: list) -> None:
                nonlocal written
                y, uv = planes
                buf = np.concatenate([y.ravel(), uv[..., 0].ravel(), uv[..., 1].ravel()])
                frame = av.VideoFrame.from_ndarray(buf.reshape(h * 3 // 2, w), format="yuv420p")
                frame.pts, frame.time_base = j, 1 / r
                for packet in vs.encode(frame):
                    out.mux(packet)
                written += 1

            engine.resample_planes(pictures, positions, cuts, hold, progress, emit)
            for packet in vs.encode():
                out.mux(packet)
            if sound:
                for packet in source.demux(sound[0]):
                    if packet.size:   # demux ends with an empty flush packet
                        packet.stream = copies[0]
                        out.mux(packet)
        os.replace(tmp, dst)
    except av.error.FFmpegError as e:
        # e.g. a sound codec the container cannot hold (Matroska, .mkv, holds nearly any)
        Path(tmp).unlink(missing_ok=True)
        raise BadInput(f"{dst.name}: writing failed ({e})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(pictures), written

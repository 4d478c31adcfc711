"""File in, file out for engines that work on YUV 4:2:0 planes (``resample_planes``).

Frames stay in the decoder's planes (``storyloom.media.planes``: no RGB round trip, which
alone cost 0.95 dB on yardstick interp seeds 0-1), the in-betweens are streamed to the
encoder as they are made (encoding overlaps the flow work), and the source's sound is
copied packet for packet, not re-encoded.

    >>> from storyloom.engines import resolve
    >>> with resolve("interpolate").engine() as e:                       # doctest: +SKIP
    ...     interpolate_file(e, "in.mp4", "out.mp4", ratio=2.5, fps=60)
    121
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from storyloom.engines.base import Progress, no_progress
from storyloom.engines.interpolate.base import detect_cuts, plan
from storyloom.errors import BadInput
from storyloom.media.planes import PLANE_SUFFIXES, read_planes, write_planes

#: x264 preset and threads of the written video (see interpolate_file)
PRESET = "veryfast"
ENCODER_THREADS = "2"


def supports(info, output) -> bool:
    """Whether ``interpolate_file`` can carry a video with ``info`` (storyloom.media's
    MediaInfo) to ``output``: even size, stored upright, no alpha, a container it writes.

    >>> from storyloom.media import MediaInfo
    >>> supports(MediaInfo(kind="video", width=320, height=180), "out.mp4")
    True
    """
    return (info.kind == "video" and info.width % 2 == 0 and info.height % 2 == 0 and not info.rotation
            and not info.has_alpha and Path(output).suffix.lower() in PLANE_SUFFIXES)


def interpolate_file(engine, src, dst, ratio: float, fps: float, crf: int = 18, hold: str = "nearer",
                     progress: Progress = no_progress, preset: str = PRESET) -> tuple[int, int]:
    """Write ``dst``: ``src`` at ``ratio`` times its frame rate (output rate ``fps``) made by
    ``engine.resample_planes``; returns (source frames, frames written). Nothing is left at
    ``dst`` unless it succeeds.

    >>> interpolate_file(eng, "in.mp4", "out.mp4", 2, 48, crf=10)     # doctest: +SKIP
    (37, 73)
    """
    pictures = read_planes(src)
    if len(pictures) < 2:
        raise BadInput(f"{Path(src).name}: needs at least 2 frames, has {len(pictures)}")
    h, w = pictures[0][0][0].shape
    cuts = detect_cuts(np.stack([p[0][0] for p in pictures]))
    positions = plan(len(pictures), ratio)
    # Storyloom's usual preset (storyloom.media's default); on the yardstick at CRF 10
    # "medium" gives +0.35 dB at about the same size but 2.5x the encoding time, and
    # "ultrafast" +0.06 dB in 3.8x the bytes. Two encoder threads: the flow work already
    # fills the cores
    with write_planes(src, dst, fps, w, h, crf=crf, preset=preset, threads=ENCODER_THREADS) as emit:
        engine.resample_planes(pictures, positions, cuts, hold, progress, emit)
    return len(pictures), emit.written

"""Decode a video small and fast: PyAV scales each frame while converting it, so a 4K
file costs little more than a 360p one."""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import numpy as np

from storyloom.engines.base import Progress, no_progress
from storyloom.errors import BadInput
from storyloom.media import probe
from storyloom.media.probe import IMAGE_SUFFIXES, decode_packets, require_video


def small_frames(path, height: int = 36, progress: Progress = no_progress):
    """``(info, frames)``: every frame as uint8 RGB about ``height`` px high.

    >>> info, frames = small_frames("clip.mp4")     # doctest: +SKIP
    >>> frames[0].shape
    (36, 64, 3)
    """
    path = Path(path)
    info = probe(path)
    require_video(info, path)
    if info.kind == "image" or path.suffix.lower() in IMAGE_SUFFIXES:
        raise BadInput(f"{path.name}: a still picture, not a video")
    rot = info.rotation % 360
    # stored (pre-rotation) size: probe reports the displayed one
    sw, sh = (info.height, info.width) if rot in (90, 270) else (info.width, info.height)
    disp_h = info.height
    scale = min(1.0, height / max(disp_h, 1))
    tw, th = max(8, int(round(sw * scale))), max(8, int(round(sh * scale)))
    frames = []
    total = max(info.frames, 1)

    def small(frame) -> np.ndarray:
        img = frame.reformat(width=tw, height=th, format="rgb24").to_ndarray()
        if rot:
            img = np.ascontiguousarray(np.rot90(img, {90: 3, 180: 2, 270: 1}[rot]))
        return img

    # scaling runs on a helper thread (swscale releases the GIL) while this one feeds the
    # decoder: ~15% less wall time; a short queue keeps few full-size frames in memory
    pending: deque = deque()
    try:
        with av.open(str(path)) as container, ThreadPoolExecutor(1) as pool:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            try:
                for i, frame in enumerate(decode_packets(container, vs)):
                    pending.append(pool.submit(small, frame))
                    if len(pending) > 8:
                        frames.append(pending.popleft().result())
                    if i % 64 == 0:
                        progress(min(0.9, 0.9 * i / total), "decoding")
            finally:   # frames decoded before an error still count
                while pending:
                    frames.append(pending.popleft().result())
    except av.error.FFmpegError as e:
        if not frames:
            raise BadInput(f"{path.name}: decoding failed ({e})") from None
    if not frames:
        raise BadInput(f"{path.name}: video stream has no decodable frames")
    return info, frames

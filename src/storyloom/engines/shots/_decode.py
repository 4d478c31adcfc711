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


def _plane(plane) -> np.ndarray:
    """One picture plane of a decoded frame as (height, width) uint8 (its row padding dropped)."""
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width]


def _small_yuv420(frame, tw: int, th: int):
    """``frame`` (4:2:0 YUV, as nearly every video decodes) as a ``tw``×``th`` RGB picture:
    each plane area-averaged down first, then converted (BT.601), so the full-size colour
    conversion is never done: half the time of swscale's scale-and-convert, without its
    aliasing. None for other pixel formats or odd sizes (the caller uses swscale)."""
    import cv2
    name, h, w = frame.format.name, frame.height, frame.width
    if name not in ("yuv420p", "yuvj420p") or h % 2 or w % 2:
        return None
    y, u, v = (cv2.resize(_plane(p), (tw, th), interpolation=cv2.INTER_AREA).astype(np.float32)
               for p in frame.planes[:3])
    u, v = u - 128, v - 128
    if name == "yuv420p":                       # limited range (16-235), as swscale reads it
        y, u, v = (y - 16) * (255 / 219), u * (255 / 224), v * (255 / 224)
    rgb = np.dstack([y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u])
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


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
        img = _small_yuv420(frame, tw, th)
        if img is None:
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

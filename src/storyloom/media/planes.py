"""Video as the decoder's own YUV planes: read and write H.264 4:2:0 without a round trip
through RGB, and decode small pictures fast.

H.264 video is YUV 4:2:0: decoding to RGB and encoding back converts colour twice, and
each conversion rounds and smooths chroma (on yardstick interp seeds 0-1 the round trip
alone cost 0.95 dB). ``read_planes`` keeps the planes; ``write_planes`` streams planes to
the encoder as they are made and copies the source's sound packet for packet.
``small_frames`` scales each frame while converting it, so a 4K file costs little more
than a 360p one (shot detection needs only small pictures).

    >>> pictures = read_planes("clip.mp4")              # doctest: +SKIP
    >>> pictures[0][0][0].shape, pictures[0][1][0].shape   # doctest: +SKIP
    ((180, 320), (90, 160, 2))
"""
from __future__ import annotations

import contextlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import av
import numpy as np

from storyloom.errors import BadInput
from storyloom.media.files import atomic_write
from storyloom.media.formats import IMAGE_SUFFIXES, VIDEO_FORMATS, rate, video_format
from storyloom.media.probe import decode_packets, probe, require_video
from storyloom.progress import Progress, no_progress

#: suffixes ``write_planes`` can write: the formats whose video is H.264 (4:2:0 planes)
PLANE_SUFFIXES = tuple(s for s, f in VIDEO_FORMATS.items() if f.video == "libx264")

#: a picture as read: [(Y (H, W) uint8, 1), (UV (H/2, W/2, 2) uint8, 2)] (plane, subsampling)
Planes = list


def read_planes(path) -> list[Planes]:
    """The video's frames as [(Y, 1), (UV, 2)] planes (UV: (H/2, W/2, 2) uint8)."""
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


class _PlaneEncoder:
    """``emit(index, [Y, UV])``: encode one picture (its two planes) as frame ``index``."""

    def __init__(self, out, stream, width: int, height: int, r: Fraction):
        self.out, self.stream, self.w, self.h, self.r = out, stream, width, height, r
        self.written = 0

    def __call__(self, index: int, planes: list) -> None:
        y, uv = planes
        buf = np.concatenate([y.ravel(), uv[..., 0].ravel(), uv[..., 1].ravel()])
        frame = av.VideoFrame.from_ndarray(buf.reshape(self.h * 3 // 2, self.w), format="yuv420p")
        frame.pts, frame.time_base = index, 1 / self.r
        for packet in self.stream.encode(frame):
            self.out.mux(packet)
        self.written += 1


@contextlib.contextmanager
def write_planes(src, dst, fps: float, width: int, height: int, crf: int = 18, preset: str = "veryfast",
                 threads: str = "2") -> Iterator[Callable[[int, list], None]]:
    """Yield ``emit(index, [Y, UV])`` writing H.264 4:2:0 pictures to ``dst`` at ``fps``; when
    the block ends the sound of ``src`` is copied over as it is (same codec, same packets)
    and ``dst`` appears, complete (nothing is left there on an error). ``emit.written``
    counts the pictures. ``dst``'s suffix must be one of ``PLANE_SUFFIXES``.

    >>> with write_planes("in.mp4", "out.mp4", 48, 320, 180) as emit:   # doctest: +SKIP
    ...     for i, ((y, _), (uv, _)) in enumerate(pictures):
    ...         emit(i, [y, uv])
    """
    dst = Path(dst)
    fmt = video_format(dst)
    if fmt.video != "libx264":
        raise BadInput(f"{dst.name}: planes are written as H.264 (use {', '.join(PLANE_SUFFIXES)})")
    with atomic_write(dst, suffix=dst.suffix + ".part") as tmp:
        try:
            with av.open(str(src)) as source, av.open(str(tmp), "w", format=fmt.container) as out:
                r = rate(fps)
                vs = out.add_stream(fmt.video, rate=r)
                vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
                vs.options = {"crf": str(crf), "preset": preset, "threads": str(threads)}
                vs.thread_type = "AUTO"
                sound = list(source.streams.audio[:1])
                copies = [out.add_stream_from_template(a) for a in sound]
                emit = _PlaneEncoder(out, vs, width, height, r)
                yield emit
                for packet in vs.encode():
                    out.mux(packet)
                if sound:
                    for packet in source.demux(sound[0]):
                        if packet.size:   # demux ends with an empty flush packet
                            packet.stream = copies[0]
                            out.mux(packet)
        except av.error.FFmpegError as e:
            # e.g. a sound codec the container cannot hold (Matroska, .mkv, holds nearly any)
            raise BadInput(f"{dst.name}: writing failed ({e})") from None


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
    >>> frames[0].shape                              # doctest: +SKIP
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

"""Frame-exact decoding with PyAV.

Frames are numpy arrays: uint8 RGB (H, W, 3) or RGBA (H, W, 4). Frame ``i`` is the i-th
frame in presentation order; for variable-frame-rate files ``frames_at`` samples by time.

    >>> frames = read_frames("clip.mp4", start=10, end=20)     # doctest: +SKIP
    >>> len(frames), frames[0].shape                           # doctest: +SKIP
    (10, (180, 320, 3))
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional, Sequence

import av
import numpy as np

from storyloom.errors import BadInput
from storyloom.media.probe import (IMAGE_SUFFIXES, MediaInfo, decode_packets, probe, probe_image,
                                   require_video)


def _orient(img: np.ndarray, rotation: int) -> np.ndarray:
    # rotation: degrees clockwise the stored picture must turn to be upright
    k = {90: 3, 180: 2, 270: 1}.get(rotation % 360, 0)
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def read_image(path, alpha: bool = True) -> np.ndarray:
    """A still as uint8 RGBA (``alpha=True``) or RGB, upright per its EXIF orientation."""
    from PIL import Image, ImageOps
    path = Path(path)
    probe_image(path)  # size and sanity checks before decoding
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return np.asarray(im.convert("RGBA" if alpha else "RGB")).copy()


def _fmt(alpha: bool) -> str:
    return "rgba" if alpha else "rgb24"


def iter_frames(path, start: int = 0, end: Optional[int] = None, alpha: bool = False,
                info: Optional[MediaInfo] = None) -> Iterator[np.ndarray]:
    """Yield frames ``start`` .. ``end - 1`` (presentation order), seeking near ``start``."""
    path = Path(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        img = read_image(path, alpha=True)
        if start == 0 and (end is None or end > 0):
            yield img if alpha else img[:, :, :3].copy()
        return
    info = info or probe(path)
    require_video(info, path)
    if end is None:
        end = info.frames
    if start >= end:
        return
    try:
        with av.open(str(path)) as container:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            tb = vs.time_base
            fps = info.fps or 24.0
            t0 = vs.start_time or 0
            if start > 0 and not info.variable_frame_rate:
                target = int(t0 + (start - 1) / fps / tb)
                container.seek(max(t0, target), stream=vs, backward=True, any_frame=False)
                # after seeking, find our place by timestamp
                index = None
            else:
                index = 0
            for frame in decode_packets(container, vs):
                if index is None:
                    if frame.pts is None:
                        continue
                    index = int(round((frame.pts - t0) * tb * fps))
                if index >= end:
                    break
                if index >= start:
                    img = frame.to_ndarray(format=_fmt(alpha))
                    yield _orient(img, info.rotation)
                index += 1
    except av.error.FFmpegError as e:
        raise BadInput(f"{path.name}: decoding failed ({e})") from None


def frames_by_index(path, indices: Sequence[int], width: Optional[int] = None,
                    info: Optional[MediaInfo] = None, progress=None) -> dict[int, np.ndarray]:
    """The frames numbered ``indices`` (presentation order, as ``iter_frames`` counts), in
    one pass from the start, each scaled while converting so that it is at most ``width``
    pixels wide once upright. Many scattered frames of a long 4K file cost one decode
    instead of a seek per frame (a file with few keyframes decodes from its start on
    every seek). ``progress(fraction)`` is called now and then.

    Frames past the end of the stream (a header that over-counts) are left out; a frame
    the decoder fails on before every wanted one is out raises ``BadInput`` naming it.

        >>> thumbs = frames_by_index("clip.mp4", [0, 12, 23], width=240)   # doctest: +SKIP
        >>> sorted(thumbs), thumbs[12].shape                                # doctest: +SKIP
        ([0, 12, 23], (135, 240, 3))
    """
    path = Path(path)
    wanted = sorted({int(i) for i in indices if int(i) >= 0})
    if not wanted:
        return {}
    if path.suffix.lower() in IMAGE_SUFFIXES:
        img = read_image(path, alpha=False)
        return {0: img} if wanted[0] == 0 else {}
    info = info or probe(path)
    require_video(info, path)
    rot = info.rotation % 360
    out: dict[int, np.ndarray] = {}
    last, todo = wanted[-1], set(wanted)
    index = -1   # the last frame decoded
    try:
        with av.open(str(path)) as container:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            for index, frame in enumerate(decode_packets(container, vs)):
                if index in todo:
                    upright_w = frame.height if rot in (90, 270) else frame.width
                    f = min(1.0, width / upright_w) if width else 1.0
                    tw, th = max(2, round(frame.width * f)), max(2, round(frame.height * f))
                    img = frame.reformat(width=tw, height=th, format="rgb24").to_ndarray() \
                        if f < 1.0 else frame.to_ndarray(format="rgb24")
                    out[index] = _orient(img, info.rotation)
                    if progress is not None:
                        progress(len(out) / len(todo))
                if index >= last:
                    break
    except av.error.FFmpegError as e:
        raise BadInput(_undecodable(path, index + 1, e.strerror or str(e))) from None
    if len(out) < len(todo):
        # the stream ended early: past a header that over-counts (fine), or on damaged
        # data that the frame-threaded decoder dropped without an error (not fine)
        damage = _damaged_video(path)
        if damage:
            raise BadInput(_undecodable(path, index + 1, damage))
    return out


def _damaged_video(path: Path) -> Optional[str]:
    """Why the first video stream's packets are damaged (read, not decoded), or None.

    >>> _damaged_video(Path("clip.mp4")) is None                      # doctest: +SKIP
    True
    """
    try:
        with av.open(str(path)) as container:
            for packet in container.demux(container.streams.video[0]):
                if packet.is_corrupt:
                    return "incomplete data"
    except av.error.FFmpegError as e:
        return e.strerror or str(e)
    return None


def _undecodable(path: Path, index: int, reason: str) -> str:
    """One line for a frame the decoder could not give (a damaged or cut-short file).

    >>> _undecodable(Path("a/clip.mp4"), 12, "incomplete data")
    'clip.mp4: frame 12 cannot be decoded (incomplete data); the file is damaged or cut short'
    """
    return f"{path.name}: frame {index} cannot be decoded ({reason}); the file is damaged or cut short"


def read_frames(path, start: int = 0, end: Optional[int] = None, alpha: bool = False) -> list[np.ndarray]:
    """Frames ``start`` .. ``end - 1`` as a list."""
    return list(iter_frames(path, start, end, alpha))


def frames_at(path, times: Sequence[float], alpha: bool = False,
              info: Optional[MediaInfo] = None) -> Iterator[np.ndarray]:
    """For each time (seconds from the start, ascending), the frame on screen then.

    The frame on screen at ``t`` is the last one whose timestamp is <= ``t`` + 1 ms (times
    before the first frame get the first frame, times past the end the last one). It
    follows timestamps, not frame counts, so variable frame rate files work.

        >>> [f.shape for f in frames_at("clip.mp4", [0.0, 0.5])]   # doctest: +SKIP
        [(180, 320, 3), (180, 320, 3)]
    """
    path = Path(path)
    info = info or probe(path)
    require_video(info, path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        img = read_image(path, alpha=True)
        img = img if alpha else img[:, :, :3].copy()
        for _ in times:
            yield img
        return
    times = [float(t) for t in times]
    if not times:
        return
    # timestamps are rounded to the stream's time base; allow for that, never a whole frame
    eps = min(1e-3, 0.25 / (info.fps or 24.0))
    try:
        with av.open(str(path)) as container:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            tb = float(vs.time_base)
            t0 = (vs.start_time or 0) * tb
            if times[0] > 1.0:
                # land on a keyframe before the first wanted time, then decode forward
                container.seek(int((t0 + times[0] - 0.5) / tb), stream=vs, backward=True)
            cur, img = None, None  # newest frame shown so far, and its pixels once needed
            i, n = 0, len(times)
            for k, frame in enumerate(decode_packets(container, vs)):
                t = (frame.pts * tb - t0) if frame.pts is not None else k / (info.fps or 24.0)
                if cur is not None:
                    # every wanted time before this frame shows the previous frame
                    while i < n and times[i] + eps < t:
                        if img is None:
                            img = _orient(cur.to_ndarray(format=_fmt(alpha)), info.rotation)
                        yield img
                        i += 1
                    if i >= n:
                        return
                cur, img = frame, None
            if cur is not None and img is None:
                img = _orient(cur.to_ndarray(format=_fmt(alpha)), info.rotation)
            while cur is not None and i < n:
                yield img  # at or past the last frame: hold it
                i += 1
    except av.error.FFmpegError as e:
        raise BadInput(f"{path.name}: decoding failed ({e})") from None


def read_audio(path, rate: int = 48000, channels: int = 2, start: float = 0.0,
               duration: Optional[float] = None) -> np.ndarray:
    """Audio as float32 (channels, samples) at ``rate``; empty when the file has none.

    Sample 0 is the moment ``start`` of the file's timeline (encoder priming is dropped
    by following the first frame's timestamp). With ``duration`` the result has exactly
    ``round(duration * rate)`` samples (silence-padded); without it, it ends where the
    stream says it ends (AAC's padding to whole frames is cut off).

        >>> read_audio("clip.mp4", rate=48000, duration=1.0).shape   # doctest: +SKIP
        (2, 48000)
    """
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_file() and path.stat().st_size == 0:
        raise BadInput(f"{path.name}: file is empty")
    try:
        container = av.open(str(path))
    except av.error.InvalidDataError:
        raise BadInput(f"{path.name}: not a video or sound file Storyloom can read") from None
    except (av.error.FFmpegError, OSError) as e:
        raise BadInput(f"{path.name}: cannot be opened ({e})") from None
    with container:
        if not container.streams.audio:
            return np.zeros((channels, 0), np.float32)
        stream = container.streams.audio[0]
        layout = "stereo" if channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        chunks = []
        # Seek only where timestamps are sample-accurate: WebM/MKV store milliseconds, so
        # a seek there would misplace the audio by up to 1 ms; decode from the top instead.
        fine = stream.time_base is not None and float(stream.time_base) <= 1.0 / 8000
        if start > 1.0 and fine:
            container.seek(int((start - 0.5) / av.time_base))
        stop = None if duration is None else start + duration + 0.25
        first_t = None
        dropped = 0  # resampled samples thrown away before ``start``, to bound memory
        have = 0
        try:
            for frame in container.decode(stream):
                if first_t is None:
                    first_t = float(frame.pts * stream.time_base) if frame.pts is not None else 0.0
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
                    have += chunks[-1].shape[1]
                skip = int(round((start - first_t) * rate))
                while chunks and dropped + chunks[0].shape[1] <= skip:
                    dropped += chunks[0].shape[1]
                    have -= chunks.pop(0).shape[1]
                if stop is not None and first_t + (dropped + have) / rate > stop:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except av.error.FFmpegError:
            pass  # truncated audio: keep what decoded
        if not chunks:
            return np.zeros((channels, 0), np.float32)
        audio = np.concatenate(chunks, axis=1).astype(np.float32)
        offset = int(round((start - (first_t or 0.0)) * rate)) - dropped
        if offset > 0:
            audio = audio[:, offset:]
        elif offset < 0:
            audio = np.concatenate([np.zeros((channels, -offset), np.float32), audio], axis=1)
        if duration is None and stream.duration and stream.time_base:
            # the container knows the true length; decoded AAC runs on to a whole frame
            end = float((stream.duration + (stream.start_time or 0)) * stream.time_base)
            n = int(round((end - start) * rate))
            if 0 < n < audio.shape[1]:
                audio = audio[:, :n]
        if duration is not None:
            n = int(round(duration * rate))
            audio = audio[:, :n]
            if audio.shape[1] < n:
                audio = np.pad(audio, ((0, 0), (0, n - audio.shape[1])))
        return audio

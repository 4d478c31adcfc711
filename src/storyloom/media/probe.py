"""Probe a media file once: what it is, its size, rate, length, alpha and audio.

    >>> info = probe("clip.mp4")            # doctest: +SKIP
    >>> info.width, info.height, info.fps, info.frames, info.has_audio   # doctest: +SKIP
    (320, 180, 24.0, 72, True)
"""
from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Optional

import av

from storyloom.errors import BadInput
from storyloom.media.formats import IMAGE_SUFFIXES, PICTURE_SUFFIXES, suffix_for
#: the largest picture we accept (pixels): 8K is 33 M; refuse decompression bombs
MAX_PIXELS = 8192 * 8192
MAX_SIDE = 8192


@dataclass
class MediaInfo:
    kind: str                      # "video", "image" or "audio"
    width: int = 0
    height: int = 0
    fps: float = 0.0
    frames: int = 0
    duration: float = 0.0
    has_alpha: bool = False
    has_audio: bool = False
    audio_rate: int = 0
    audio_channels: int = 0
    rotation: int = 0              # degrees the picture must be turned to display upright
    variable_frame_rate: bool = False
    codec: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "MediaInfo":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def check_size(path: Path, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise BadInput(f"{path.name}: picture has no size")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise BadInput(f"{path.name}: picture is {width}x{height}, larger than the "
                       f"{MAX_SIDE}x{MAX_SIDE} Storyloom accepts")


def check_file(path: Path) -> None:
    """BadInput unless ``path`` is an existing, non-empty file."""
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a media file")
    if path.stat().st_size == 0:
        raise BadInput(f"{path.name}: file is empty")


def probe_image(path: Path) -> MediaInfo:
    path = Path(path)
    check_file(path)
    from PIL import Image, UnidentifiedImageError
    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, before decoding
    try:
        with Image.open(path) as im:
            w, h = im.size
            check_size(path, w, h)
            alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
            im.verify()  # must come straight after open; checks the file, not the pixels
        with Image.open(path) as im:
            try:
                orientation = int(im.getexif().get(0x0112, 1))  # EXIF Orientation
            except Exception:  # unreadable EXIF: show as stored
                orientation = 1
        if orientation in (5, 6, 7, 8):  # read_image turns these a quarter: report as shown
            w, h = h, w
    except UnidentifiedImageError:
        raise BadInput(f"{path.name}: not a picture Storyloom can read") from None
    except (OSError, SyntaxError) as e:
        raise BadInput(f"{path.name}: damaged picture ({e})") from None
    return MediaInfo(kind="image", width=w, height=h, frames=1, has_alpha=alpha, codec="image")


def _rotation(stream) -> int:
    """Legacy 'rotate' tag: degrees clockwise to display upright (0 when absent)."""
    try:
        rot = stream.metadata.get("rotate")
        if rot is not None:
            return int(round(float(rot))) % 360
    except (ValueError, AttributeError):
        pass
    return 0


def frame_rotation(frame) -> Optional[int]:
    """Clockwise degrees (0/90/180/270) from a decoded frame's display matrix, or None.

    FFmpeg's display matrix angle is counter-clockwise, so it is negated here.

        >>> frame_rotation(next(container.decode(video=0)))    # doctest: +SKIP
        90
    """
    try:
        ccw = getattr(frame, "rotation", None)
    except Exception:  # no or malformed display matrix
        return None
    if ccw is None:
        return None
    return int(round(-float(ccw) / 90.0)) * 90 % 360


def is_vp9_alpha(stream) -> bool:
    """True for a VP9 stream that carries alpha (WebM ``alpha_mode=1``).

    FFmpeg's native vp9 decoder ignores the alpha side channel, so such streams must
    be decoded with libvpx-vp9 (see ``decode_packets``).
    """
    cc = stream.codec_context
    if (cc.name or "") not in ("vp9", "libvpx-vp9"):
        return False
    meta = {k.lower(): v for k, v in (stream.metadata or {}).items()}
    return str(meta.get("alpha_mode", "0")).strip() == "1"


def decode_packets(container, stream):
    """Decode ``stream`` from the container's current position, yielding VideoFrames.

    Uses libvpx-vp9 for VP9 with alpha (the native decoder drops alpha), else the
    stream's own decoder. A fresh libvpx context is made per call, so call this again
    after each seek.

        >>> for frame in decode_packets(container, container.streams.video[0]): ...  # doctest: +SKIP
    """
    if not is_vp9_alpha(stream):
        yield from container.decode(stream)
        return
    ctx = av.CodecContext.create("libvpx-vp9", "r")
    ctx.thread_type = "AUTO"
    for packet in container.demux(stream):
        # the demuxer's final empty packet is the flush packet; it drains the decoder
        yield from ctx.decode(packet)


def require_video(info: MediaInfo, path) -> None:
    """Raise BadInput unless ``info`` describes something with pictures (video or still).

    >>> require_video(MediaInfo(kind="audio"), "song.mp3")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: song.mp3: has no video stream (audio only)
    """
    if info.kind == "audio":
        raise BadInput(f"{Path(path).name}: has no video stream (audio only)")


def _alpha_fmt(pix_fmt) -> bool:
    return (pix_fmt or "").startswith(("yuva", "rgba", "bgra", "argb", "abgr", "gbrap", "ya"))


#: top-level box types an MP4 / QuickTime file may begin with
_MP4_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _mp4_boxes(path: Path) -> Optional[list[tuple[bytes, int, int]]]:
    """The top-level boxes of an MP4 / MOV file as ``(type, offset, declared size)``, the
    last one possibly running past the end of the file; None for other files (or boxes
    this walk cannot follow).

        >>> [b[0] for b in _mp4_boxes(Path("clip.mp4"))]        # doctest: +SKIP
        [b'ftyp', b'free', b'mdat', b'moov']
    """
    size = path.stat().st_size
    boxes: list[tuple[bytes, int, int]] = []
    with open(path, "rb") as f:
        pos = 0
        while pos + 8 <= size:      # a few stray bytes at the end are no box
            if len(boxes) >= 100_000:
                return None
            f.seek(pos)
            head = f.read(16)
            n, kind = struct.unpack(">I4s", head[:8])
            if n == 1 and len(head) == 16:
                n = struct.unpack(">Q", head[8:16])[0]     # 64-bit size
            elif n == 0:
                n = size - pos                            # "runs to the end of the file"
            if n < 8 or not boxes and kind not in _MP4_FIRST_BOXES:
                return None
            boxes.append((kind, pos, n))
            pos += n
    return boxes


def _mp4_truncation(path) -> Optional[str]:
    """How an MP4 / MOV file is cut short ("it ends ..."), read from its top-level boxes,
    or None when it is complete (or not an MP4). A file copied or exported only in part
    ends inside its picture and sound data (``mdat``) or its index of frames (``moov``),
    or before that index (which most encoders write last).

        >>> _mp4_truncation("half-copied.mp4")                   # doctest: +SKIP
        'it ends 33% into its picture and sound data, before the index of its frames'
    """
    path = Path(path)
    boxes = _mp4_boxes(path)
    if not boxes:
        return None
    kinds = {kind for kind, _, _ in boxes}
    indexed = b"moov" in kinds
    if not indexed and b"meta" in kinds:
        return None                     # a HEIF / AVIF picture: boxes like a video's, no frame index
    kind, at, n = boxes[-1]
    size = path.stat().st_size
    if at + n > size:
        if kind == b"moov":
            return "it ends inside the index of its frames"
        if kind != b"mdat":
            return None                 # a cut side box (free space, metadata): let the decoder judge
        if b"moof" in kinds:            # fragmented: one mdat among many
            return "it ends inside its picture and sound data"
        done = (size - at - 8) / max(1, n - 8)
        return (f"it ends {min(99, max(0, round(done * 100)))}% into its picture and sound data"
                + ("" if indexed else ", before the index of its frames"))
    if b"mdat" in kinds and not indexed and b"moof" not in kinds:
        return "it ends before the index of its frames"
    return None


def probe(path) -> MediaInfo:
    """What ``path`` holds. Raises ``BadInput`` with a one-line reason when unusable
    (a truncated MP4 or MOV says so, and how it ends).

        >>> probe("half-copied.mp4")                                    # doctest: +SKIP
        Traceback (most recent call last):
        storyloom.errors.BadInput: half-copied.mp4: the file is truncated (it ends 33% into ...); re-export or re-copy it
    """
    path = Path(path)
    check_file(path)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return probe_image(path)
    cut = _mp4_truncation(path)
    if cut:
        raise BadInput(f"{path.name}: the file is truncated ({cut}); re-export or re-copy it")
    try:
        container = av.open(str(path))
    except av.error.InvalidDataError:
        raise BadInput(f"{path.name}: not a video, picture or sound file Storyloom can read") from None
    except av.error.EOFError:
        raise BadInput(f"{path.name}: file ends before any frames (cut short or empty)") from None
    except (av.error.FFmpegError, OSError) as e:
        raise BadInput(f"{path.name}: cannot be opened ({e})") from None
    with container:
        vs = container.streams.video[0] if container.streams.video else None
        aus = container.streams.audio[0] if container.streams.audio else None
        if vs is None and aus is None:
            raise BadInput(f"{path.name}: has no video or audio frames")
        info = MediaInfo(kind="video" if vs is not None else "audio")
        if aus is not None:
            info.has_audio = True
            info.audio_rate = int(aus.rate or aus.codec_context.sample_rate or 0)
            info.audio_channels = int(aus.codec_context.channels or 0)
        if vs is None:
            if container.duration:
                info.duration = container.duration / av.time_base
            elif aus.duration and aus.time_base:
                info.duration = float(aus.duration * aus.time_base)
            return info
        cc = vs.codec_context
        info.codec = cc.name or ""
        info.width, info.height = int(cc.width or 0), int(cc.height or 0)
        if info.width and info.height:
            check_size(path, info.width, info.height)
        info.has_alpha = _alpha_fmt(cc.pix_fmt) or is_vp9_alpha(vs)
        info.rotation = _rotation(vs)
        # Count frames by decoding timestamps: container headers lie (truncated files, VFR).
        pts = []
        try:
            for packet in container.demux(vs):
                if packet.pts is not None and packet.size > 0:
                    pts.append(packet.pts)
        except av.error.FFmpegError:
            pass  # a truncated file: keep what was readable
        if not pts:
            raise BadInput(f"{path.name}: video stream has no frames")
        # Decode one frame so that a file whose packets are junk is caught here.
        container.seek(0)
        try:
            first = next(decode_packets(container, vs), None)
        except av.error.FFmpegError as e:
            raise BadInput(f"{path.name}: video cannot be decoded ({e})") from None
        if first is None:
            raise BadInput(f"{path.name}: video stream has no decodable frames")
        info.has_alpha = info.has_alpha or _alpha_fmt(first.format.name)
        rot = frame_rotation(first)
        if rot is not None and (rot or not info.rotation):
            info.rotation = rot
        if info.rotation in (90, 270):  # width/height as displayed
            info.width, info.height = info.height, info.width
        pts.sort()
        tb = float(vs.time_base)
        info.frames = len(pts)
        rate = vs.average_rate or vs.base_rate or vs.guessed_rate or Fraction(24)
        info.fps = float(rate)
        if len(pts) > 2:
            deltas = [b - a for a, b in zip(pts, pts[1:])]
            info.variable_frame_rate = (max(deltas) - min(deltas)) * tb > 0.5 / max(info.fps, 1)
            span = (pts[-1] - pts[0]) * tb
            if span > 0:
                info.fps = round((len(pts) - 1) / span, 3) if info.variable_frame_rate else info.fps
        info.duration = info.frames / info.fps if info.fps else 0.0
        return info


def stored_suffix(path) -> str:
    """The suffix a file should be stored under, read from its content (never its name);
    BadInput when it is not a picture, video or sound Storyloom takes.

    >>> stored_suffix("upload-3f9a.part")   # doctest: +SKIP
    '.mp4'
    """
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as im:
            if im.format in PICTURE_SUFFIXES:
                return PICTURE_SUFFIXES[im.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        pass
    try:
        with av.open(str(path)) as c:
            codecs = {s.codec_context.name for s in c.streams if s.type in ("video", "audio")}
            suffix = suffix_for(c.format.name, codecs)
            if suffix is None:
                raise BadInput(f"not a video, picture or sound file (looks like {c.format.long_name or c.format.name})")
            return suffix
    except av.error.FFmpegError:
        raise BadInput("not a video, picture or sound file Storyloom can read") from None

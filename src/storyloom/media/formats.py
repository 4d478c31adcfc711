"""The one table of containers and codecs Storyloom writes and recognises.

A file's suffix picks its format: ``.mp4``/``.m4v``/``.mkv`` hold H.264 + AAC, ``.webm``
VP9 (with alpha) + Opus, ``.mov`` ProRes 4444 (with alpha) + PCM. Every writer, checker
and upload sniffer reads this table, so a format means the same thing everywhere.

    >>> video_format("film.MOV").video, video_format("film.mp4").container
    ('prores_ks', 'mp4')
    >>> rate(30000 / 1001)
    Fraction(30000, 1001)
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Optional

from storyloom.errors import BadInput


@dataclass(frozen=True)
class VideoFormat:
    """How one suffix is written: container (FFmpeg muxer), video and audio encoders."""

    container: str
    video: str
    audio: str
    #: the format keeps an alpha channel (layers with transparency)
    alpha: bool = False


VIDEO_FORMATS: dict[str, VideoFormat] = {
    ".mp4": VideoFormat("mp4", "libx264", "aac"),
    ".m4v": VideoFormat("mp4", "libx264", "aac"),
    ".mkv": VideoFormat("matroska", "libx264", "aac"),
    ".webm": VideoFormat("webm", "libvpx-vp9", "libopus", alpha=True),
    ".mov": VideoFormat("mov", "prores_ks", "pcm_s16le", alpha=True),
}
VIDEO_SUFFIXES = tuple(VIDEO_FORMATS)
#: suffixes whose video keeps alpha (a folder of PNGs is the third way to write a layer)
ALPHA_SUFFIXES = tuple(s for s, f in VIDEO_FORMATS.items() if f.alpha)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}

#: FFmpeg demuxer name -> the suffix a file it reads is stored under (uploads are named by content)
CONTAINER_SUFFIXES = {
    "mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "matroska,webm": ".mkv", "avi": ".avi", "mpegts": ".ts",
    "mpeg": ".mpg", "flv": ".flv", "ogg": ".ogg", "wav": ".wav", "mp3": ".mp3", "flac": ".flac",
    "aac": ".aac", "gif": ".gif", "asf": ".wmv", "ivf": ".ivf", "mxf": ".mxf",
}
#: codecs a Matroska file may hold and still be a WebM
WEBM_CODECS = {"vp8", "vp9", "av1", "opus", "vorbis"}
#: Pillow format name -> the suffix a picture is stored under
PICTURE_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "MPO": ".jpg", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tiff"}

_UNKNOWN = "unknown video format (use .mp4, .mov or .webm)"


def video_format(path) -> VideoFormat:
    """The format ``path``'s suffix names; BadInput for a suffix Storyloom does not write.

    >>> video_format("out.gif")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: out.gif: unknown video format (use .mp4, .mov or .webm)
    """
    found = VIDEO_FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise BadInput(f"{Path(path).name}: {_UNKNOWN}")
    return found


def check_output_folder(path) -> None:
    """BadInput unless the folder ``path`` is to be written into exists.

    >>> check_output_folder("/no/such/folder/out.mp4")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: /no/such/folder/out.mp4: folder /no/such/folder does not exist
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"{path}: folder {folder} does not exist")


def check_video_output(path) -> None:
    """BadInput, before any work, unless ``path`` is a video file that can be written: its
    folder exists and its suffix names a format Storyloom writes.

    >>> check_video_output("out.gif")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: out.gif: unknown video format (use .mp4, .mov or .webm)
    """
    path = Path(path)
    if path.suffix.lower() not in VIDEO_FORMATS:
        raise BadInput(f"{path}: {_UNKNOWN}")
    check_output_folder(path)


def check_alpha_output(path) -> None:
    """BadInput unless ``path`` can hold a layer with alpha: a folder (PNGs), .webm or .mov.

    >>> check_alpha_output("cat.mp4")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: cat.mp4: layers with alpha go to a folder, .webm or .mov
    """
    path = Path(path)
    if path.suffix and path.suffix.lower() not in ALPHA_SUFFIXES:
        raise BadInput(f"{path}: layers with alpha go to a folder, .webm or .mov")


def rate(fps: float) -> Fraction:
    """A frame rate as the fraction a stream's time base needs (NTSC rates exact).

    >>> rate(24000 / 1001), rate(24)
    (Fraction(24000, 1001), Fraction(24, 1))
    """
    return Fraction(fps).limit_denominator(1001)


def suffix_for(container: str, codecs: Optional[set[str]] = None) -> Optional[str]:
    """The suffix a file FFmpeg reads with demuxer ``container`` is stored under (None: not
    media Storyloom takes); a Matroska file holding only WebM codecs is a ``.webm``.

    >>> suffix_for("matroska,webm", {"vp9", "opus"}), suffix_for("matroska,webm", {"h264"})
    ('.webm', '.mkv')
    """
    if container == "matroska,webm" and codecs is not None and codecs <= WEBM_CODECS:
        return ".webm"
    return CONTAINER_SUFFIXES.get(container)

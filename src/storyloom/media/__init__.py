"""Media I/O: the only place that knows about containers and codecs (PyAV).

    >>> from storyloom.media import probe, iter_frames, write_video   # doctest: +SKIP
"""
from storyloom.media.decode import frames_at, frames_by_index, iter_frames, read_audio, read_frames, read_image
from storyloom.media.encode import VideoWriter, write_alpha, write_image, write_png_sequence, write_video
from storyloom.media.files import atomic_write, write_json
from storyloom.media.formats import (ALPHA_SUFFIXES, IMAGE_SUFFIXES, VIDEO_SUFFIXES, check_alpha_output,
                                     check_output_folder, check_video_output, rate)
from storyloom.media.probe import MediaInfo, probe, require_video

__all__ = ["ALPHA_SUFFIXES", "IMAGE_SUFFIXES", "MediaInfo", "VIDEO_SUFFIXES", "VideoWriter", "atomic_write",
           "check_alpha_output", "check_output_folder", "check_video_output", "frames_at", "frames_by_index",
           "iter_frames", "probe", "rate", "read_audio", "read_frames", "read_image", "require_video",
           "write_alpha", "write_image", "write_json", "write_png_sequence", "write_video"]

"""Media I/O: the only place that knows about containers and codecs (PyAV)."""
from storyloom.media.decode import frames_at, frames_by_index, iter_frames, read_audio, read_frames, read_image
from storyloom.media.encode import VideoWriter, write_alpha, write_png_sequence, write_video
from storyloom.media.probe import IMAGE_SUFFIXES, MediaInfo, probe, require_video

__all__ = ["IMAGE_SUFFIXES", "MediaInfo", "VideoWriter", "frames_at", "frames_by_index", "iter_frames", "probe",
           "read_audio", "read_frames", "read_image", "require_video", "write_alpha", "write_png_sequence",
           "write_video"]

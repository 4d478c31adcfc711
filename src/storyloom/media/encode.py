"""Encoding with PyAV: H.264/AAC MP4 for films, and three formats for layers with alpha.

Writers write to a temporary file beside the target and rename it into place only when
everything succeeded, so an error or Ctrl-C never leaves a half-written output.

    >>> with VideoWriter("out.mp4", 320, 180, fps=24) as w:      # doctest: +SKIP
    ...     for frame in frames:
    ...         w.write(frame)
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Optional

import av
import numpy as np

from storyloom.errors import BadInput
from storyloom.media.files import atomic_write, commit, discard, temp_beside
from storyloom.media.formats import ALPHA_SUFFIXES, check_alpha_output, rate, video_format


class VideoWriter:
    """Write RGB (or RGBA, for alpha formats) frames and optional audio to one file.

    ``path`` suffix picks the format (``storyloom.media.formats``): ``.mp4`` (H.264 + AAC),
    ``.webm`` (VP9 with alpha + Opus), ``.mov`` (ProRes 4444 with alpha + PCM).
    ``audio_rate`` enables an audio track.
    """

    def __init__(self, path, width: int, height: int, fps: float, audio_rate: Optional[int] = None,
                 crf: int = 18, preset: str = "veryfast", alpha: Optional[bool] = None,
                 audio_channels: int = 2):
        self.path = Path(path)
        fmt = video_format(self.path)
        if width % 2 or height % 2:
            raise BadInput(f"{self.path.name}: width and height must be even, got {width}x{height}")
        self.width, self.height, self.fps = width, height, fps
        self.alpha = fmt.alpha if alpha is None else alpha and fmt.alpha
        self._tmp = temp_beside(self.path, self.path.suffix.lower() + ".part")
        try:
            self._open(fmt, width, height, fps, audio_rate, crf, preset, audio_channels)
        except BaseException:
            # a writer that could not be set up leaves nothing behind
            container = getattr(self, "_container", None)
            if container is not None:
                container.close()
            discard(self._tmp)
            raise

    def _open(self, fmt, width: int, height: int, fps: float, audio_rate: Optional[int],
              crf: int, preset: str, audio_channels: int) -> None:
        self._container = av.open(str(self._tmp), "w", format=fmt.container)
        r = rate(fps)
        vs = self._container.add_stream(fmt.video, rate=r)
        if fmt.video == "libvpx-vp9":
            vs.pix_fmt = "yuva420p" if self.alpha else "yuv420p"
            vs.options = {"crf": str(max(crf, 15)), "b": "0", "row-mt": "1", "deadline": "realtime",
                          "cpu-used": "8"}
        elif fmt.video == "prores_ks":
            vs.pix_fmt = "yuva444p10le" if self.alpha else "yuv444p10le"
            vs.options = {"profile": "4444", **({"alpha_bits": "16"} if self.alpha else {})}
        else:
            vs.pix_fmt = "yuv420p"
            vs.options = {"crf": str(crf), "preset": preset}
        vs.width, vs.height = width, height
        # one tick a frame (1001/24000 s at 23.976 fps): frame k has pts k
        vs.time_base = Fraction(1) / r
        vs.thread_type = "AUTO"
        self._video = vs
        self._audio = None
        if audio_rate:
            codec = fmt.audio
            if codec == "libopus":
                audio_rate = 48000
            a = self._container.add_stream(codec, rate=audio_rate)
            a.layout = "stereo" if audio_channels == 2 else "mono"
            self._audio = a
            self.audio_rate = audio_rate
            self._audio_pts = 0
            self._pending: list[np.ndarray] = []
            self._pending_n = 0
        self._frames = 0
        self._closed = False

    def write(self, frame: np.ndarray) -> None:
        """Add one frame: uint8 (H, W, 3) RGB or (H, W, 4) RGBA."""
        if frame.shape[0] != self.height or frame.shape[1] != self.width:
            raise ValueError(f"frame is {frame.shape[1]}x{frame.shape[0]}, writer is {self.width}x{self.height}")
        fmt = "rgba" if frame.shape[2] == 4 else "rgb24"
        if self.alpha and fmt == "rgb24":
            frame = np.dstack([frame, np.full(frame.shape[:2], 255, np.uint8)])
            fmt = "rgba"
        elif not self.alpha and fmt == "rgba":
            frame, fmt = frame[:, :, :3], "rgb24"
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format=fmt)
        vf.pts = self._frames
        vf.time_base = Fraction(1) / rate(self.fps)
        self._frames += 1
        for packet in self._video.encode(vf):
            self._container.mux(packet)

    def write_audio(self, samples: np.ndarray) -> None:
        """Add audio: float32 (channels, n) in [-1, 1] at ``audio_rate``.

        Audio is held back until the video reaches it; ``close()`` then pads with
        silence or cuts it so that audio and video end together.

            >>> w.write_audio(np.zeros((2, 48000), np.float32))     # doctest: +SKIP
        """
        if self._audio is None:
            raise ValueError("writer was opened without audio")
        samples = np.asarray(samples, np.float32)
        ch = 2 if self._audio.layout.name == "stereo" else 1
        if samples.ndim == 1:
            samples = samples[None]
        if samples.shape[0] != ch:
            samples = np.repeat(samples[:1], ch, axis=0) if samples.shape[0] == 1 else samples[:ch]
        self._pending.append(np.clip(samples, -1, 1))
        self._pending_n += samples.shape[1]
        self._flush_audio(self._video_samples())

    def _video_samples(self) -> int:
        # audio samples that the frames written so far cover
        return int(round(self._frames * self.audio_rate / float(rate(self.fps))))

    def _flush_audio(self, limit: int, final: bool = False) -> None:
        """Encode pending audio in whole codec frames, never past ``limit`` samples."""
        step = self._audio.codec_context.frame_size or 1024
        if final and self._audio_pts + self._pending_n < limit:  # pad the tail with silence
            pad = limit - self._audio_pts - self._pending_n
            self._pending.append(np.zeros((self._pending[0].shape[0] if self._pending else
                                           (2 if self._audio.layout.name == "stereo" else 1), pad),
                                          np.float32))
            self._pending_n += pad
        room = limit - self._audio_pts
        take = min(self._pending_n, room)
        if not final:
            take -= take % step  # whole frames only until the end
        if take <= 0:
            if final:
                self._pending, self._pending_n = [], 0
            return
        buf = np.concatenate(self._pending, axis=1) if len(self._pending) > 1 else self._pending[0]
        now, rest = buf[:, :take], buf[:, take:]
        self._pending = [rest] if rest.shape[1] and not final else []
        self._pending_n = rest.shape[1] if not final else 0
        for i in range(0, now.shape[1], step):
            chunk = np.ascontiguousarray(now[:, i:i + step])
            af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=self._audio.layout.name)
            af.sample_rate = self.audio_rate
            af.pts = self._audio_pts
            af.time_base = Fraction(1, self.audio_rate)
            self._audio_pts += chunk.shape[1]
            for packet in self._audio.encode(af):
                self._container.mux(packet)

    @property
    def frames_written(self) -> int:
        return self._frames

    def close(self) -> Path:
        """Finish the file and move it into place."""
        if self._closed:
            return self.path
        self._closed = True
        try:
            for packet in self._video.encode():
                self._container.mux(packet)
            if self._audio is not None:
                self._flush_audio(self._video_samples(), final=True)
                for packet in self._audio.encode():
                    self._container.mux(packet)
            self._container.close()
            commit(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Throw away what was written; the target path is left untouched."""
        self._closed = True
        try:
            self._container.close()
        except Exception:
            pass
        discard(self._tmp)

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_video(path, frames: Iterable[np.ndarray], fps: float = 24.0,
                audio: Optional[np.ndarray] = None, audio_rate: int = 48000, **kw) -> Path:
    """Write frames (and optional float32 (channels, n) audio) to ``path``.

    >>> write_video("out.mp4", [np.zeros((180, 320, 3), np.uint8)] * 24, fps=24)  # doctest: +SKIP
    """
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise BadInput(f"{Path(path).name}: no frames to write")
    h, w = first.shape[:2]
    with VideoWriter(path, w, h, fps, audio_rate=audio_rate if audio is not None else None,
                     audio_channels=audio.shape[0] if audio is not None and audio.ndim == 2 else 2, **kw) as wr:
        wr.write(first)
        for f in it:
            wr.write(f)
        if audio is not None:
            wr.write_audio(audio)
    return Path(path)


def write_png_sequence(folder, frames: Iterable[np.ndarray]) -> Path:
    """Write RGBA (or RGB) frames as ``00000.png, 00001.png, …`` into a new folder,
    built beside it and renamed into place when complete."""
    import cv2
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BadInput(f"{folder}: folder exists and is not empty")
    with atomic_write(folder, folder=True) as tmp:
        n = 0
        for i, f in enumerate(frames):
            code = cv2.COLOR_RGBA2BGRA if f.shape[2] == 4 else cv2.COLOR_RGB2BGR
            cv2.imwrite(str(tmp / f"{i:05d}.png"), cv2.cvtColor(f, code))
            n += 1
        if n == 0:
            raise BadInput(f"{folder.name}: no frames to write")
    return folder


def write_image(path, rgb: np.ndarray) -> Path:
    """Write one RGB (or RGBA) picture to ``path`` (its suffix picks the format), atomically.

    >>> write_image(tmp_dir / "big.png", np.zeros((4, 4, 3), np.uint8))   # doctest: +SKIP
    """
    import cv2
    path = Path(path)
    code = cv2.COLOR_RGBA2BGRA if rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR
    with atomic_write(path, suffix=path.suffix) as tmp:
        if not cv2.imwrite(str(tmp), cv2.cvtColor(rgb, code)):
            raise BadInput(f"{path}: could not write the picture")
    return path


def write_alpha(path, frames: Iterable[np.ndarray], fps: float = 24.0) -> Path:
    """Write RGBA frames with their alpha: a folder (PNGs), ``.webm`` (VP9) or ``.mov``
    (ProRes 4444), chosen by ``path``'s suffix.
    """
    path = Path(path)
    check_alpha_output(path)
    if path.suffix.lower() in ALPHA_SUFFIXES:
        return write_video(path, frames, fps=fps)
    return write_png_sequence(path, frames)

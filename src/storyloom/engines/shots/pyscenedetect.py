"""PySceneDetect's detectors as ``shots`` engines (cuts only), for comparison and as
fallbacks: ``pyscenedetect-adaptive`` (AdaptiveDetector) and ``pyscenedetect-content``
(ContentDetector). Decoding goes through its PyAV backend, so no OpenCV video I/O.

    >>> with PySceneDetectAdaptive() as det:                 # doctest: +SKIP
    ...     det.detect("film.mp4").shots[:2]
    [(0, 40), (41, 60)]
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from storyloom.engines.base import AVAILABLE, Availability, Progress, no_progress, register
from storyloom.engines.shots.base import ShotDetector, ShotList, Transition
from storyloom.errors import BadInput
from storyloom.media import probe
from storyloom.media.probe import IMAGE_SUFFIXES, require_video


class _PySceneDetect(ShotDetector):
    VERSION = "1"

    @classmethod
    def is_available(cls) -> Availability:
        if importlib.util.find_spec("scenedetect") is None:
            return Availability(False, "needs the Python package scenedetect (pip install scenedetect)")
        return AVAILABLE

    def _detector(self):
        raise NotImplementedError

    def detect(self, path: Path, progress: Progress = no_progress) -> ShotList:
        """Cuts found by PySceneDetect, as a ShotList.

        >>> PySceneDetectContent().detect("film.mp4").frames      # doctest: +SKIP
        565
        """
        from scenedetect import SceneManager, open_video
        path = Path(path)
        info = probe(path)
        require_video(info, path)
        if info.kind == "image" or path.suffix.lower() in IMAGE_SUFFIXES:
            raise BadInput(f"{path.name}: a still picture, not a video")
        try:
            video = open_video(str(path), backend="pyav")
        except Exception as e:  # its own error types vary by backend
            raise BadInput(f"{path.name}: cannot be opened ({e})") from None
        manager = SceneManager()
        manager.add_detector(self._detector())
        total = max(info.frames, 1)
        seen = [0]

        def tick(_img, _tc):
            seen[0] += 1
            if seen[0] % 64 == 0:
                progress(min(0.99, seen[0] / total), "detecting")

        manager.detect_scenes(video=video, callback=tick)
        frames = max(info.frames, seen[0])
        cuts = []
        for start, _end in manager.get_scene_list(start_in_scene=True)[1:]:
            f = start.frame_num if hasattr(start, "frame_num") else start.get_frames()
            if 0 < f < frames:
                cuts.append(Transition("cut", f - 1, f))
        progress(1.0, "done")
        return ShotList.from_transitions(info.fps, frames, cuts)


@register
class PySceneDetectAdaptive(_PySceneDetect):
    NAME = "pyscenedetect-adaptive"
    PRIORITY = 1
    DESCRIPTION = "PySceneDetect AdaptiveDetector (cuts only)"

    def _detector(self):
        from scenedetect import AdaptiveDetector
        return AdaptiveDetector(min_scene_len=6)


@register
class PySceneDetectContent(_PySceneDetect):
    NAME = "pyscenedetect-content"
    PRIORITY = 0
    DESCRIPTION = "PySceneDetect ContentDetector (cuts only)"

    def _detector(self):
        from scenedetect import ContentDetector
        return ContentDetector(min_scene_len=6)

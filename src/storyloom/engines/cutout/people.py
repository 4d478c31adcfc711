"""``people``: MediaPipe's bundled selfie segmentation (no download), for prompts that
land on a person. Chosen automatically only then (``suits``): the selfie model alone calls
many blobs a person, so MediaPipe's bundled pose model must also find a body there whose
skeleton spans the region the click picked (see ``_pose_fits``); per frame the person mask
is kept where it continues the one the prompt picked, and its soft edge is snapped to
the picture with a guided filter.

    >>> PeopleSegmenter.is_available().ok                 # doctest: +SKIP
    True
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from storyloom.engines.base import AVAILABLE, Availability, Progress, missing, no_progress, register
from storyloom.engines.cutout.base import Prompt, Segmenter, check_frames
from storyloom.engines.native_logs import quiet_native_logs


def _selfie(model_selection: int = 1):
    import os
    os.environ.setdefault("GLOG_minloglevel", "2")   # keep MediaPipe's C++ log lines off the CLI's stderr
    import mediapipe as mp
    return mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=model_selection)


def _person_prob(seg, frame: np.ndarray) -> np.ndarray:
    with quiet_native_logs():
        return np.asarray(seg.process(np.ascontiguousarray(frame)).segmentation_mask, np.float32)


def _pose():
    import os
    os.environ.setdefault("GLOG_minloglevel", "2")
    import mediapipe as mp
    # model_complexity=1 is the pose model bundled in the wheel (0 and 2 are downloaded)
    return mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=False)


#: the visible skeleton must span at least this share of the picked region's height or width
MIN_SKELETON_SPAN = 0.5


def _pose_fits(frame: np.ndarray, region: np.ndarray, landmarks=None) -> bool:
    """Whether a human pose is found in ``frame`` whose visible landmarks lie in ``region``
    (the selfie mask's part the prompt picked) and span at least ``MIN_SKELETON_SPAN`` of
    its height or width. A textured blob often fools the selfie model, and sometimes the
    pose model too, but then with a tiny skeleton inside a big "person".

    >>> _pose_fits(np.zeros((90, 160, 3), np.uint8), np.ones((90, 160), bool))   # doctest: +SKIP
    False
    """
    h, w = region.shape
    ys, xs = np.nonzero(region)
    if not len(xs):
        return False
    if landmarks is None:
        with quiet_native_logs(), _pose() as pose:
            res = pose.process(np.ascontiguousarray(frame))
        if res.pose_landmarks is None:
            return False
        landmarks = [(p.x * w, p.y * h, p.visibility) for p in res.pose_landmarks.landmark]
    pts = np.array([(x, y) for x, y, v in landmarks if v > 0.5 and 0 <= x < w and 0 <= y < h])
    if len(pts) < 5:
        return False
    inside = region[pts[:, 1].astype(int), pts[:, 0].astype(int)].mean()
    span_h = (pts[:, 1].max() - pts[:, 1].min()) / max(1, ys.max() - ys.min() + 1)
    span_w = (pts[:, 0].max() - pts[:, 0].min()) / max(1, xs.max() - xs.min() + 1)
    return bool(inside >= 0.8 and max(span_h, span_w) >= MIN_SKELETON_SPAN)


def _on_person(prob: np.ndarray, prompt: Prompt, frame: int) -> bool:
    """Whether the prompt on ``frame`` points at a person in ``prob``."""
    pos = [c for c in prompt.clicks if c.frame == frame and c.positive]
    if pos:
        return all(prob[int(c.y), int(c.x)] > 0.5 for c in pos)
    if prompt.box is not None:
        h, w = prob.shape
        x0, y0, x1, y1 = (int(np.clip(v, 0, m)) for v, m in zip(prompt.box, (w, h, w, h)))
        inside = prob[y0:y1 + 1, x0:x1 + 1] > 0.5
        # a person fills a good part of a box drawn around them, and most of them is inside it
        return inside.size > 0 and inside.mean() > 0.3 and inside.sum() > 0.7 * (prob > 0.5).sum()
    return False


@register
class PeopleSegmenter(Segmenter):
    NAME = "people"
    VERSION = "1"
    PRIORITY = 20
    DESCRIPTION = "MediaPipe selfie segmentation (bundled), used when the prompt lands on a person"

    def __init__(self) -> None:
        self._seg = None

    @classmethod
    def is_available(cls) -> Availability:
        gap = missing("mediapipe")
        if gap:
            return gap
        try:
            import mediapipe as mp
            mp.solutions.selfie_segmentation  # noqa: B018 - present in the 0.10 "solutions" API only
        except Exception as e:  # a broken install says so instead of failing later
            return Availability(False, f"mediapipe selfie segmentation does not load: {e}")
        return AVAILABLE

    @classmethod
    def suits(cls, frames: np.ndarray, prompt: Prompt) -> bool:
        """True when the prompt's clicks (or most of its box) are on a person: the selfie
        model's mask and a pose that fits the part of it the prompt picked."""
        f = prompt.anchor()
        with cls() as eng:
            prob = _person_prob(eng._model(), frames[f])
        if not _on_person(prob, prompt, f):
            return False
        return _pose_fits(frames[f], _pick(prob > 0.5, prompt, f, None))

    def _model(self):
        if self._seg is None:
            with quiet_native_logs():
                self._seg = _selfie()
        return self._seg

    def close(self) -> None:
        if self._seg is not None:
            with quiet_native_logs():
                self._seg.close()
            self._seg = None

    def track(self, frames: np.ndarray, prompt: Prompt, progress: Progress = no_progress) -> np.ndarray:
        frames = check_frames(frames)
        n, h, w = frames.shape[:3]
        prompt.check(n, h, w)
        seg = self._model()
        probs = []
        for t in range(n):
            probs.append(_person_prob(seg, frames[t]))
            progress(0.7 * (t + 1) / n, "finding people")
        a = prompt.anchor()
        keep = [None] * n
        keep[a] = _pick(probs[a] > 0.5, prompt, a, None)
        for order in (range(a + 1, n), range(a - 1, -1, -1)):
            for t in order:
                prev = keep[t - 1 if t > a else t + 1]
                keep[t] = _pick(probs[t] > 0.5, prompt, t, prev)
        out = np.empty((n, h, w), np.uint8)
        r = max(2, int(round(min(h, w) / 90)))
        for t in range(n):
            zone = cv2.dilate(keep[t].astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * r + 1,) * 2))
            soft = probs[t] * zone
            # the model's mask is coarse: a guided filter moves its edge onto the picture's
            soft = cv2.ximgproc.guidedFilter(frames[t], soft.astype(np.float32), r, 1e-3)
            out[t] = np.clip(soft * 255 + 0.5, 0, 255).astype(np.uint8)
            progress(0.7 + 0.3 * (t + 1) / n, "matting")
        return out


def _pick(mask: np.ndarray, prompt: Prompt, frame: int, prev: Optional[np.ndarray]) -> np.ndarray:
    """The person components the prompt means: those under its positive clicks (or in its
    box) on its frames, else those overlapping the previous frame's pick; never those
    under a negative click."""
    n, lab = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    ids = set()
    for c in prompt.clicks:
        if c.frame == frame and c.positive:
            ids.add(int(lab[int(c.y), int(c.x)]))
    if prompt.box is not None and prompt.box_frame == frame:
        x0, y0, x1, y1 = (int(v) for v in prompt.box)
        ids.update(int(i) for i in np.unique(lab[max(0, y0):y1 + 1, max(0, x0):x1 + 1]))
    if not ids - {0} and prev is not None:
        ids.update(int(i) for i in np.unique(lab[prev & (lab > 0)]))
    for c in prompt.clicks:
        if c.frame == frame and not c.positive:
            ids.discard(int(lab[int(c.y), int(c.x)]))
    ids.discard(0)
    return np.isin(lab, list(ids)) if ids else np.zeros(mask.shape, bool)

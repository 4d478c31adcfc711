"""The main subject of a still as a matte, for "make the photo move" (parallax).

``find_subject`` looks for a person first (MediaPipe face detection confirms one is there,
then selfie segmentation gives the matte); otherwise it takes the most salient region:
OpenCV's fine-grained static saliency and colour rarity, times a centre prior, seed GrabCut,
whose largest region (with the pieces beside it) is the subject.

    >>> import numpy as np
    >>> img = np.full((90, 160, 3), 90, np.uint8)
    >>> find_subject(img)[0] is None          # a flat picture has no subject
    True
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from storyloom.engines.native_logs import quiet_native_logs

#: a subject smaller or larger than these fractions of the picture is not worth a layer
MIN_COVER, MAX_COVER = 0.01, 0.6


def _person(rgb: np.ndarray) -> Optional[np.ndarray]:
    """Soft person matte when MediaPipe sees a face, else None."""
    try:
        with quiet_native_logs():
            import mediapipe as mp
    except Exception:  # mediapipe is optional: saliency still works without it
        return None
    try:
        detector = mp.solutions.face_detection.FaceDetection
        with quiet_native_logs(), detector(model_selection=1, min_detection_confidence=0.6) as fd:
            found = fd.process(rgb)
        if not found.detections:
            return None
        with quiet_native_logs(), mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
            m = seg.process(rgb).segmentation_mask
    except Exception:
        return None
    if m is None:
        return None
    # a soft edge where the model is unsure
    return np.clip((m.astype(np.float32) - 0.3) / 0.4, 0.0, 1.0)


def _salient(rgb: np.ndarray) -> Optional[np.ndarray]:
    """Binary mask of the most salient region (GrabCut seeded by saliency x centre prior)."""
    h, w = rgb.shape[:2]
    k = min(1.0, 240.0 / max(h, w))   # GrabCut on a small copy: the mask is refined when feathered
    small = cv2.resize(rgb, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    bgr = np.ascontiguousarray(small[..., ::-1])
    ok, sal = cv2.saliency.StaticSaliencyFineGrained_create().computeSaliency(bgr)
    if not ok:
        return None
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), max(1.0, min(sh, sw) / 60))
    # colour rarity: distance of each pixel's Lab colour from the picture's median colour
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    rare = np.linalg.norm(lab - np.median(lab.reshape(-1, 3), axis=0), axis=2)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    prior = np.exp(-(((xx - sw / 2) / (0.35 * sw)) ** 2 + ((yy - sh / 2) / (0.35 * sh)) ** 2))
    score = (sal / (sal.max() + 1e-6) + rare / (rare.max() + 1e-6)) * prior
    if score.max() <= 0:
        return None
    score = (255 * score / score.max()).astype(np.uint8)
    thr, _ = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = np.full((sh, sw), cv2.GC_PR_BGD, np.uint8)
    mask[score > thr] = cv2.GC_PR_FGD
    mask[score > min(254, thr + (255 - thr) // 2)] = cv2.GC_FGD
    b = max(2, round(0.04 * min(sh, sw)))
    # the top and sides are background; the bottom only probably (people and things stand on it)
    mask[:b], mask[:, :b], mask[:, -b:] = (cv2.GC_BGD,) * 3
    mask[-b:][mask[-b:] != cv2.GC_FGD] = cv2.GC_PR_BGD
    if not np.any((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)):
        return None
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)   # GrabCut's k-means starts from OpenCV's global generator: same picture, same cut
    try:
        cv2.grabCut(bgr, mask, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return None
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count <= 1:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    # the largest region, with the pieces right beside it (a dark band can split a subject:
    # a piece left behind would float on the background once the layers move apart)
    r = max(2, round(0.04 * min(sh, sw)))
    near = cv2.dilate((labels == biggest).astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8))
    keep = np.unique(labels[(near > 0) & (fg > 0)])
    keep = [k for k in keep if k and stats[k, cv2.CC_STAT_AREA] >= 4]
    fg = np.isin(labels, keep).astype(np.uint8)
    # holes inside the subject are part of it (flooding from the corner, which is background:
    # the top rows were given to GrabCut as such)
    filled = fg.copy()
    flood = np.zeros((sh + 2, sw + 2), np.uint8)
    cv2.floodFill(filled, flood, (0, 0), 1)
    fg = fg | (1 - filled)
    return cv2.resize(fg * 255, (w, h), interpolation=cv2.INTER_LINEAR)


def find_subject(rgb: np.ndarray) -> tuple[Optional[np.ndarray], str]:
    """(float32 alpha in [0, 1] of the subject, how it was found), or (None, why not).

    >>> img = np.full((90, 160, 3), 60, np.uint8); img[30:60, 60:100] = (220, 40, 40)
    >>> a, how = find_subject(img)
    >>> how, round(float(a[45, 80]), 2), round(float(a[5, 5]), 2)
    ('saliency', 1.0, 0.0)
    """
    rgb = np.ascontiguousarray(rgb[..., :3])
    h, w = rgb.shape[:2]
    if min(h, w) < 16:
        return None, "picture too small"
    person = _person(rgb)
    if person is not None and MIN_COVER <= float(person.mean()) <= MAX_COVER:
        return person.astype(np.float32), "person"
    m = _salient(rgb)
    if m is None:
        return None, "no salient subject"
    # a pixel or two wider than GrabCut's cut: a thin ring of background moving with the subject
    # shows far less than a sliver of the subject left behind on the background
    grow = max(1, round(min(h, w) / 150))
    m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    alpha = m.astype(np.float32) / 255.0
    # a 1-2 px soft edge: a hard cut shows as a jagged outline once the layers move
    feather = max(0.8, min(h, w) / 300)
    alpha = cv2.GaussianBlur(alpha, (0, 0), feather)
    cover = float(alpha.mean())
    if not MIN_COVER <= cover <= MAX_COVER:
        return None, f"salient region covers {cover:.0%} of the picture"
    return alpha, "saliency"

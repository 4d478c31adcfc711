"""Keeping a look attached to the picture: DIS optical flow from each frame to the one
before it gives

* **canvas coordinates** — where each pixel of frame t was on frame 0, so paper grain,
  brush strokes, halftone dots and tiles are drawn on the moving picture instead of on
  the screen (a texture sampled there slides with the scene rather than boiling);
* the **previous output warped** onto the new frame, with a confidence that is high
  where the flow is right (the warped previous input matches the new input) and zero
  where the picture is new (entering at an edge, disoccluded, after a cut).

    >>> import numpy as np
    >>> f = Follower(16, 24)
    >>> f.advance(np.zeros((16, 24), np.uint8)).coords().shape
    (16, 24, 2)
"""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.imaging.motion import affine_field


class Follower:
    """Tracks the picture of one clip, frame after frame (call ``advance`` in order)."""

    def __init__(self, h: int, w: int, cut_confidence: float = 0.25):
        self.h, self.w = h, w
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        self._gx, self._gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        self._disp = np.zeros((h, w, 2), np.float32)   # canvas coordinates = pixel + disp
        self._prev = None
        self._maps = None
        self.confidence = np.zeros((h, w), np.float32)
        self.cut_confidence = cut_confidence
        self.index = -1

    def advance(self, gray: np.ndarray) -> "Follower":
        """Move on to the next frame (uint8 grey, H x W)."""
        self.index += 1
        blurred = cv2.GaussianBlur(gray, (0, 0), 1.0)
        if self._prev is None:
            self._prev = blurred
            return self
        # flow from this frame back to the previous one: gray(p) ~ prev(p + f(p))
        f = self._global_motion(self._dis.calc(blurred, self._prev, None))
        mx, my = self._gx + f[..., 0], self._gy + f[..., 1]
        back = cv2.remap(self._prev, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        diff = np.abs(blurred.astype(np.float32) - back.astype(np.float32))
        inside = (mx >= 0) & (mx <= self.w - 1) & (my >= 0) & (my <= self.h - 1)
        conf = np.exp(-(diff / 10.0) ** 2) * inside
        # a pixel is trusted only if its neighbourhood is: flow errors come in patches
        conf = cv2.erode(conf.astype(np.float32), np.ones((3, 3), np.uint8))
        self._prev = blurred
        if float(conf.mean()) < self.cut_confidence:
            # a cut or a jump: nothing carries over; start a fresh canvas
            self._disp[:] = 0
            self._maps = None
            self.confidence = np.zeros_like(conf)
            return self
        # canvas coordinates follow the picture: C_t(p) = C_{t-1}(p + f(p)); the displacement
        # is smooth, so interpolating it (unlike interpolating a texture) loses no detail
        self._disp = cv2.remap(self._disp, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE) + f
        self._maps = (mx, my)
        self.confidence = conf
        return self

    def _global_motion(self, f: np.ndarray) -> np.ndarray:
        """Snap the flow to the camera's motion where it agrees with it.

        Dense flow is noisy by a few tenths of a pixel; sharp textures attached to the
        picture show that as shimmer. An affine fitted (RANSAC) to the whole flow field is
        exact for camera pans, zooms and rolls, so pixels whose flow is within a pixel of
        it take the fit; pixels moving on their own (people, cars) keep their own flow.
        """
        h, w = self.h, self.w
        step = max(4, min(h, w) // 24)
        ys, xs = np.mgrid[step // 2:h:step, step // 2:w:step]
        src = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
        dst = src + f[ys.ravel(), xs.ravel()]
        if len(src) < 12:
            return f
        a, inliers = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=0.5,
                                          maxIters=500, confidence=0.99)
        if a is None or inliers is None or inliers.mean() < 0.3:
            return f
        fa = affine_field(a, h, w)
        dev = cv2.GaussianBlur(np.linalg.norm(f - fa, axis=2), (0, 0), 2.0)
        t = np.clip((1.5 - dev) / 1.0, 0, 1)[..., None]   # 1 within 0.5 px of the fit, 0 beyond 1.5 px
        return (fa * t + f * (1 - t)).astype(np.float32)

    def coords(self) -> np.ndarray:
        """(H, W, 2) float32 x, y of every pixel on the clip's canvas (frame 0's pixels)."""
        return np.stack([self._gx + self._disp[..., 0], self._gy + self._disp[..., 1]], axis=-1)

    def warp_previous(self, image: np.ndarray):
        """The previous frame's ``image`` moved onto the current frame, or None on a fresh start."""
        if self._maps is None:
            return None
        return cv2.remap(image, *self._maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

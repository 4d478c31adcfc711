"""``flow``: CPU motion-compensated interpolation with OpenCV DIS optical flow.

For each neighbour pair (a, b) the dense flow is computed both ways on grey frames.
An in-between at time t samples a at ``p - t*F_ab(p)`` and b at ``p - (1-t)*F_ba(p)``
(the flow at the target pixel approximated by the flow at the same pixel of the
source, fine for the small motions of neighbouring frames). The two warps are blended
by time, weighted by forward-backward consistency: where one side's flow round trip
disagrees (an occlusion) the other side is trusted.

    >>> with FlowInterpolator() as e:                      # doctest: +SKIP
    ...     e.interpolate(frames, 2).shape
    (49, 180, 320, 3)
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.interpolate.base import FrameInterpolator, detect_cuts, output_count
from storyloom.errors import BadInput


def _consistency(f: np.ndarray, g: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Per pixel |f(p) + g(p + f(p))|: ~0 where the flow f is confirmed by the reverse g."""
    g_at = cv2.remap(g, gx + f[..., 0], gy + f[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.linalg.norm(f + g_at, axis=2)


@register
class FlowInterpolator(FrameInterpolator):
    NAME = "flow"
    VERSION = "1"
    PRIORITY = 10
    DESCRIPTION = "OpenCV DIS optical flow both ways, occlusion-aware warp and blend (CPU)"

    def __init__(self) -> None:
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def _flow(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self._dis.calc(a, b, None)

    def between(self, a: np.ndarray, b: np.ndarray, times) -> list[np.ndarray]:
        """In-betweens of uint8 RGB frames ``a`` and ``b`` at each t in ``times`` (0 < t < 1).

        >>> a = np.zeros((32, 32, 3), np.uint8)
        >>> FlowInterpolator().between(a, a, [0.5])[0].shape
        (32, 32, 3)
        """
        ga, gb = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
        fab, fba = self._flow(ga, gb), self._flow(gb, ga)
        h, w = ga.shape
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        # confidence of each side: 1 where its flow survives the round trip, falling off beyond ~1 px
        ca = 1.0 / (1.0 + _consistency(fab, fba, gx, gy) ** 2)
        cb = 1.0 / (1.0 + _consistency(fba, fab, gx, gy) ** 2)
        af, bf = a.astype(np.float32), b.astype(np.float32)
        out = []
        for t in times:
            ma = (gx - t * fab[..., 0], gy - t * fab[..., 1])
            mb = (gx - (1 - t) * fba[..., 0], gy - (1 - t) * fba[..., 1])
            wa = cv2.remap(af, *ma, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            wb = cv2.remap(bf, *mb, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            # each side's confidence, sampled where that side's pixel comes from
            qa = cv2.remap(ca, *ma, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            qb = cv2.remap(cb, *mb, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            wta = (1 - t) * qa + 1e-4 * (1 - t)
            wtb = t * qb + 1e-4 * t
            mix = (wa * wta[..., None] + wb * wtb[..., None]) / (wta + wtb)[..., None]
            out.append(np.clip(mix + 0.5, 0, 255).astype(np.uint8))
        return out

    def interpolate(self, frames: np.ndarray, factor: int, cuts: Optional[set[int]] = None,
                    progress: Progress = no_progress) -> np.ndarray:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8:
            raise BadInput(f"frames: need uint8 (N, H, W, 3), got {frames.dtype} {frames.shape}")
        if len(frames) < 2:
            raise BadInput(f"frames: needs at least 2 frames, got {len(frames)}")
        if not 2 <= int(factor) <= 8:
            raise BadInput(f"factor {factor}: must be 2..8")
        factor = int(factor)
        if cuts is None:
            cuts = detect_cuts(frames)
        n = len(frames)
        out = np.empty((output_count(n, factor),) + frames.shape[1:], np.uint8)
        times = [k / factor for k in range(1, factor)]
        for i in range(n - 1):
            out[i * factor] = frames[i]
            if i + 1 in cuts:
                mids = [frames[i]] * (factor - 1)   # never mix two shots: hold the earlier one
            else:
                mids = self.between(frames[i], frames[i + 1], times)
            for k, m in enumerate(mids, 1):
                out[i * factor + k] = m
            progress((i + 1) / (n - 1), "interpolating")
        out[-1] = frames[-1]
        return out

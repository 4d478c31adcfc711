"""``matting``: the CPU default segmenter, no downloaded weights.

1. The prompt's frame is segmented with GrabCut: from the box, or from a click by trying
   boxes of growing size around it and keeping the smallest whose object does not touch
   the box's edge (the object fits inside). Clicks become hard object/background seeds.
2. The mask is carried forwards and backwards by dense optical flow (OpenCV DIS), and on
   each frame re-estimated by GrabCut around the warped mask (colour models learnt on that
   frame), so errors do not pile up frame after frame. Clicks on other frames are seeds there.
3. A trimap (a band around the mask's edge) is solved by closed-form matting (pymatting's
   cf-laplacian), so hair and anti-aliased edges get partial alpha.
4. Where the background behind the object can be seen in other frames (the object moves
   against it), a clean plate is built: the background's motion between frames (corners
   away from the object, Lucas-Kanade, RANSAC similarity) aligns other frames to this one,
   and pixels are taken from those where the object was elsewhere (two must agree). In a
   wide band around the mask (hair reaches far) alpha is then measured directly: how far
   each pixel's colour has moved from the plate towards the object's own colour (spread
   out from the mask's deep core). This replaces the closed-form estimate there; it is
   what gets fine strands right. With a static object, a still, or parallax it does not
   apply (no valid plate) and step 3 stands. The object's colour behind each pixel is then
   re-estimated locally from the pixels whose alpha is clearly up (the compositing equation
   solved for it) and alpha measured again, a few passes: a strand has the colour of its
   own part of the texture, not the body's mean.
5. Each frame's matte is averaged with its neighbours' (±2 frames, farther where the object's
   colour is too close to the background's to measure), aligned by the object's own motion
   (a similarity from corners inside it), each pixel weighted by how well it was measured.
Clicks on frames other than the prompt's correct it: the mask there is re-estimated with
them and carried both ways from that frame (``_apply_corrections``).
Analysis runs at most ``ANALYSIS_WIDTH`` px wide; larger mattes are upsampled with a
guided filter steered by the full-size frame, so edges follow the picture.

    >>> with MattingSegmenter() as e:                       # doctest: +SKIP
    ...     alpha = e.track(frames, Prompt.make(clicks=[(0, 135, 92)]))
"""
from __future__ import annotations

from typing import Optional

import cv2
import numpy as np

from storyloom.engines.base import Availability, AVAILABLE, Progress, missing, no_progress, register
from storyloom.engines.cutout._temporal import chain_motion as _chain, object_motion, smooth_along_motion
from storyloom.engines.cutout.base import Prompt, Segmenter, check_frames

ANALYSIS_WIDTH = 480
#: an object's outline differs from its surroundings by at least this (grey levels per pixel)
MIN_EDGE_CONTRAST = 6.0
#: ... and its colours differ from those just around it by at least this (Bhattacharyya
#: distance of Lab histograms): a patch of textured ground has edges but not its own colours
MIN_DISTINCT = 0.35
#: frames each side whose mattes, aligned by the object's motion, are averaged into each frame's
SMOOTH_RADIUS = 2
#: ... and out to this many where those hold less than ENOUGH_WEIGHT of trusted measurement
FAR_RADIUS = 8
ENOUGH_WEIGHT = 2.5
#: weight of colour (Cb, Cr) next to luma when measuring alpha against the clean plate
CHROMA_WEIGHT = 0.4
#: object-to-background colour step (RGB length) at which alpha counts as fully determined
CONFIDENT_STEP = 80.0
#: trust in closed-form alpha (where there is no clean plate) next to a plate measurement's
CF_WEIGHT = 0.1
#: passes of re-estimating the object's colour locally from the alpha found
REFINE_PASSES = 3
#: colour change (RGB length) below which a pixel counts as plain background: coding noise
NOISE = 12.0


def _disk(r: int) -> np.ndarray:
    r = max(1, int(r))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _click_region(img: np.ndarray, x: int, y: int, radius: int, tol: int = 14) -> np.ndarray:
    """The pixels around a click that share its colour (flood fill within ``tol`` of the
    clicked colour, no farther than ``radius``): what one click plainly means."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x - radius), max(0, y - radius), min(w, x + radius + 1), min(h, y + radius + 1)
    crop = np.ascontiguousarray(img[y0:y1, x0:x1])
    ff = np.zeros((y1 - y0 + 2, x1 - x0 + 2), np.uint8)
    cv2.floodFill(crop, ff, (x - x0, y - y0), 0, (tol,) * 3, (tol,) * 3,
                  4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8))
    out = np.zeros((h, w), bool)
    out[y0:y1, x0:x1] = ff[1:-1, 1:-1] > 0
    return out


def _seed(gc: np.ndarray, prompt: Prompt, frame: int, radius: int, img: Optional[np.ndarray] = None) -> None:
    """Write the clicks on ``frame`` into a GrabCut label mask as hard seeds: a disk, and
    with ``img`` the same-coloured patch around it."""
    h, w = gc.shape
    for c in prompt.clicks:
        if c.frame == frame:
            x, y = int(round(c.x)), int(round(c.y))
            label = int(cv2.GC_FGD if c.positive else cv2.GC_BGD)
            if img is not None and 0 <= x < w and 0 <= y < h:
                gc[_click_region(img, x, y, int(0.1 * min(h, w)) + radius)] = label
            cv2.circle(gc, (x, y), radius, label, -1)


def _grabcut(img: np.ndarray, gc: np.ndarray, iters: int, fg_model: Optional[np.ndarray] = None,
             models: Optional[list] = None) -> np.ndarray:
    """Run GrabCut (mask mode) in place; returns the 0/1 object mask.

    ``fg_model``: a colour model of the object learnt on the prompt's frame; when given,
    the background model is learnt on this frame but the object's is held fixed, so a
    mask that picked up some background cannot teach the object's colours to drift.
    ``models``: a list that receives [bgd, fgd] as learnt.
    """
    fg = (gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)
    if not fg.any() or fg.all():
        return fg.astype(np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    if fg_model is None:
        cv2.grabCut(img, gc, None, bgd, fgd, iters, cv2.GC_INIT_WITH_MASK)
    else:
        labels = gc.copy()
        cv2.grabCut(img, labels, None, bgd, fgd, 0, cv2.GC_INIT_WITH_MASK)  # learn the models only
        fgd = fg_model.copy()
        for _ in range(iters):
            cv2.grabCut(img, gc, None, bgd, fgd, 1, cv2.GC_EVAL_FREEZE_MODEL)
    if models is not None:
        models[:] = [bgd, fgd]
    return ((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)).astype(np.uint8)


def _keep_connected(mask: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The components of ``mask`` that overlap ``keep`` (all of it when none does)."""
    n, lab = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    ids = np.unique(lab[(keep > 0) & (mask > 0)])
    ids = ids[ids > 0]
    if len(ids) == 0:
        return mask
    return np.isin(lab, ids).astype(np.uint8)


def _touches_edge(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> float:
    """Share of the box's edge (where it is not the frame's edge) that the mask covers."""
    h, w = mask.shape
    edge = []
    if y0 > 0:
        edge.append(mask[y0, x0:x1])
    if y1 < h:
        edge.append(mask[y1 - 1, x0:x1])
    if x0 > 0:
        edge.append(mask[y0:y1, x0])
    if x1 < w:
        edge.append(mask[y0:y1, x1 - 1])
    if not edge:
        return 0.0
    e = np.concatenate(edge)
    return float(e.mean()) if e.size else 0.0


def _largest_with_neighbours(mask: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The largest component and whatever lies within ``near`` of it (stray islands of
    background the mask picked up elsewhere are dropped)."""
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    big = (lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    zone = cv2.dilate(big, near)
    ids = np.unique(lab[(zone > 0) & (mask > 0)])
    return np.isin(lab, ids[ids > 0]).astype(np.uint8)


def _rect_mask(shape, x0, y0, x1, y1) -> np.ndarray:
    gc = np.full(shape, cv2.GC_BGD, np.uint8)
    gc[y0:y1, x0:x1] = cv2.GC_PR_FGD
    return gc


def edge_contrast(img: np.ndarray, mask: np.ndarray) -> float:
    """Mean colour gradient (grey levels per pixel) along the mask's outline, the frame's
    edge left out: ~0 when the outline runs through flat picture, i.e. it is no object's edge.

    >>> img = np.zeros((40, 40, 3), np.uint8); img[10:30, 10:30] = 200
    >>> m = np.zeros((40, 40), np.uint8); m[10:30, 10:30] = 1
    >>> edge_contrast(img, m) > 50, edge_contrast(np.zeros_like(img), m)
    (True, 0.0)
    """
    m = mask.astype(np.uint8)
    outline = (m - cv2.erode(m, np.ones((3, 3), np.uint8))) > 0
    outline[:2], outline[-2:], outline[:, :2], outline[:, -2:] = False, False, False, False
    if not outline.any():
        return 0.0
    f = img.astype(np.float32)
    g = np.sqrt(cv2.Sobel(f, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(f, cv2.CV_32F, 0, 1) ** 2).max(axis=2) / 4
    # the strongest response near each outline pixel: the mask may sit a pixel off the edge
    return float(cv2.dilate(g, np.ones((3, 3), np.uint8))[outline].mean())


def distinctness(img: np.ndarray, mask: np.ndarray) -> float:
    """How unlike its surroundings the masked region's colours are: the Bhattacharyya
    distance (0 same .. 1 disjoint) between Lab colour histograms of the mask and of a ring
    around it (5% of the frame's short side wide).

    >>> img = np.zeros((60, 60, 3), np.uint8); img[20:40, 20:40] = (220, 40, 30)
    >>> m = np.zeros((60, 60), np.uint8); m[20:40, 20:40] = 1
    >>> distinctness(img, m) > 0.9, distinctness(np.zeros_like(img), m) < 0.01
    (True, True)
    """
    m = mask.astype(np.uint8)
    r = max(4, int(0.05 * min(img.shape[:2])))
    ring = ((cv2.dilate(m, _disk(r)) > 0) & (m == 0)).astype(np.uint8)
    if not m.any() or not ring.any():
        return 1.0
    lab = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2LAB)
    h1, h2 = (cv2.calcHist([lab], [0, 1, 2], x, [8, 8, 8], [0, 256] * 3) for x in (m, ring))
    return float(cv2.compareHist(h1 / h1.sum(), h2 / h2.sum(), cv2.HISTCMP_BHATTACHARYYA))


def initial_mask(img: np.ndarray, prompt: Prompt, frame: int, seed_r: int) -> np.ndarray:
    """0/1 object mask on the prompt's frame, from its box or its clicks (GrabCut); empty
    when the outline found runs through flat picture or the region's colours are those
    around it (the prompt is on empty background)."""
    m = _initial_mask(img, prompt, frame, seed_r)
    if m.any() and (edge_contrast(img, m) < MIN_EDGE_CONTRAST or distinctness(img, m) < MIN_DISTINCT):
        return np.zeros_like(m)
    return m


def _initial_mask(img: np.ndarray, prompt: Prompt, frame: int, seed_r: int) -> np.ndarray:
    h, w = img.shape[:2]
    pos = [c for c in prompt.clicks if c.frame == frame and c.positive]
    if prompt.box is not None and prompt.box_frame == frame:
        x0, y0, x1, y1 = prompt.box
        x0, y0 = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
        x1, y1 = min(w, int(np.ceil(x1)) + 1), min(h, int(np.ceil(y1)) + 1)
        gc = _rect_mask((h, w), x0, y0, x1, y1)
        _seed(gc, prompt, frame, seed_r, img)
        m = _grabcut(img, gc, 5)
        return _keep_connected(m, _seed_mask((h, w), pos, seed_r)) if pos else m
    if not pos:
        return np.zeros((h, w), np.uint8)
    cx, cy = pos[0].x, pos[0].y
    seeds = _seed_mask((h, w), pos, seed_r)
    best = None
    # grow a box around the click until the object found inside stops touching its edge
    for frac in (0.12, 0.18, 0.26, 0.36, 0.5, 0.7, None):
        if frac is None:
            x0, y0, x1, y1 = 1, 1, w - 1, h - 1
        else:
            r = frac * min(h, w)
            x0, y0 = max(0, int(cx - r)), max(0, int(cy - r))
            x1, y1 = min(w, int(cx + r) + 1), min(h, int(cy + r) + 1)
        gc = _rect_mask((h, w), x0, y0, x1, y1)
        _seed(gc, prompt, frame, seed_r, img)
        m = _keep_connected(_grabcut(img, gc, 3), seeds)
        best = m
        # accepted when the object fits inside and is more than the seed (a box inside the
        # object makes GrabCut collapse to the seed, since the rest of the object is outside)
        if frac is None or (_touches_edge(m, x0, y0, x1, y1) < 0.05
                            and m.sum() > max(4 * seeds.sum(), 0.08 * (x1 - x0) * (y1 - y0))):
            break
    # refine once in a box fitted to what was found
    ys, xs = np.nonzero(best)
    if len(xs):
        mx, my = int(0.15 * (xs.max() - xs.min()) + 4), int(0.15 * (ys.max() - ys.min()) + 4)
        gc = np.where(best > 0, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
        outside = np.ones((h, w), bool)
        outside[max(0, ys.min() - my):ys.max() + my + 1, max(0, xs.min() - mx):xs.max() + mx + 1] = False
        gc[outside] = cv2.GC_BGD
        _seed(gc, prompt, frame, seed_r, img)
        best = _keep_connected(_grabcut(img, gc, 2), seeds)
    return best


def _object_model(img: np.ndarray, mask: np.ndarray, inner: np.ndarray) -> Optional[np.ndarray]:
    """GrabCut's colour model of the object (its interior) on the prompt's frame."""
    core = cv2.erode(mask, inner)
    if core.sum() < 50:
        core = mask
    if not core.any() or core.all():
        return None
    gc = np.where(core > 0, cv2.GC_FGD, np.where(mask > 0, cv2.GC_PR_FGD, cv2.GC_BGD)).astype(np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(img, gc, None, bgd, fgd, 0, cv2.GC_INIT_WITH_MASK)
    return fgd


def _seed_mask(shape, pts, r) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    for c in pts:
        cv2.circle(m, (int(round(c.x)), int(round(c.y))), r, 1, -1)
    return m


def _bbox(mask: np.ndarray, margin: int):
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    h, w = mask.shape
    return (max(0, xs.min() - margin), max(0, ys.min() - margin),
            min(w, xs.max() + margin + 1), min(h, ys.max() + margin + 1))


@register
class MattingSegmenter(Segmenter):
    NAME = "matting"
    VERSION = "3"  # 2: local object colour and temporal averaging in the matte; 3: correcting clicks
    PRIORITY = 10
    DESCRIPTION = ("GrabCut from the prompt, DIS-flow propagation re-estimated per frame, alpha against a "
                   "clean plate from other frames, else closed-form matting (CPU)")

    def __init__(self, analysis_width: int = ANALYSIS_WIDTH) -> None:
        self.analysis_width = analysis_width
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)

    @classmethod
    def is_available(cls) -> Availability:
        return missing("pymatting") or AVAILABLE

    # ------------------------------------------------------------------ steps
    def _propagate(self, img: np.ndarray, gray: np.ndarray, prev_gray: np.ndarray, prev: np.ndarray,
                   prompt: Prompt, frame: int, k: dict) -> np.ndarray:
        """The object mask on ``img``: ``prev`` warped by flow, then re-estimated by GrabCut."""
        h, w = gray.shape
        back = self._dis.calc(gray, prev_gray, None)      # where each pixel of this frame was
        fwd = self._dis.calc(prev_gray, gray, None)
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        mx, my = gx + back[..., 0], gy + back[..., 1]
        warped = cv2.remap(prev.astype(np.float32), mx, my, cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0) > 0.5
        # pixels just uncovered (behind a moving object) have no true match in the previous
        # frame: their flow fails the round trip, so they are left for GrabCut to decide
        fwd_at = cv2.remap(fwd, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        unsure = np.linalg.norm(back + fwd_at, axis=2) > k["fb"]
        warped = warped.astype(np.uint8)
        box = _bbox(warped, k["margin"])
        if box is None:
            return warped
        x0, y0, x1, y1 = box
        # only the deep core is held as object: a sliver of background that crept in at the
        # edge is thinner than that, so GrabCut (with the object's colours fixed) can drop it
        dist = cv2.distanceTransform(warped, cv2.DIST_L2, 3)
        sure_fg = ((dist >= 0.5 * dist.max()) & ~unsure).astype(np.uint8)
        maybe = cv2.dilate(warped, k["outer"])
        gc = np.where(warped > 0, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
        gc[unsure & (warped > 0)] = cv2.GC_PR_BGD
        gc[sure_fg > 0] = cv2.GC_FGD
        gc[maybe == 0] = cv2.GC_BGD
        _seed(gc, prompt, frame, k["seed"], img)
        crop = gc[y0:y1, x0:x1].copy()
        m = np.zeros_like(warped)
        m[y0:y1, x0:x1] = _grabcut(np.ascontiguousarray(img[y0:y1, x0:x1]), crop, 1, k.get("fg_model"))
        return _largest_with_neighbours(_keep_connected(m, sure_fg if sure_fg.any() else warped), k["near"])

    def _correct(self, img: np.ndarray, mask: np.ndarray, prompt: Prompt, frame: int, k: dict) -> np.ndarray:
        """The mask on a frame the user clicked again: GrabCut around what was tracked there
        with colour models learnt afresh on this frame (a positive click may add colours the
        anchor's object model lacks), the clicks (and the patches of their colour) as hard seeds."""
        h, w = mask.shape
        pos = [c for c in prompt.clicks if c.frame == frame and c.positive]
        seeds = np.zeros((h, w), np.uint8)
        _seed(seeds, Prompt(tuple(pos)), frame, k["seed"], img)   # 1 = GC_FGD where the positive clicks are
        base = np.maximum(mask, seeds).astype(np.uint8)
        gc = np.where(base > 0, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
        gc[cv2.dilate(base, k["outer"]) == 0] = cv2.GC_BGD
        gc[cv2.erode(mask, k["inner"]) > 0] = cv2.GC_PR_FGD
        _seed(gc, prompt, frame, k["seed"], img)
        box = _bbox(base, 2 * k["margin"])
        if box is None:
            return mask
        x0, y0, x1, y1 = box
        crop = gc[y0:y1, x0:x1].copy()
        m = np.zeros_like(mask)
        m[y0:y1, x0:x1] = _grabcut(np.ascontiguousarray(img[y0:y1, x0:x1]), crop, 3)
        keep = (seeds > 0) | ((cv2.erode(mask, k["inner"]) > 0) & (gc != cv2.GC_BGD))
        return _keep_connected(m, keep.astype(np.uint8)) if keep.any() else m

    def _apply_corrections(self, small, grays, masks, prompt: Prompt, a: int, k: dict) -> None:
        """Clicks on frames other than the anchor correct the tracking: the mask on each such
        frame is re-estimated with them (``_correct``) and carried both ways from there —
        back toward the anchor (or the previous corrected frame) and on to the clip's end —
        with the object's colour model learnt on the corrected frame. Nearer frames first,
        so a farther correction builds on a nearer one."""
        n = len(masks)
        done: list[int] = []
        for c in sorted({q.frame for q in prompt.clicks} - {a}, key=lambda f: (abs(f - a), f)):
            side = 1 if c > a else -1
            masks[c] = self._correct(small[c], masks[c], prompt, c, k)
            kc = dict(k, fg_model=_object_model(small[c], masks[c], k["inner"]))
            stop = max([a] + [q for q in done if (q - a) * side > 0], key=lambda q: abs(q - a))
            for t in range(c - side, stop, -side):
                masks[t] = self._propagate(small[t], grays[t], grays[t + side], masks[t + side], prompt, t, kc)
            for t in range(c + side, n if side > 0 else -1, side):
                masks[t] = self._propagate(small[t], grays[t], grays[t - side], masks[t - side], prompt, t, kc)
            done.append(c)

    def _matte(self, img: np.ndarray, mask: np.ndarray, k: dict) -> np.ndarray:
        """float32 alpha: closed-form matting in a band around the mask's edge."""
        from pymatting import estimate_alpha_cf
        alpha = mask.astype(np.float32)
        box = _bbox(mask, k["band"] + 4)
        if box is None:
            return alpha
        x0, y0, x1, y1 = box
        m = mask[y0:y1, x0:x1]
        tri = np.full(m.shape, 0.5)
        tri[cv2.erode(m, k["band_in"], borderType=cv2.BORDER_REPLICATE) > 0] = 1.0
        tri[cv2.dilate(m, k["band_out"]) == 0] = 0.0
        if not (tri == 0).any() or not (tri == 1).any():
            return alpha
        crop = img[y0:y1, x0:x1].astype(np.float64) / 255.0
        try:
            a = estimate_alpha_cf(crop, tri, laplacian_kwargs={"epsilon": 1e-5}, cg_kwargs={"maxiter": 300})
        except Exception:  # a singular solve on a degenerate band: keep the hard mask
            return alpha
        alpha[y0:y1, x0:x1] = np.clip(a, 0, 1)
        return alpha

    def _with_plate(self, small, masks, grown, steps, t, alpha, k):
        """Where the background behind the object's edge can be seen in other frames,
        alpha measured against it replaces the closed-form estimate. Returns (alpha,
        weight): how much each pixel's value is trusted when frames are averaged."""
        weight = np.full(alpha.shape, CF_WEIGHT, np.float32)
        plate, valid = clean_plate(small, grown, steps, t)
        if not valid.any():
            return alpha, weight
        pa, usable, conf = plate_alpha(small[t], masks[t], plate, valid, k, with_confidence=True)
        if pa is None:
            return alpha, weight
        # GrabCut's mask often takes in part of the hair, so only its deep core is trusted
        sure = cv2.erode(masks[t], k["core"]) > 0
        measured = usable & ~sure
        out = np.where(measured, pa, alpha)
        # specks of misaligned background texture: faint, or not joined to the object
        out[out < 0.1] = 0
        out *= _keep_connected((out > 0).astype(np.uint8), masks[t] if masks[t].any() else out > 0.5)
        weight[measured] = conf[measured]
        weight[sure] = 1.0
        return out, weight

    def track(self, frames: np.ndarray, prompt: Prompt, progress: Progress = no_progress) -> np.ndarray:
        frames = check_frames(frames)
        n, H, W = frames.shape[:3]
        prompt.check(n, H, W)
        cv2.setRNGSeed(0)   # GrabCut seeds its colour models with k-means: same input, same matte
        s = min(1.0, self.analysis_width / W)
        if s < 1.0:
            size = (max(8, int(round(W * s))), max(8, int(round(H * s))))
            small = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames])
            p = prompt.scaled(size[0] / W)
        else:
            small, p = frames, prompt
        h, w = small.shape[1:3]
        k = band_kernels(h, w)
        grays = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in small]
        masks: list = [None] * n
        a = p.anchor()
        masks[a] = initial_mask(small[a], p, a, k["seed"])
        k["fg_model"] = _object_model(small[a], masks[a], k["inner"])
        done = [1]

        def tick():
            done[0] += 1
            progress(0.8 * done[0] / n, "tracking")
        for rng in (range(a + 1, n), range(a - 1, -1, -1)):
            for t in rng:
                prev = t - 1 if t > a else t + 1
                masks[t] = self._propagate(small[t], grays[t], grays[prev], masks[prev], p, t, k)
                tick()
        self._apply_corrections(small, grays, masks, p, a, k)
        steps = background_motion(grays, masks, k["grow"]) if n > 1 else []
        grown = [cv2.dilate(m, k["grow"]) for m in masks] if n > 1 else []
        alphas, weights = [], []
        for t in range(n):
            alpha = self._matte(small[t], masks[t], k)
            weight = np.ones_like(alpha)
            if n > 1:
                alpha, weight = self._with_plate(small, masks, grown, steps, t, alpha, k)
            alphas.append(alpha)
            weights.append(weight)
            progress(0.8 + 0.15 * (t + 1) / n, "matting")
        if n > 1 and SMOOTH_RADIUS > 0:
            moves = object_motion(grays, masks, k["inner"])
            alphas = smooth_along_motion(alphas, weights, moves, SMOOTH_RADIUS, FAR_RADIUS, ENOUGH_WEIGHT)
        out = np.empty((n, H, W), np.uint8)
        for t in range(n):
            alpha = alphas[t]
            if s < 1.0:
                alpha = _upsample(alpha, frames[t])
            out[t] = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)
        progress(1.0, "matting")
        return out


def background_motion(grays: list, masks: list, avoid: np.ndarray) -> list:
    """Per neighbour pair, the 3x3 similarity taking frame t's background to frame t+1's
    (None where it cannot be found): corners away from the object tracked by Lucas-Kanade,
    fitted with RANSAC. ``avoid``: kernel the object's mask is grown by before corners are picked."""
    out = []
    for t in range(len(grays) - 1):
        free = (cv2.dilate(masks[t], avoid) == 0).astype(np.uint8) * 255
        p0 = cv2.goodFeaturesToTrack(grays[t], maxCorners=300, qualityLevel=0.01, minDistance=5, mask=free)
        m = None
        if p0 is not None and len(p0) >= 12:
            p1, ok, _ = cv2.calcOpticalFlowPyrLK(grays[t], grays[t + 1], p0, None, winSize=(15, 15), maxLevel=2)
            ok = ok.ravel() == 1
            if ok.sum() >= 10:
                a, inl = cv2.estimateAffinePartial2D(p0[ok], p1[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0)
                if a is not None and inl is not None and inl.sum() >= max(10, 0.5 * ok.sum()):
                    m = np.vstack([a, [0, 0, 1]])
        out.append(m)
    return out



OFFSETS = (4, 8, 12, 17, 23, 30, 40)


def clean_plate(frames: np.ndarray, grown: list, steps: list, t: int):
    """Frame t's background where the object hides it, from other frames aligned by the
    background's motion, taken where the object (``grown``: its masks, dilated) was
    elsewhere there. Returns (plate, valid): valid where two aligned frames agree, or one
    does with none to contradict it."""
    h, w = frames.shape[1:3]
    plate = np.zeros((h, w, 3), np.float32)
    second = np.zeros((h, w, 3), np.float32)
    got = np.zeros((h, w), np.uint8)
    for d in OFFSETS:
        for s in (t + d, t - d):
            if not 0 <= s < len(frames):
                continue
            m = _chain(steps, t, s)
            if m is None:
                continue
            a = m[:2]
            src = cv2.warpAffine(frames[s], a, (w, h), flags=cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0).astype(np.float32)
            inside = cv2.warpAffine(np.ones((h, w), np.uint8), a, (w, h),
                                    flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0)
            obj = cv2.warpAffine(grown[s], a, (w, h),
                                 flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=1)
            ok = (inside > 0) & (obj == 0)
            first = ok & (got == 0)
            plate[first] = src[first]
            again = ok & (got == 1)
            second[again] = src[again]
            got[first] = 1
            got[again] = 2
        if (got == 2).all():
            break
    diff = np.abs(plate - second).max(axis=2)
    valid = (got == 1) | ((got == 2) & (diff < 24))
    # two that agree: their mean, with half the coding noise of either
    both = (got == 2) & (diff < 24)
    plate[both] = 0.5 * (plate[both] + second[both])
    return plate, valid


def _ycc_weights(chroma: float) -> np.ndarray:
    # RGB -> (Y, Cb, Cr) (BT.601), chroma scaled down; the transform keeps lengths comparable
    m = np.array([[0.299, 0.587, 0.114], [-0.169, -0.331, 0.5], [0.5, -0.419, -0.081]], np.float32)
    m[1:] *= chroma
    return np.ascontiguousarray(m.T) * np.sqrt(3.0)   # a grey step keeps its RGB length


_WEIGHT = _ycc_weights(CHROMA_WEIGHT)
_RGB = np.eye(3, dtype=np.float32)


def plate_alpha(img: np.ndarray, mask: np.ndarray, plate: np.ndarray, valid: np.ndarray, k: dict,
                with_confidence: bool = False):
    """Alpha from a known background: how far each pixel has moved from the background
    colour towards the object's (nearby object colours spread outwards), in a wide band
    around the mask. Returns (alpha, usable) — usable where the plate is valid, in the
    band; (None, None) when the mask has no interior to take the object's colour from.
    ``with_confidence``: a third value, per pixel how well alpha is determined there (0..1,
    low where the object's colour is close to the background's)."""
    f = img.astype(np.float32)
    # the object's own colour from its deep core: the mask's rim often holds hair mixed
    # with background, which would bias every ratio below
    core = cv2.erode(mask, k["core"]).astype(np.float32)
    if core.sum() < 20:
        core = cv2.erode(mask, k["band_in"]).astype(np.float32)
    if core.sum() < 20:
        return (None, None, None) if with_confidence else (None, None)
    sig = k["spread"]
    num = cv2.GaussianBlur(f * core[..., None], (0, 0), sig)
    den = cv2.GaussianBlur(core, (0, 0), sig)
    fg = num / np.maximum(den, 1e-6)[..., None]
    # farther out (hair tips) the nearest core colours are too far for sig: spread wider
    num2 = cv2.GaussianBlur(f * core[..., None], (0, 0), 4 * sig)
    den2 = cv2.GaussianBlur(core, (0, 0), 4 * sig)
    fg = np.where((den < 1e-3)[..., None], num2 / np.maximum(den2, 1e-6)[..., None], fg)
    # the share of the way from the background colour to the object's; the length ratio
    # (not the projection) so a poor guess of the object's colour costs less. Measured
    # mostly in luma (``_WEIGHT``): video keeps colour at half resolution, which smears the
    # colour of one-pixel strands over their neighbours, while luma keeps them sharp
    def ratio(wt):
        fb, diff = (fg - plate) @ wt, (f - plate) @ wt
        moved = np.sqrt((diff * diff).sum(axis=2))
        r = moved / np.maximum(np.sqrt((fb * fb).sum(axis=2)), 40.0)
        return np.clip(np.where(moved < NOISE, 0.0, r), 0, 1)    # coding noise is not coverage
    a = ratio(_WEIGHT)
    # how well alpha is determined here: not at all where the object's colour is the
    # background's (the step from one to the other is what alpha divides)
    step = np.sqrt((((fg - plate) @ _RGB) ** 2).sum(axis=2))
    conf = np.clip(step / CONFIDENT_STEP, 0.02, 1.0) ** 2
    # inside the mask the object's shading strays from its mean colour, which luma feels
    # most: there the plain colour ratio, which saturates sooner, may say more
    a = np.where(mask > 0, np.maximum(a, ratio(_RGB)), a)
    # the object's colour right here: a strand has the colour of its own part of the
    # texture, not the body's mean. Where alpha is clearly up, the compositing equation
    # I = aF + (1 - a)B gives F; spread locally from there (the body's colours beyond)
    # and measure again
    # well inside the mask (no hair there) alpha is not let fall below the first estimate,
    # so shading far from the local colour does not open holes in the body
    inner = cv2.erode(mask, k["solid"]) > 0
    first = a
    for _ in range(REFINE_PASSES):
        sure_a = np.where(a >= 0.5, a * a, 0).astype(np.float32)
        solved = np.clip((f - (1 - a[..., None]) * plate) / np.maximum(a, 0.5)[..., None], 0, 255)
        num = cv2.GaussianBlur(solved * sure_a[..., None], (0, 0), k["local"])
        den = cv2.GaussianBlur(sure_a, (0, 0), k["local"])
        lam = np.clip(den / 0.3, 0, 1)[..., None]
        fg = lam * (num / np.maximum(den, 1e-6)[..., None]) + (1 - lam) * fg
        a = ratio(_WEIGHT)
        a = np.where(inner, np.maximum(a, first), a)
    band = cv2.dilate(mask, k["hair"]) > 0
    usable = valid & band
    if with_confidence:
        return np.clip(a, 0, 1).astype(np.float32), usable, conf.astype(np.float32)
    return np.clip(a, 0, 1).astype(np.float32), usable


def band_kernels(h: int, w: int) -> dict:
    """Pixel sizes of the seeds, search margins and matting band for an ``h`` x ``w``
    analysis frame (tuned at 180 px high, larger in proportion).

    >>> band_kernels(180, 320)["band"], band_kernels(360, 640)["band"]
    (6, 12)
    """
    u = max(1.0, min(h, w) / 180.0)
    return {"seed": max(2, int(3 * u)), "margin": int(16 * u), "inner": _disk(4 * u), "outer": _disk(8 * u),
            "band": int(6 * u), "fb": 1.5 * u, "near": _disk(3 * u), "band_in": _disk(3 * u),
            "band_out": _disk(6 * u), "hair": _disk(22 * u), "grow": _disk(20 * u), "spread": 3.0 * u, "local": 2.0 * u,
            "solid": _disk(8 * u), "core": _disk(12 * u)}


def _upsample(alpha: np.ndarray, guide: np.ndarray) -> np.ndarray:
    """A small matte brought to ``guide``'s size, its edges snapped to the picture's."""
    H, W = guide.shape[:2]
    up = cv2.resize(alpha, (W, H), interpolation=cv2.INTER_LINEAR)
    r = max(2, int(round(W / alpha.shape[1] * 2)))
    return np.clip(cv2.ximgproc.guidedFilter(guide, up, r, 1e-4), 0, 1)

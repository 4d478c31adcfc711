"""``warp``: CPU camera moves as one projective warp per frame and per layer.

A move is a path of poses (content shift, zoom, roll, perspective), eased over the clip.
Each pose becomes a 3x3 homography about the frame centre. Before anything shows, the
whole path is checked for the smallest uniform crop zoom (the *margin*) under which the
frame never looks past the picture's edge, so no black border ever appears; the margin is
constant over the clip so the move does not breathe. Frames are resampled bicubically.

Layers (a still cut into subject and background, or a shot's layer stack) each get the pose
scaled by their depth: the far (bottom) layer moves as the pose says, the near (top) layer by
``1 + parallax`` times as much (shift and log-zoom), so near things slide past far ones.

    >>> import numpy as np
    >>> img = np.random.default_rng(0).integers(0, 255, (90, 160, 3), np.uint8)
    >>> with WarpCamera() as cam:
    ...     cam.move_frames(np.stack([img] * 4), "pan-left", 0.2).shape
    (4, 90, 160, 3)
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import cv2
import numpy as np

from storyloom.engines.base import Progress, no_progress, register
from storyloom.engines.camera.base import EASES, CameraEngine, LayerPicture, check_move
from storyloom.engines.camera.fill import fill_behind
from storyloom.engines.subject import find_subject
from storyloom.errors import BadInput
from storyloom.imaging.alpha import blend_into, premultiply

#: how far (pixels) the view may reach past the picture's edge: none; the last half pixel
#: the bicubic kernel reads beyond it is the edge replicated, never black
EDGE = -1e-6


@dataclass(frozen=True)
class Pose:
    """Where the camera is at one frame, as what it does to the far layer's content:
    shift ``dx, dy`` (pixels, y down), ``zoom`` (content scale), ``roll`` (degrees, positive =
    clockwise on screen, the sign of ``score.py motion``'s rotation), perspective ``gx, gy``
    (1/pixel; ``gx > 0`` shrinks the right side)."""

    dx: float = 0.0
    dy: float = 0.0
    zoom: float = 1.0
    roll: float = 0.0
    gx: float = 0.0
    gy: float = 0.0


def shake_noise(n: int, seed: int, fps: float = 24.0, channels: int = 3) -> np.ndarray:
    """(n, channels) smooth noise, mean 0 and RMS 1 per channel, band-limited to about 3 Hz.

    The same seed gives the same noise.

    >>> a = shake_noise(48, 7)
    >>> bool(np.allclose(a, shake_noise(48, 7))), abs(float(a.mean())) < 1e-9
    (True, True)
    """
    if n < 3:
        return np.zeros((n, channels))
    from scipy.ndimage import gaussian_filter1d
    sigma = max(1.0, fps / 8.0)          # Gaussian low-pass: ~3 Hz at any frame rate
    pad = int(4 * sigma)
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((n + 2 * pad, channels))
    smooth = gaussian_filter1d(white, sigma, axis=0)[pad:pad + n]
    smooth -= smooth.mean(axis=0)
    return smooth / np.maximum(smooth.std(axis=0), 1e-9)


def camera_path(move: str, amount: float, n: int, size: tuple[int, int], ease: str = "ease-in-out",
                seed: int = 0, fps: float = 24.0) -> list[Pose]:
    """The ``n`` poses of a move over a ``size`` = (width, height) frame.

    Shifts and rolls run symmetrically about the middle of the clip (half the travel before,
    half after), which needs the least margin; push-in starts from the picture as it is.

    >>> p = camera_path("pan-left", 0.2, 3, (100, 50), "linear")
    >>> [round(q.dx, 1) for q in p]
    [-10.0, 0.0, 10.0]
    """
    m = check_move(move, amount, ease)
    w, h = size
    a = float(amount)
    poses = []
    noise = shake_noise(n, seed, fps) if m.name == "shake" else None
    for i in range(n):
        u = EASES[ease](i / (n - 1)) if n > 1 else 0.0
        c = u - 0.5
        name = m.name
        if name in ("pan-left", "pan-right"):
            poses.append(Pose(dx=(1 if name == "pan-left" else -1) * a * w * c))
        elif name in ("tilt-up", "tilt-down"):
            poses.append(Pose(dy=(1 if name == "tilt-up" else -1) * a * h * c))
        elif name in ("push-in", "dolly-zoom"):
            poses.append(Pose(zoom=(1 + a) ** u))
        elif name == "pull-out":
            poses.append(Pose(zoom=(1 + a) ** (1 - u)))
        elif name in ("orbit-left", "orbit-right"):
            s = 1 if name == "orbit-left" else -1
            # yaw: the side the camera swings away from recedes (±8% at the edges for 0.2)
            poses.append(Pose(dx=s * a * w * c, gx=s * 1.6 * a * c / w))
        elif name in ("crane-up", "crane-down"):
            s = 1 if name == "crane-up" else -1
            # rising, the camera looks down on the scene a little more: the top recedes
            poses.append(Pose(dy=s * a * h * c, gy=-s * 0.8 * a * c / h))
        elif name in ("roll", "roll-right", "roll-left"):
            s = 1 if name == "roll-left" else -1
            poses.append(Pose(roll=s * a * 45.0 * c))
        elif name == "shake":
            r = a * 0.1 * min(w, h)
            poses.append(Pose(dx=r * noise[i, 0], dy=r * noise[i, 1], roll=a * 1.5 * noise[i, 2]))
        else:  # pragma: no cover - MOVES and this table are kept in step by the tests
            raise BadInput(f"camera move {name!r}: no path defined")
    return poses


def pose_matrix(pose: Pose, size: tuple[int, int], margin: float = 1.0, depth: float = 0.0,
                parallax: float = 0.0, dolly: bool = False) -> np.ndarray:
    """3x3 homography from frame pixels (before the camera) to frame pixels (after).

    ``depth`` in [0, 1] with ``parallax`` scales the shift and the log-zoom by
    ``1 + parallax * depth``; with ``dolly`` the zoom instead fades to none at depth 1.

    >>> pose_matrix(Pose(dx=3), (10, 10))[0, 2]
    3.0
    """
    w, h = size
    cx, cy = (w - 1) / 2, (h - 1) / 2
    f = 1.0 + parallax * depth
    zoom = pose.zoom ** (1.0 - depth if dolly else f)
    th = math.radians(pose.roll)
    c, s = math.cos(th), math.sin(th)
    k = zoom * margin
    rs = np.array([[k * c, -k * s, 0], [k * s, k * c, 0], [0, 0, 1]])
    persp = np.array([[1, 0, 0], [0, 1, 0], [pose.gx, pose.gy, 1]])
    shift = np.array([[1, 0, pose.dx * f], [0, 1, pose.dy * f], [0, 0, 1]])
    to_c = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    from_c = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]])
    return from_c @ shift @ persp @ rs @ to_c


def _corners_inside(mats: Sequence[np.ndarray], size: tuple[int, int]) -> bool:
    w, h = size
    out = np.array([[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [-0.5, h - 0.5, 1], [w - 0.5, h - 0.5, 1]]).T
    for m in mats:
        p = np.linalg.inv(m) @ out
        if np.any(p[2] <= 0):
            return False
        x, y = p[0] / p[2], p[1] / p[2]
        if (x.min() < -0.5 + EDGE or y.min() < -0.5 + EDGE or x.max() > w - 0.5 - EDGE
                or y.max() > h - 0.5 - EDGE):
            return False
    return True


def crop_margin(poses: Sequence[Pose], size: tuple[int, int], depths: Sequence[float] = (0.0,),
                parallax: float = 0.0, dolly: bool = False) -> float:
    """The smallest zoom (>= 1) under which every pose keeps the view inside the picture,
    for a layer at each of ``depths`` (a near layer that reaches the frame's edge moves
    ``1 + parallax`` times as far, so its edge needs more margin).

    >>> round(crop_margin(camera_path("pan-left", 0.2, 9, (320, 180)), (320, 180)), 3)
    1.2
    >>> crane = camera_path("crane-up", 0.2, 9, (320, 180))
    >>> crop_margin(crane, (320, 180), (0.0, 1.0), parallax=2.0) > crop_margin(crane, (320, 180))
    True
    """
    lo, hi = 1.0, 1.0
    mats = lambda k: [pose_matrix(p, size, k, d, parallax, dolly) for p in poses for d in depths]  # noqa: E731
    if _corners_inside(mats(lo), size):
        return lo
    while not _corners_inside(mats(hi), size):
        hi *= 1.5
        if hi > 64:
            raise BadInput("camera move: too large to keep the picture in view")
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _corners_inside(mats(mid), size) else (mid, hi)
    return hi


def _warp(img: np.ndarray, m: np.ndarray, size: tuple[int, int], border: int) -> np.ndarray:
    if abs(m[2, 0]) < 1e-12 and abs(m[2, 1]) < 1e-12:
        return cv2.warpAffine(img, m[:2] / m[2, 2], size, flags=cv2.INTER_CUBIC, borderMode=border,
                              borderValue=(0, 0, 0, 0))
    return cv2.warpPerspective(img, m, size, flags=cv2.INTER_CUBIC, borderMode=border,
                               borderValue=(0, 0, 0, 0))


def _covers(m: np.ndarray, src_shape, size: tuple[int, int]) -> bool:
    """Whether a picture placed by ``m`` covers the whole frame."""
    sh, sw = src_shape[:2]
    w, h = size
    corners = np.array([[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [-0.5, h - 0.5, 1], [w - 0.5, h - 0.5, 1]]).T
    p = np.linalg.inv(m) @ corners
    x, y = p[0] / p[2], p[1] / p[2]
    return bool(x.min() >= -0.5 - 1e-6 and y.min() >= -0.5 - 1e-6 and x.max() <= sw - 0.5 + 1e-6
                and y.max() <= sh - 0.5 + 1e-6)


def edge_depths(layers: Sequence[Optional[LayerPicture]], size: tuple[int, int]) -> list[float]:
    """Depths of the layers that reach the frame's edge (an opaque picture, or one whose
    alpha is set along the border): moving them must never show past their edge. A cut-out
    subject standing on the bottom of the frame counts; one floating inside it does not.

    >>> solid = LayerPicture(np.zeros((8, 10, 3), np.uint8), np.eye(3), 0.0)
    >>> floating = np.zeros((8, 10, 4), np.uint8); floating[3:5, 4:6] = 255
    >>> edge_depths([solid, LayerPicture(floating, np.eye(3), 1.0)], (10, 8))
    [0.0]
    >>> standing = floating.copy(); standing[3:, 4:6] = 255
    >>> edge_depths([solid, LayerPicture(standing, np.eye(3), 1.0)], (10, 8))
    [0.0, 1.0]
    """
    w, h = size
    out = []
    for lp in layers:
        if lp is None or lp.opacity <= 0:
            continue
        if lp.image.shape[2] == 3:
            out.append(float(lp.depth))
            continue
        a = lp.image[..., 3]
        m = lp.matrix
        if not np.allclose(m, np.eye(3)) or a.shape != (h, w):
            a = cv2.warpPerspective(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        border = np.concatenate([a[:2].ravel(), a[-2:].ravel(), a[:, :2].ravel(), a[:, -2:].ravel()])
        if border.size and int(border.max()) > 127:
            out.append(float(lp.depth))
    return sorted(set(out)) or [0.0]


def composite_layers(layers: Sequence[Optional[LayerPicture]], cams: Sequence[np.ndarray],
                     size: tuple[int, int]) -> np.ndarray:
    """Blend layers (bottom first) into one RGB frame, layer i placed by ``cams[i] @ matrix``.

    >>> red = np.zeros((4, 4, 3), np.uint8); red[..., 0] = 200
    >>> composite_layers([LayerPicture(red, np.eye(3))], [np.eye(3)], (4, 4))[1, 1].tolist()
    [200, 0, 0]
    """
    w, h = size
    canvas = np.zeros((h, w, 3), np.uint8)
    for lp, cam in zip(layers, cams):
        if lp is None or lp.opacity <= 0:
            continue
        m = cam @ lp.matrix
        img = lp.image
        if img.shape[2] == 3 and _covers(lp.matrix, img.shape, size):
            # an opaque picture filling the frame: replicate its edge rather than fade it in
            placed = _warp(img, m, (w, h), cv2.BORDER_REPLICATE)
        else:
            if img.shape[2] == 3:
                img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
            placed = _warp(img, m, (w, h), cv2.BORDER_CONSTANT)
            # bicubic overshoot may push premultiplied colour above its alpha: clamp
            placed[..., :3] = np.minimum(placed[..., :3], placed[..., 3:4])
        blend_into(canvas, placed, 0, 0, lp.blend, lp.opacity)
    return canvas


@register
class WarpCamera(CameraEngine):
    NAME = "warp"
    VERSION = "3"   # 2: margin for near layers at the frame edge; 3: diffusion fill behind the subject
    PRIORITY = 10
    DESCRIPTION = ("per-frame homography with an automatic crop margin, bicubic; stills cut into "
                   "subject and filled-in background for parallax (CPU)")

    def move_frames(self, frames: np.ndarray, move: str, amount: float = 0.2, ease: str = "ease-in-out",
                    seed: int = 0, progress: Progress = no_progress, fps: float = 24.0) -> np.ndarray:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
            raise BadInput(f"frames: need uint8 (N, H, W, 3) with N >= 1, got {frames.dtype} {frames.shape}")
        size = (frames.shape[2], frames.shape[1])
        poses = camera_path(move, amount, len(frames), size, ease, seed, fps)
        k = crop_margin(poses, size)
        out = np.empty_like(frames)
        for i, (f, p) in enumerate(zip(frames, poses)):
            out[i] = _warp(f, pose_matrix(p, size, k), size, cv2.BORDER_REPLICATE)
            progress((i + 1) / len(frames), f"camera {move}")
        return out

    def move_layers(self, frames: Iterable[Sequence[Optional[LayerPicture]]], n: int,
                    size: tuple[int, int], move: str, amount: float = 0.2, ease: str = "ease-in-out",
                    seed: int = 0, progress: Progress = no_progress, fps: float = 24.0) -> np.ndarray:
        m = check_move(move, amount, ease)
        if n < 1:
            raise BadInput("camera move: no frames")
        w, h = size
        poses = camera_path(move, amount, n, size, ease, seed, fps)
        dolly = m.name == "dolly-zoom"
        # the margin covers every layer that reaches the frame's edge (judged on the first
        # frame's layers): a near subject cut off by the bottom of the frame slides
        # further than the background, and past its edge there is nothing to show
        frames = iter(frames)
        first = next(frames, None)
        if first is not None:
            frames = itertools.chain([first], frames)
        k = crop_margin(poses, size, edge_depths(first or [], size), m.parallax, dolly)
        out = np.empty((n, h, w, 3), np.uint8)
        i = -1
        for i, layers in enumerate(frames):
            if i >= n:
                raise BadInput(f"camera move: more than the {n} frames announced")
            cams = [pose_matrix(poses[i], size, k, lp.depth if lp else 0.0, m.parallax, dolly) for lp in layers]
            out[i] = composite_layers(layers, cams, size)
            progress((i + 1) / n, f"camera {move}")
        if i != n - 1:
            raise BadInput(f"camera move: {i + 1} frames of layers for {n} frames")
        return out

    def move_still(self, image: np.ndarray, n: int, move: str, amount: float = 0.2,
                   ease: str = "ease-in-out", seed: int = 0, parallax: bool = True,
                   progress: Progress = no_progress, fps: float = 24.0) -> tuple[np.ndarray, dict]:
        m = check_move(move, amount, ease)
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype != np.uint8:
            raise BadInput(f"image: need uint8 (H, W, 3|4), got {image.dtype} {image.shape}")
        if n < 1:
            raise BadInput(f"camera move: {n} frames asked for, need at least 1")
        rgb = np.ascontiguousarray(image[..., :3])
        size = (rgb.shape[1], rgb.shape[0])
        note: dict = {"subject": None, "coverage": 0.0}
        # rolls and shakes move every depth alike: nothing to gain from cutting the subject out
        if parallax and (m.parallax > 0 or m.name == "dolly-zoom"):
            progress(0.0, "finding the subject")
            alpha, how = find_subject(rgb)
            if alpha is not None:
                bg = fill_behind(rgb, alpha)
                a8 = np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)
                fg = premultiply(np.dstack([rgb, a8]))
                note = {"subject": how, "coverage": round(float(alpha.mean()), 4)}
                layers = [LayerPicture(bg, np.eye(3), 0.0), LayerPicture(fg, np.eye(3), 1.0)]
                frames = self.move_layers((layers for _ in range(n)), n, size, move, amount, ease, seed,
                                          progress, fps)
                return frames, note
        frames = self.move_frames(np.broadcast_to(rgb, (n,) + rgb.shape), move, amount, ease, seed,
                                  progress, fps)
        return frames, note

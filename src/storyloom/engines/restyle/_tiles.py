"""Patterns laid on the canvas (``View.coords``), so they move with the picture: jittered
Voronoi cells (mosaic tiles, glass panes), a jittered triangle grid (low-poly facets) and
a halftone dot screen. Every random choice is a hash of the cell, fixed per seed.

    >>> import numpy as np
    >>> ids, border = voronoi(np.zeros((2, 2, 2), np.float32), 10.0, seed=0)
    >>> ids.shape, border.shape
    ((2, 2), (2, 2))
"""
from __future__ import annotations

import math

import numpy as np

from storyloom.engines.restyle._blocks import smoothstep


def _hash(i: np.ndarray, j: np.ndarray, seed: int, salt: int) -> np.ndarray:
    """A deterministic value in [0, 1) per integer cell (i, j)."""
    mixin = (seed * 83492791 + salt * 2654435761) & 0x7FFFFFFF
    h = (i.astype(np.int64) * 73856093) ^ (j.astype(np.int64) * 19349663) ^ mixin
    h = (h ^ (h >> 13)) * 1274126177
    h = h ^ (h >> 16)
    return ((h & 0xFFFF).astype(np.float32)) / 65536.0


def voronoi(coords: np.ndarray, size: float, seed: int, jitter: float = 0.8):
    """Cells of a jittered grid in canvas coordinates: (cell id, distance to the cell border)."""
    q = coords / size
    ci, cj = np.floor(q[..., 0]), np.floor(q[..., 1])
    best = np.full(q.shape[:2], np.inf, np.float32)
    second = np.full(q.shape[:2], np.inf, np.float32)
    ident = np.zeros(q.shape[:2], np.int64)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            i, j = ci + di, cj + dj
            sx = i + 0.5 + (_hash(i, j, seed, 1) - 0.5) * jitter
            sy = j + 0.5 + (_hash(i, j, seed, 2) - 0.5) * jitter
            d = np.sqrt((q[..., 0] - sx) ** 2 + (q[..., 1] - sy) ** 2)
            closer = d < best
            second = np.where(closer, best, np.minimum(second, d))
            ident = np.where(closer, (i.astype(np.int64) + 100000) * 200003 + (j.astype(np.int64) + 100000), ident)
            best = np.where(closer, d, best)
    return ident, (second - best) * size * 0.5


def triangles(coords: np.ndarray, size: float, seed: int, jitter: float = 0.6) -> np.ndarray:
    """Triangle id of every pixel in a jittered triangulated grid on the canvas."""
    q = coords / size
    ci, cj = np.floor(q[..., 0]), np.floor(q[..., 1])

    def vert(i, j):
        return (i + (_hash(i, j, seed, 3) - 0.5) * jitter, j + (_hash(i, j, seed, 4) - 0.5) * jitter)

    def inside(p, a, b, c):
        def cross(o, u, v):
            return (u[0] - o[0]) * (v[1] - o[1]) - (u[1] - o[1]) * (v[0] - o[0])
        d1, d2, d3 = cross(p, a, b), cross(p, b, c), cross(p, c, a)
        neg = (d1 < -1e-6) | (d2 < -1e-6) | (d3 < -1e-6)
        pos = (d1 > 1e-6) | (d2 > 1e-6) | (d3 > 1e-6)
        return ~(neg & pos)

    p = (q[..., 0], q[..., 1])
    ident = np.full(q.shape[:2], -1, np.int64)
    for di in (0, -1, 1):
        for dj in (0, -1, 1):
            i, j = ci + di, cj + dj
            v00, v10, v01, v11 = vert(i, j), vert(i + 1, j), vert(i, j + 1), vert(i + 1, j + 1)
            flip = _hash(i, j, seed, 5) < 0.5
            base = ((i.astype(np.int64) + 100000) * 200003 + (j.astype(np.int64) + 100000)) * 2
            # the quad splits along one diagonal or the other, chosen per cell
            t1a = inside(p, v00, v10, v11) & ~flip | inside(p, v00, v10, v01) & flip
            t2a = inside(p, v00, v11, v01) & ~flip | inside(p, v10, v11, v01) & flip
            ident = np.where((ident < 0) & t1a, base, ident)
            ident = np.where((ident < 0) & t2a, base + 1, ident)
    fallback = ((ci.astype(np.int64) + 100000) * 200003 + (cj.astype(np.int64) + 100000)) * 2
    return np.where(ident < 0, fallback, ident)


def halftone(coverage: np.ndarray, coords: np.ndarray, cell: float, angle_deg: float,
             soft: float = 1.6) -> np.ndarray:
    """Ink (1) / paper (0) of a dot screen on the canvas: dot area follows ``coverage``."""
    a = math.radians(angle_deg)
    x, y = coords[..., 0], coords[..., 1]
    u = (x * math.cos(a) + y * math.sin(a)) / cell
    w = (-x * math.sin(a) + y * math.cos(a)) / cell
    r = np.sqrt((u - np.round(u)) ** 2 + (w - np.round(w)) ** 2)
    radius = np.sqrt(np.clip(coverage, 0, 1) / math.pi) * 1.05
    aa = soft / cell    # soft dot edges: sharp ones alias and shimmer as the picture moves
    return smoothstep(radius + aa, radius - aa, r) * (coverage > 0.02)

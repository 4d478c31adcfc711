"""Camera moves: pan, tilt, push in, pull out, orbit, crane, roll, shake, dolly zoom.

    >>> from storyloom.engines import resolve
    >>> resolve("camera").engine.NAME          # doctest: +SKIP
    'warp'
"""
from storyloom.engines.camera.base import EASES, MOVES, CameraEngine, LayerPicture, Move, check_move, moves_help

__all__ = ["EASES", "MOVES", "CameraEngine", "LayerPicture", "Move", "check_move", "moves_help"]

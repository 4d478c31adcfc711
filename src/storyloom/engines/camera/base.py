"""The ``camera`` capability: virtual camera moves over a clip, a still or a stack of layers.

Moves use the cinematographer's words, named for what the *camera* does (see DESIGN.md §3).
The picture moves the other way: ``pan-left`` turns the camera left, so the content slides
right. Signs match the yardstick's ``score.py motion`` (content motion from one frame to the
next, image y pointing down):

==============  ==========================================================  ===================
move            what the camera does / what the picture does                 score.py motion
==============  ==========================================================  ===================
pan-left        turns left; picture slides right                            dx > 0
pan-right       turns right; picture slides left                            dx < 0
tilt-up         turns up; picture slides down                               dy > 0
tilt-down       turns down; picture slides up                               dy < 0
push-in         moves toward the subject; picture grows                     zoom > 1
pull-out        moves away from the subject; picture shrinks                zoom < 1
orbit-left      circles the subject to the left; picture slides right,      dx > 0
                near layers faster, with a slight yaw perspective
orbit-right     circles the subject to the right; picture slides left       dx < 0
crane-up        rises; picture slides down, near layers much faster         dy > 0
crane-down      sinks; picture slides up, near layers much faster           dy < 0
roll-right      rolls clockwise about the lens axis; picture turns          rotation < 0
(= roll)        counter-clockwise on screen
roll-left       rolls counter-clockwise; picture turns clockwise            rotation > 0
shake           hand-held jitter: smooth band-limited noise, seeded         mean ~ 0
dolly-zoom      moves back while zooming in: the subject (top layer) keeps  background zoom > 1
                its size while what is behind it grows (layers only)
==============  ==========================================================  ===================

``amount`` scales a move: the fraction of the frame the picture travels for pans, tilts,
cranes and orbits (0.2 = a fifth of the width or height), the zoom gained for push-in and
pull-out (0.2 = 1.2x), the roll in units of 45 degrees (0.2 = 9 degrees), the shake's RMS
size in tenths of the frame's short side. ``MOVES[name].max_amount`` bounds it.

    >>> sorted(MOVES)[:3]
    ['crane-down', 'crane-up', 'dolly-zoom']
    >>> check_move("pan-left", 0.2).name
    'pan-left'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable, Optional, Sequence

import numpy as np

from storyloom.engines.base import Engine, Progress, no_progress
from storyloom.errors import BadInput

#: how a move's progress (0..1 over the clip) is paced: the curves keyframes use too
#: (storyloom.model.animation.ease; engines never import the document model)
EASES: dict[str, Callable[[float], float]] = {
    "linear": lambda u: u,
    "ease-in": lambda u: u * u,
    "ease-out": lambda u: 1 - (1 - u) * (1 - u),
    "ease-in-out": lambda u: 0.5 - 0.5 * math.cos(math.pi * u),
}


@dataclass(frozen=True)
class Move:
    """One named move: its one-line description, the largest ``amount`` it accepts and how
    strongly it separates near layers from far ones (extra motion of the top layer)."""

    name: str
    description: str
    max_amount: float
    parallax: float


MOVES: dict[str, Move] = {m.name: m for m in [
    Move("pan-left", "camera turns left: the picture slides right", 1.0, 0.35),
    Move("pan-right", "camera turns right: the picture slides left", 1.0, 0.35),
    Move("tilt-up", "camera turns up: the picture slides down", 1.0, 0.35),
    Move("tilt-down", "camera turns down: the picture slides up", 1.0, 0.35),
    Move("push-in", "camera moves toward the subject: the picture grows", 3.0, 1.0),
    Move("pull-out", "camera moves away from the subject: the picture shrinks", 3.0, 1.0),
    Move("orbit-left", "camera circles the subject to the left: near layers slide right faster, "
                       "with a slight yaw", 1.0, 1.0),
    Move("orbit-right", "camera circles the subject to the right: near layers slide left faster, "
                        "with a slight yaw", 1.0, 1.0),
    Move("crane-up", "camera rises: the picture slides down, near layers much faster", 1.0, 1.0),
    Move("crane-down", "camera sinks: the picture slides up, near layers much faster", 1.0, 1.0),
    Move("roll", "camera rolls clockwise (same as roll-right): the picture turns counter-clockwise",
         2.0, 0.0),
    Move("roll-right", "camera rolls clockwise: the picture turns counter-clockwise", 2.0, 0.0),
    Move("roll-left", "camera rolls counter-clockwise: the picture turns clockwise", 2.0, 0.0),
    Move("shake", "hand-held jitter: smooth seeded noise that averages to no motion", 2.0, 0.0),
    Move("dolly-zoom", "camera moves back while zooming in: the subject keeps its size, the "
                       "background grows (needs layers; a flat picture just zooms)", 1.0, 0.0),
]}


def moves_help() -> str:
    """Every move with its one-line description, one a line.

    >>> moves_help().splitlines()[0].split()[0]
    'pan-left'
    """
    width = max(len(n) for n in MOVES)
    return "\n".join(f"{m.name:<{width}}  {m.description} (amount <= {m.max_amount:g})"
                     for m in MOVES.values())


def check_move(move: str, amount: float, ease: str = "ease-in-out", name=None) -> Move:
    """The ``Move`` named ``move`` after checking ``amount`` and ``ease``; ``BadInput`` otherwise.
    ``name(field)`` says how the caller calls each value (the CLI: ``--move``).

    >>> check_move("push-in", 0.5).max_amount
    3.0
    >>> check_move("pan-left", 2, name=lambda f: "--" + f)
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: --amount 2: must be at most 1 for pan-left
    """
    m = MOVES.get(move)
    if m is None:
        said = f"camera move {move!r}" if name is None else f"{name('move')} {move}"
        raise BadInput(f"{said}: unknown (choose from: {', '.join(MOVES)})")
    if not (0.0 <= float(amount) <= m.max_amount):
        raise BadInput(f"camera move {move}: amount {amount:g} out of range 0..{m.max_amount:g}" if name is None
                       else f"{name('amount')} {amount:g}: must be at most {m.max_amount:g} for {move}")
    if ease not in EASES:
        said = f"camera move {move}: ease {ease!r}" if name is None else f"{name('ease')} {ease!r}"
        raise BadInput(f"{said} unknown (choose from: {', '.join(EASES)})")
    return m


@dataclass
class LayerPicture:
    """One layer's picture at one frame for ``CameraEngine.move_layers``.

    ``image`` is uint8 RGB (opaque) or premultiplied RGBA; ``matrix`` (3x3) places its pixels in
    the frame before the camera acts; ``depth`` is 0 for the farthest layer, 1 for the nearest.
    """

    image: np.ndarray
    matrix: np.ndarray
    depth: float = 0.0
    blend: str = "normal"
    opacity: float = 1.0


class CameraEngine(Engine):
    """Moves a virtual camera over frames (flat) or over layers at different depths (parallax)."""

    CAPABILITY: ClassVar[str] = "camera"

    def move_frames(self, frames: np.ndarray, move: str, amount: float = 0.2, ease: str = "ease-in-out",
                    seed: int = 0, progress: Progress = no_progress, fps: float = 24.0) -> np.ndarray:
        """The camera move over a clip: uint8 (N, H, W, 3) in, the same shape out. ``seed`` and
        ``fps`` shape the shake (the same seed gives the same shake).

        >>> with resolve("camera").engine() as e:             # doctest: +SKIP
        ...     e.move_frames(frames, "pan-left", 0.2).shape
        (48, 180, 320, 3)
        """
        raise NotImplementedError

    def move_still(self, image: np.ndarray, n: int, move: str, amount: float = 0.2,
                   ease: str = "ease-in-out", seed: int = 0, parallax: bool = True,
                   progress: Progress = no_progress, fps: float = 24.0) -> tuple[np.ndarray, dict]:
        """``n`` frames of a move over one picture; with ``parallax`` the subject is cut out,
        the background filled in behind it and the two move as separate layers. Returns the
        frames and a note of what was done (``{"subject": "saliency", "coverage": 0.12}``).

        >>> with resolve("camera").engine() as e:             # doctest: +SKIP
        ...     frames, note = e.move_still(img, 72, "push-in")
        """
        raise NotImplementedError

    def move_layers(self, frames: Iterable[Sequence[Optional[LayerPicture]]], n: int,
                    size: tuple[int, int], move: str, amount: float = 0.2, ease: str = "ease-in-out",
                    seed: int = 0, progress: Progress = no_progress, fps: float = 24.0) -> np.ndarray:
        """Composite ``n`` frames of layers (an iterable of per-frame lists, bottom first, None
        for a hidden layer) under a camera move, near layers moving more than far ones.
        ``size`` is (width, height) of the frame.

        >>> with resolve("camera").engine() as e:             # doctest: +SKIP
        ...     e.move_layers(per_frame_layers, 48, (320, 180), "orbit-left").shape
        (48, 180, 320, 3)
        """
        raise NotImplementedError

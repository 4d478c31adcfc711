"""``storyloom camera IMAGE_OR_VIDEO --move MOVE [--amount A] [--seconds S] -o OUT.mp4``:
move a virtual camera over a video, or make a still move (with parallax between its subject
and the background behind it). ``storyloom camera --list`` names the moves.

    $ storyloom camera photo.jpg --move push-in --seconds 3 -o photo.mp4
    wrote photo.mp4: 72 frames at 24 fps, push-in 0.2 (warp, subject by saliency, 1.2 s)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app, check_memory
from storyloom.cli.files import convert, option_names
from storyloom.errors import BadInput

#: stills are scaled down to this long side first (the clip is made in memory)
MAX_STILL_SIDE = 1920
_MOVE_NAMES = ("pan-left, pan-right, tilt-up, tilt-down, push-in, pull-out, orbit-left, orbit-right, "
               "crane-up, crane-down, roll, roll-left, roll-right, shake, dolly-zoom")


@app.command()
def camera(source: Optional[Path] = typer.Argument(None, help="a still image or a video", show_default=False),
           move: Optional[str] = typer.Option(None, "--move", help=f"one of: {_MOVE_NAMES} (see --list)"),
           amount: float = typer.Option(0.2, "--amount", help="how far: fraction of the frame travelled, "
                                                              "zoom gained, 45-degree units of roll"),
           seconds: Optional[float] = typer.Option(None, "--seconds",
                                                   help="length of the clip made from a still (default 3)"),
           fps: Optional[float] = typer.Option(None, "--fps", help="frame rate of the clip made from a still "
                                                                   "(default 24)"),
           ease: str = typer.Option("ease-in-out", "--ease", help="linear, ease-in, ease-out or ease-in-out"),
           seed: int = typer.Option(0, "--seed", help="seed of the shake (same seed, same shake)"),
           parallax: bool = typer.Option(True, "--parallax/--no-parallax",
                                         help="stills: cut out the subject and move it apart from the "
                                              "background"),
           crf: int = CRF_OPTION,
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="video to write (.mp4, .webm, .mov)"),
           list_moves: bool = typer.Option(False, "--list", help="list the moves and exit"),
           engine: Optional[str] = typer.Option(None, "--engine", help="camera engine (see `storyloom engines`)")):
    """Move a virtual camera (pan, tilt, push in, orbit, crane, roll, shake, ...) over a video or a still.

    A still becomes a clip of --seconds at --fps (scaled down to 1920 px on its long side when
    larger); with --parallax its subject is cut out and moves apart from the background.
    """
    from storyloom.engines.camera import MOVES, moves_help
    from storyloom.model import CameraMove
    from storyloom.render.steps import validate_operation
    if list_moves:
        typer.echo(moves_help())
        return
    if source is None:
        raise BadInput("camera: give a still or a video (or --list)")
    if move is None:
        raise BadInput(f"camera: give --move (choose from: {', '.join(MOVES)})")
    if output is None:
        raise BadInput("camera: give -o OUT.mp4")
    if move in MOVES and amount <= 0:   # a file command that moves nothing is a mistake
        raise BadInput(f"--amount {amount:g}: must be above 0 and at most {MOVES[move].max_amount:g} for {move}")
    validate_operation(CameraMove.model_construct(move=move, amount=amount, ease=ease, seed=seed, engine=engine),
                       option_names)
    if seconds is not None and seconds <= 0:
        raise BadInput(f"--seconds {seconds:g}: must be above 0")
    if fps is not None and not 0 < fps <= 240:
        raise BadInput(f"--fps {fps:g}: must be above 0 and at most 240")
    run = convert(source, output, "camera", engine, kinds=("image", "video"))
    with run.choice.engine() as eng:
        if run.info.kind == "image":
            rate = fps or 24.0
            frames, note = _move_still(eng, source, rate, seconds, move, amount, ease, seed, parallax)
            how = f", subject by {note['subject']}" if note.get("subject") else ""
        else:
            if seconds is not None or fps is not None:
                raise BadInput(f"{source}: --seconds and --fps are for stills; a video keeps its own length and rate")
            rate = float(run.info.fps or 24.0)
            check_memory(source, run.info.frames, run.info.width, run.info.height, 3.5, "move the camera over it")
            import numpy as np
            clip = [f[..., :3] for f in run.frames()]
            if not clip:
                raise BadInput(f"{source}: no frames")
            frames = eng.move_frames(np.stack(clip), move, amount, ease, seed, fps=rate)
            how = ""
    n = run.write(frames, rate, keep_audio=run.info.kind == "video", crf=crf)
    run.done(f"{n} frames at {rate:g} fps, {move} {amount:g}", how)


def _move_still(eng, source: Path, rate: float, seconds: Optional[float], move: str, amount: float, ease: str,
                seed: int, parallax: bool):
    """A still made into a moving clip: (frames, note from the engine)."""
    import cv2
    import numpy as np
    from storyloom.media import read_image
    length = 3.0 if seconds is None else seconds
    n = max(2, int(round(length * rate)))
    if n > 240 * 60:
        raise BadInput(f"--seconds {length:g}: at most {240 * 60 / rate:g} s at {rate:g} fps")
    img = read_image(source, alpha=False)
    long_side = max(img.shape[:2])
    if long_side > MAX_STILL_SIDE:
        # every frame is held in memory: a camera photo becomes an HD clip, not a 12 MP one
        k = MAX_STILL_SIDE / long_side
        img = cv2.resize(img, (round(img.shape[1] * k), round(img.shape[0] * k)), interpolation=cv2.INTER_AREA)
    # H.264 4:2:0 wants even sides: drop an odd last row or column
    img = np.ascontiguousarray(img[:img.shape[0] // 2 * 2, :img.shape[1] // 2 * 2])
    if min(img.shape[:2]) < 16:
        raise BadInput(f"{source}: {img.shape[1]}x{img.shape[0]} is too small (16 px at least)")
    return eng.move_still(img, n, move, amount, ease, seed, parallax, fps=rate)

"""``storyloom camera IMAGE_OR_VIDEO --move MOVE [--amount A] [--seconds S] -o OUT.mp4``:
move a virtual camera over a video, or make a still move (with parallax between its subject
and the background behind it). ``storyloom camera --list`` names the moves.

    $ storyloom camera photo.jpg --move push-in --seconds 3 -o photo.mp4
    wrote photo.mp4: 72 frames at 24 fps, push-in 0.2 (warp, subject by saliency, 1.2 s)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app, check_memory, check_video_output
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
    from storyloom.engines.camera import MOVES, check_move, moves_help
    if list_moves:
        typer.echo(moves_help())
        return
    if source is None:
        raise BadInput("camera: give a still or a video (or --list)")
    if move is None:
        raise BadInput(f"camera: give --move (choose from: {', '.join(MOVES)})")
    if output is None:
        raise BadInput("camera: give -o OUT.mp4")
    if move not in MOVES:
        raise BadInput(f"--move {move}: unknown (choose from: {', '.join(MOVES)})")
    if not 0 < amount <= MOVES[move].max_amount:
        raise BadInput(f"--amount {amount:g}: must be above 0 and at most {MOVES[move].max_amount:g} for {move}")
    check_move(move, amount, ease)
    if seconds is not None and seconds <= 0:
        raise BadInput(f"--seconds {seconds:g}: must be above 0")
    if fps is not None and not 0 < fps <= 240:
        raise BadInput(f"--fps {fps:g}: must be above 0 and at most 240")
    if not source.exists():
        raise BadInput(f"{source}: no such file")
    check_video_output(output)

    import cv2
    import numpy as np
    from storyloom.engines import resolve
    from storyloom.media import probe, read_audio, read_frames, read_image, write_video
    info = probe(source)
    choice = resolve("camera", engine)
    t0 = time.time()
    audio = None
    with choice.engine() as eng:
        if info.kind == "image":
            rate = fps or 24.0
            length = 3.0 if seconds is None else seconds
            n = max(2, int(round(length * rate)))
            if n > 240 * 60:
                raise BadInput(f"--seconds {length:g}: at most {240 * 60 / rate:g} s at {rate:g} fps")
            img = read_image(source, alpha=False)
            long_side = max(img.shape[:2])
            if long_side > MAX_STILL_SIDE:
                # every frame is held in memory: a camera photo becomes an HD clip, not a 12 MP one
                k = MAX_STILL_SIDE / long_side
                img = cv2.resize(img, (round(img.shape[1] * k), round(img.shape[0] * k)),
                                 interpolation=cv2.INTER_AREA)
            # H.264 4:2:0 wants even sides: drop an odd last row or column
            img = np.ascontiguousarray(img[:img.shape[0] // 2 * 2, :img.shape[1] // 2 * 2])
            if min(img.shape[:2]) < 16:
                raise BadInput(f"{source}: {img.shape[1]}x{img.shape[0]} is too small (16 px at least)")
            frames, note = eng.move_still(img, n, move, amount, ease, seed, parallax, fps=rate)
            how = f", subject by {note['subject']}" if note.get("subject") else ""
        elif info.kind == "video":
            if seconds is not None or fps is not None:
                raise BadInput(f"{source}: --seconds and --fps are for stills; a video keeps its own length and rate")
            rate = float(info.fps or 24.0)
            check_memory(source, info.frames, info.width, info.height, 3.5, "move the camera over it")
            frames = read_frames(source)
            if not frames:
                raise BadInput(f"{source}: no frames")
            frames = eng.move_frames(np.stack([f[..., :3] for f in frames]), move, amount, ease, seed, fps=rate)
            a = read_audio(source) if info.has_audio else None
            audio = a if a is not None and a.size else None
            how = ""
        else:
            raise BadInput(f"{source}: not a picture or a video ({info.kind})")
    write_video(output, frames, fps=rate, audio=audio, crf=crf)
    typer.echo(f"wrote {output}: {len(frames)} frames at {rate:g} fps, {move} {amount:g} "
               f"({choice.engine.NAME}{how}, {time.time() - t0:.1f} s)")

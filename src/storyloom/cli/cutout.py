"""``storyloom cutout VIDEO (--point X,Y ... | --box X0,Y0,X1,Y1) [--click X,Y,FRAME,+|- ...]
[--negative X,Y ...] [--frame N] [--engine NAME] -o OUT``: track one object from a click or
a box and write it with its matte as alpha — OUT is a folder (RGBA PNGs), ``.webm`` (VP9
alpha) or ``.mov`` (ProRes 4444). A still picture works too (one frame).

    $ storyloom cutout clip.mp4 --point 135,92 -o cat.webm
    wrote cat.webm: 61 frames, object on 4.6% of frame 0 (matting, 3.1 s)
    $ storyloom cutout clip.mp4 --point 135,92 --click 200,40,30,- -o cat.webm   # not that, on frame 30
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from storyloom.cli.app import app, parse_numbers, progress_bar
from storyloom.errors import BadInput

CLICK_FORM = "X,Y[,FRAME][,+|-]"


def parse_click(text: str, frame: int) -> tuple[int, float, float, bool]:
    """``"X,Y[,FRAME][,+|-]"`` → (frame, x, y, positive): a correcting click on any frame
    (``frame`` when none is given), ``+`` (the default) on a part of the object, ``-`` on
    something that is not the object.

    >>> parse_click("12,34,5,-", 0), parse_click("12,34", 3)
    ((5, 12.0, 34.0, False), (3, 12.0, 34.0, True))
    """
    parts = [p.strip() for p in str(text).split(",")]
    positive = True
    if parts and parts[-1] in ("+", "-", "pos", "neg"):
        positive = parts.pop() in ("+", "pos")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        x, y = float(parts[0]), float(parts[1])
        f = int(parts[2]) if len(parts) == 3 else frame
    except ValueError:
        raise BadInput(f"--click {text}: need {CLICK_FORM} (pixels; the frame counted from 0; "
                       f"+ on the object, - on what is not)") from None
    if f < 0:
        raise BadInput(f"--click {text}: frame {f}: frames are counted from 0")
    return f, x, y, positive


@app.command(epilog="Examples:  storyloom cutout clip.mp4 --point 135,92 -o cat.webm   |   "
                    "storyloom cutout clip.mp4 --box 96,53,177,118 --frame 10 -o cat/   |   "
                    "storyloom cutout clip.mp4 --point 135,92 --click 180,60,30,- --click 120,140,45,+ -o cat.mov")
def cutout(video: Path = typer.Argument(..., help="the video (or picture: one frame) to cut an object out of",
                                        show_default=False),
           output: Path = typer.Option(..., "-o", "--output",
                                       help="a new folder (RGBA PNGs), .webm (VP9 alpha) or .mov (ProRes 4444)"),
           point: Optional[List[str]] = typer.Option(None, "--point",
                                                     help="X,Y on the object, on --frame (repeatable)"),
           box: Optional[str] = typer.Option(None, "--box", help="X0,Y0,X1,Y1 around the object, on --frame"),
           click: Optional[List[str]] = typer.Option(
               None, "--click", help=f"{CLICK_FORM}: a correcting click on any frame (default --frame): "
                                     "+ adds a part the cutout missed, - removes what it wrongly took "
                                     "(repeatable)"),
           negative: Optional[List[str]] = typer.Option(None, "--negative",
                                                        help="X,Y that is NOT the object, on --frame (repeatable)"),
           frame: int = typer.Option(0, "--frame", help="the frame --point, --box and --negative are on (0 = first)"),
           engine: Optional[str] = typer.Option(None, "--engine", help="segment engine (see `storyloom engines`)")):
    """Cut one object out of a video as alpha: click it (or box it) on one frame and it is
    tracked forwards and backwards through the whole clip, hair and soft edges as partial
    alpha. Where the result is wrong on some frame, add --click X,Y,FRAME,- on what it
    wrongly took and --click X,Y,FRAME,+ on a part it missed."""
    import numpy as np
    from storyloom.engines.cutout import Prompt, track
    from storyloom.engines.cutout.foreground import foreground_colour
    from storyloom.media import check_alpha_output, check_output_folder, probe, read_frames, write_alpha
    if frame < 0:
        raise BadInput(f"--frame {frame}: frames are counted from 0")
    clicks = [(frame, *parse_numbers(p, 2, "--point"), True) for p in point or []]
    clicks += [(frame, *parse_numbers(p, 2, "--negative"), False) for p in negative or []]
    clicks += [parse_click(c, frame) for c in click or []]
    bx = parse_numbers(box, 4, "--box") if box is not None else None
    if not any(c[3] for c in clicks) and bx is None:
        raise BadInput("cutout: give --point X,Y or --box X0,Y0,X1,Y1 on the object (or a positive --click)")
    check_alpha_output(output)
    if output.exists() and (output.is_file() or any(output.iterdir())):
        raise BadInput(f"{output}: already exists and is not an empty folder")
    check_output_folder(output)
    prompt = Prompt.make(clicks, bx, frame)
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    info = probe(video)
    if info.kind == "audio":
        raise BadInput(f"{video}: has no picture to cut out of")
    # check the prompt against the picture's size and length before decoding it all
    try:
        prompt.check(max(1, info.frames) if info.frames else max(prompt.frames()) + 1, info.height, info.width)
    except BadInput as e:
        raise BadInput(f"{video}: {e}" if info.kind != "image" else f"{video}: {e} (a picture is one frame, 0)") from None
    frames = np.stack([f[..., :3] for f in read_frames(video)])
    t0 = time.time()
    try:
        if sys.stdout.isatty():   # a bar for a person watching; a script's output stays plain
            with progress_bar(transient=True) as bar:
                task = bar.add_task("cutout", total=1.0)
                alpha, choice = track(frames, prompt, engine, progress=lambda f, m="": bar.update(
                    task, completed=f, description=m or "cutout"))
        else:
            alpha, choice = track(frames, prompt, engine)
    except BadInput as e:
        raise BadInput(f"{video}: {e}") from None
    # hair and soft edges in the object's own colour, not mixed with the old background
    rgba = np.concatenate([foreground_colour(frames, alpha), alpha[..., None]], axis=3)
    write_alpha(output, rgba, fps=float(info.fps or 24.0))
    cover = float((alpha[prompt.anchor()] >= 128).mean())
    typer.echo(f"wrote {output}: {len(frames)} frame{'s' if len(frames) != 1 else ''}, object on "
               f"{100 * cover:.1f}% of frame {prompt.anchor()} ({choice.engine.NAME}, {time.time() - t0:.1f} s)")

"""``storyloom cutout VIDEO (--point X,Y ... | --box X0,Y0,X1,Y1) [--negative X,Y ...]
[--frame N] [--engine NAME] -o OUT``: track one object from a click or a box and write
it with its matte as alpha — OUT is a folder (RGBA PNGs), ``.webm`` (VP9 alpha) or
``.mov`` (ProRes 4444). A still picture works too (one frame).

    $ storyloom cutout clip.mp4 --point 135,92 -o cat.webm
    wrote cat.webm: 61 frames, object on 4.6% of frame 0 (matting, 3.1 s)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from storyloom.cli.app import app, parse_numbers
from storyloom.errors import BadInput



@app.command()
def cutout(video: Path = typer.Argument(..., help="the video (or picture) to cut an object out of",
                                        show_default=False),
           output: Path = typer.Option(..., "-o", "--output", help="folder of RGBA PNGs, .webm or .mov"),
           point: Optional[List[str]] = typer.Option(None, "--point", help="X,Y on the object (repeatable)"),
           negative: Optional[List[str]] = typer.Option(None, "--negative",
                                                        help="X,Y that is NOT the object (repeatable)"),
           box: Optional[str] = typer.Option(None, "--box", help="X0,Y0,X1,Y1 around the object"),
           frame: int = typer.Option(0, "--frame", help="the frame the points and box are on"),
           engine: Optional[str] = typer.Option(None, "--engine", help="segment engine (see `storyloom engines`)")):
    """Cut one object out of a video as alpha, tracked from a click or a box."""
    import numpy as np
    from storyloom.engines.cutout import Prompt, track
    from storyloom.media import probe, read_frames, write_alpha
    if not point and box is None:
        raise BadInput("cutout: give --point X,Y or --box X0,Y0,X1,Y1")
    if output.suffix and output.suffix.lower() not in (".webm", ".mov"):
        raise BadInput(f"{output.name}: layers with alpha go to a folder, .webm or .mov")
    if output.exists() and (output.is_file() or any(output.iterdir())):
        raise BadInput(f"{output}: already exists and is not an empty folder")
    if frame < 0:
        raise BadInput(f"--frame {frame}: frames are counted from 0")
    clicks = [(frame, *parse_numbers(p, 2, "--point"), True) for p in point or []]
    clicks += [(frame, *parse_numbers(p, 2, "--negative"), False) for p in negative or []]
    prompt = Prompt.make(clicks, parse_numbers(box, 4, "--box") if box is not None else None, frame)
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    info = probe(video)
    if info.kind == "audio":
        raise BadInput(f"{video.name}: has no picture to cut out of")
    # check the prompt against the picture's size and length before decoding it all
    prompt.check(max(1, info.frames) if info.frames else frame + 1, info.height, info.width)
    frames = np.stack([f[..., :3] for f in read_frames(video)])
    t0 = time.time()
    alpha, choice = track(frames, prompt, engine)
    rgba = np.concatenate([frames, alpha[..., None]], axis=3)
    write_alpha(output, rgba, fps=float(info.fps or 24.0))
    cover = float((alpha[prompt.anchor()] >= 128).mean())
    typer.echo(f"wrote {output}: {len(frames)} frame{'s' if len(frames) != 1 else ''}, object on "
               f"{100 * cover:.1f}% of frame {prompt.anchor()} ({choice.engine.NAME}, {time.time() - t0:.1f} s)")

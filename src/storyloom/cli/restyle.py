"""``storyloom restyle VIDEO --style NAME [--strength S] -o OUT.mp4`` and ``storyloom styles``.

    $ storyloom styles
    impressionist     Monet-like broken colour in short directional brush dabs
    ...
    $ storyloom restyle clip.mp4 --style ukiyo-e -o print.mp4
    wrote print.mp4: 48 frames in ukiyo-e (cpu-styles, 3.1 s)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app, check_memory, check_video_output
from storyloom.errors import BadInput


@app.command()
def styles():
    """List the named styles for `storyloom restyle` (name, then what it looks like)."""
    from storyloom.engines.restyle.catalogue import STYLES
    width = max(len(n) for n in STYLES) + 2
    for info in STYLES.values():
        typer.echo(f"{info.name:<{width}}{info.description}")


@app.command()
def restyle(video: Path = typer.Argument(..., help="the video to restyle", show_default=False),
            style: str = typer.Option(..., "--style", help="a style name (see `storyloom styles`)"),
            output: Path = typer.Option(..., "-o", "--output", help="video to write"),
            strength: float = typer.Option(1.0, "--strength", help="0 keeps the original, 1 is the full style"),
            seed: int = typer.Option(0, "--seed", help="seed for the style's textures"),
            crf: int = CRF_OPTION,
            engine: Optional[str] = typer.Option(None, "--engine", help="restyle engine (see `storyloom engines`)")):
    """Change the look of a video to a named style, without flicker, keeping its sound."""
    import numpy as np
    from storyloom.engines import resolve
    from storyloom.engines.restyle import check_strength, get_style
    from storyloom.media import probe, read_audio, read_frames, require_video, write_video
    info_style = get_style(style)
    strength = check_strength(strength)
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    check_video_output(output)
    info = probe(video)
    require_video(info, video)
    # input list, its stacked copy, the output (and float work per frame): all held at once
    check_memory(video, info.frames, info.width, info.height, 3.5, "restyle it")
    frames = read_frames(video)
    if not frames:
        raise BadInput(f"{video}: has no video frames")
    audio = read_audio(video) if info.has_audio else None
    choice = resolve("restyle", engine)
    t0 = time.time()
    with choice.engine() as eng:
        out = eng.restyle(np.stack([f[..., :3] for f in frames]), info_style.name, strength, seed=seed)
    write_video(output, out, fps=float(info.fps or 24), audio=audio if audio is not None and audio.size else None,
                crf=crf)
    typer.echo(f"wrote {output}: {len(out)} frames in {info_style.name} "
               f"({choice.engine.NAME}, {time.time() - t0:.1f} s)")

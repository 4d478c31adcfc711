"""``storyloom restyle VIDEO --style NAME [--strength S] -o OUT.mp4`` and ``storyloom styles``.

    $ storyloom styles
    impressionist     Monet-like broken colour in short directional brush dabs
    ...
    $ storyloom restyle clip.mp4 --style ukiyo-e -o print.mp4
    wrote print.mp4: 48 frames in ukiyo-e (cpu-styles, 3.1 s)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app
from storyloom.cli.files import convert, option_names, with_progress
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
    from storyloom.engines.restyle import get_style
    from storyloom.engines.restyle.base import sample_indices
    from storyloom.media import frames_by_index
    from storyloom.model import Restyle
    from storyloom.render.steps import validate_operation
    validate_operation(Restyle.model_construct(style=style, strength=strength, engine=engine), option_names)
    name = get_style(style).name
    run = convert(video, output, "restyle", engine, kinds=("video", "image"))
    # the clip's look (palettes, thresholds) comes from a few frames spread over it; then the
    # frames stream from the decoder through the style into the encoder, a few at a time
    picked = frames_by_index(video, sample_indices(run.info.frames), info=run.info)
    if not picked:
        raise BadInput(f"{video}: has no video frames")
    sample = np.stack([picked[k][..., :3] for k in sorted(picked)])
    with run.choice.engine() as eng:
        count = with_progress(f"restyle ({name})", lambda progress: run.write(eng.restyle_stream(
            run.frames(), name, sample, float(strength), seed=seed, progress=progress, total=run.info.frames),
            crf=crf))
    run.done(f"{count} frames in {name}")

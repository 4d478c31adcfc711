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

from storyloom.cli.app import CRF_OPTION, app, check_video_output, progress_bar
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
    from storyloom.media import probe, read_audio, require_video, write_video
    info_style = get_style(style)
    strength = check_strength(strength)
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    check_video_output(output)
    info = probe(video)
    require_video(info, video)
    from storyloom.engines.restyle.base import sample_indices
    from storyloom.media import frames_by_index, iter_frames
    # the clip's look (palettes, thresholds) comes from a few frames spread over it; then the
    # frames stream from the decoder through the style into the encoder, a few at a time
    picked = frames_by_index(video, sample_indices(info.frames), info=info)
    if not picked:
        raise BadInput(f"{video}: has no video frames")
    sample = np.stack([picked[k][..., :3] for k in sorted(picked)])
    audio = read_audio(video) if info.has_audio else None
    choice = resolve("restyle", engine)
    t0 = time.time()
    count = [0]

    def counted(frames):
        for f in frames:
            count[0] += 1
            yield f
    with choice.engine() as eng, progress_bar(transient=True) as bar:
        task = bar.add_task(f"restyle ({info_style.name})", total=1.0)
        out = eng.restyle_stream(iter_frames(video, info=info), info_style.name, sample, strength, seed=seed,
                                 progress=lambda f, m="": bar.update(task, completed=f), total=info.frames)
        write_video(output, counted(out), fps=float(info.fps or 24),
                    audio=audio if audio is not None and audio.size else None, crf=crf)
    typer.echo(f"wrote {output}: {count[0]} frames in {info_style.name} "
               f"({choice.engine.NAME}, {time.time() - t0:.1f} s)")

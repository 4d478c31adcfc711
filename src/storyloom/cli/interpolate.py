"""``storyloom interpolate VIDEO (--factor 2|4 | --fps N) -o OUT.mp4 [--engine NAME]``:
raise a video's frame rate with in-between frames, keeping its sound.

    $ storyloom interpolate clip.mp4 --factor 2 -o clip48.mp4
    wrote clip48.mp4: 97 frames at 48 fps (flow, 49 frames in 3.1 s)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app
from storyloom.errors import BadInput


@app.command()
def interpolate(video: Path = typer.Argument(..., help="the video to interpolate", show_default=False),
                output: Path = typer.Option(..., "-o", "--output", help="video to write"),
                factor: Optional[int] = typer.Option(None, "--factor", help="frames per source frame, 2..8"),
                fps: Optional[float] = typer.Option(None, "--fps", help="target frame rate (a whole multiple, 2..8x)"),
                crf: int = CRF_OPTION,
                engine: Optional[str] = typer.Option(None, "--engine",
                                                     help="interpolate engine (see `storyloom engines`)")):
    """Raise the frame rate with motion-compensated in-between frames."""
    import numpy as np
    from storyloom.engines import resolve
    from storyloom.media import probe, read_audio, read_frames, write_video
    if (factor is None) == (fps is None):
        raise BadInput("interpolate: give exactly one of --factor and --fps")
    if factor is not None and not 2 <= factor <= 8:
        raise BadInput(f"--factor {factor}: must be 2..8")
    info = probe(video)   # BadInput ("no such file", not media) for unusable input
    src_fps = float(info.fps or 0)
    if fps is not None:
        if fps <= 0 or src_fps <= 0:
            raise BadInput(f"--fps {fps:g}: needs a positive rate and a source rate")
        factor = int(round(fps / src_fps))
        if not 2 <= factor <= 8:
            raise BadInput(f"--fps {fps:g}: {fps / src_fps:.2f}x the source's {src_fps:g} fps, must be 2..8x")
    frames = read_frames(video)
    if len(frames) < 2:
        raise BadInput(f"{video}: needs at least 2 frames, has {len(frames)}")
    audio = read_audio(video)
    choice = resolve("interpolate", engine)
    t0 = time.time()
    with choice.engine() as eng:
        out = eng.interpolate(np.stack([f[..., :3] for f in frames]), factor)
    write_video(output, out, fps=src_fps * factor, audio=audio if audio.size else None, crf=crf)
    typer.echo(f"wrote {output}: {len(out)} frames at {src_fps * factor:g} fps "
               f"({choice.engine.NAME}, {len(frames)} frames in {time.time() - t0:.1f} s)")

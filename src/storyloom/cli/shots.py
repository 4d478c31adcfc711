"""``storyloom shots VIDEO -o shots.json [--engine NAME]``: find the shots of a video.

    $ storyloom shots film.mp4 -o shots.json
    wrote shots.json: 12 shots, 11 transitions (histogram, 565 frames in 1.6 s)
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import app, progress_bar
from storyloom.errors import BadInput


@app.command()
def shots(video: Path = typer.Argument(..., help="the video to split into shots", show_default=False),
          output: Path = typer.Option(..., "-o", "--output", help="shots.json to write"),
          engine: Optional[str] = typer.Option(None, "--engine",
                                               help="shot engine (see `storyloom engines`); default: the best available")):
    """Find shots and transitions (cut, dissolve, fade, wipe) and write shots.json."""
    from storyloom.engines import resolve
    from storyloom.media import check_output_folder, write_json
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    choice = resolve("shots", engine)
    t0 = time.time()
    with progress_bar(transient=True) as bar:
        task = bar.add_task(f"shots ({choice.engine.NAME})", total=1.0)
        with choice.engine() as det:
            result = det.detect(video, progress=lambda f, m="": bar.update(task, completed=f))
    check_output_folder(output)
    write_json(output, result.to_json())
    typer.echo(f"wrote {output}: {len(result.shots)} shots, {len(result.transitions)} transitions "
               f"({choice.engine.NAME}, {result.frames} frames in {time.time() - t0:.1f} s)")

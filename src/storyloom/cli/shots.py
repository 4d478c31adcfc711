"""``storyloom shots VIDEO -o shots.json [--engine NAME]``: find the shots of a video.

    $ storyloom shots film.mp4 -o shots.json
    wrote shots.json: 12 shots, 11 transitions (histogram, 565 frames in 1.6 s)
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import app, check_output_folder, progress_bar
from storyloom.errors import BadInput


def write_json_atomic(path: Path, data: dict) -> Path:
    """Write ``data`` as JSON beside ``path`` then rename it into place, so a reader
    never sees half a file.

    >>> write_json_atomic(Path("shots.json"), {"fps": 24.0})   # doctest: +SKIP
    PosixPath('shots.json')
    """
    path = Path(path)
    check_output_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@app.command()
def shots(video: Path = typer.Argument(..., help="the video to split into shots", show_default=False),
          output: Path = typer.Option(..., "-o", "--output", help="shots.json to write"),
          engine: Optional[str] = typer.Option(None, "--engine",
                                               help="shot engine (see `storyloom engines`); default: the best available")):
    """Find shots and transitions (cut, dissolve, fade, wipe) and write shots.json."""
    from storyloom.engines import resolve
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    choice = resolve("shots", engine)
    t0 = time.time()
    with progress_bar(transient=True) as bar:
        task = bar.add_task(f"shots ({choice.engine.NAME})", total=1.0)
        with choice.engine() as det:
            result = det.detect(video, progress=lambda f, m="": bar.update(task, completed=f))
    write_json_atomic(output, result.to_json())
    typer.echo(f"wrote {output}: {len(result.shots)} shots, {len(result.transitions)} transitions "
               f"({choice.engine.NAME}, {result.frames} frames in {time.time() - t0:.1f} s)")

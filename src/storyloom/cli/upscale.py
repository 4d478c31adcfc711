"""``storyloom upscale VIDEO --scale 2|4 -o OUT.mp4``: make a video (or a still) larger.

    $ storyloom upscale clip.mp4 --scale 2 -o clip_2x.mp4
    wrote clip_2x.mp4: 48 frames at 640x360 (edge, 1.9 s)
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app, check_output_folder, check_video_output, progress_bar
from storyloom.errors import BadInput


def _write_png_atomic(path: Path, rgb) -> None:
    """PNG beside ``path`` then renamed into place, so no half-written file is left."""
    import cv2
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        if not cv2.imwrite(tmp, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
            raise BadInput(f"{path}: could not write the PNG")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def upscale(video: Path = typer.Argument(..., help="the video (or image, with -o X.png) to upscale", show_default=False),
            output: Path = typer.Option(..., "-o", "--output", help="video to write (.png for a still)"),
            scale: int = typer.Option(2, "--scale", help="2 or 4"),
            denoise: float = typer.Option(0.0, "--denoise", help="0..1, applied before upscaling"),
            sharpen: float = typer.Option(0.0, "--sharpen", help="0..1 unsharp masking after"),
            crf: int = CRF_OPTION,
            engine: Optional[str] = typer.Option(None, "--engine",
                                                 help="upscale engine (see `storyloom engines`); default: the best available")):
    """Upscale a video x2 or x4, keeping its audio."""
    import numpy as np
    from storyloom.engines import resolve
    from storyloom.engines.upscale import check_size
    from storyloom.media import iter_frames, probe, read_audio, read_image, write_video
    if scale not in (2, 4):
        raise BadInput(f"--scale {scale}: must be 2 or 4")
    for name, v in (("--denoise", denoise), ("--sharpen", sharpen)):
        if not 0.0 <= v <= 1.0:
            raise BadInput(f"{name} {v}: must be between 0 and 1")
    if not video.exists():
        raise BadInput(f"{video}: no such file")
    check_output_folder(output)
    info = probe(video)   # BadInput for files that are not media
    still_out = output.suffix.lower() == ".png"
    if info.kind == "audio":
        raise BadInput(f"{video}: has no picture to upscale")
    if info.kind == "image" and not still_out:
        raise BadInput(f"{video}: is a still image; write it with -o NAME.png")
    if info.kind == "video" and still_out:
        raise BadInput(f"{output}: a video upscales to a video file (.mp4), not a PNG")
    if info.kind == "video":
        check_video_output(output)
    check_size(info.width, info.height, scale, "--scale")
    choice = resolve("upscale", engine)
    ow, oh = choice.engine.check_output(info.width, info.height, scale, "--scale")
    t0 = time.time()
    with choice.engine() as eng:
        if info.kind == "image":
            big = eng.upscale(np.ascontiguousarray(read_image(video)[None, ..., :3]), scale, denoise, sharpen)
            _write_png_atomic(output, big[0])
            count = 1
        else:
            # frames stream from the decoder through the engine into the encoder: a few
            # frames in memory whatever the video's length or size (a whole 4K clip x2
            # held at once needs tens of GB)
            audio = read_audio(video) if info.has_audio else None
            written = [0]

            def counted(frames):
                for f in frames:
                    written[0] += 1
                    yield f
            with progress_bar(transient=True) as bar:
                task = bar.add_task(f"upscale x{scale} ({choice.engine.NAME})", total=1.0)
                out = eng.upscale_stream(iter_frames(video, info=info), scale, denoise, sharpen,
                                         progress=lambda f, m="": bar.update(task, completed=f),
                                         total=info.frames or None)
                write_video(output, counted(out), fps=info.fps, crf=crf,
                            audio=audio if audio is not None and audio.size else None)
            count = written[0]
    typer.echo(f"wrote {output}: {count} frame(s) at {ow}x{oh} "
               f"({choice.engine.NAME}, {time.time() - t0:.1f} s)")

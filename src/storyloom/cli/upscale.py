"""``storyloom upscale VIDEO --scale 2|4 -o OUT.mp4``: make a video (or a still) larger.

    $ storyloom upscale clip.mp4 --scale 2 -o clip_2x.mp4
    wrote clip_2x.mp4: 48 frames at 640x360 (edge, 1.9 s)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app
from storyloom.cli.files import convert, option_names, with_progress
from storyloom.errors import BadInput


def _check_output(path: Path) -> None:
    """A still upscales to a PNG, a video to a video file."""
    from storyloom.media import check_output_folder, check_video_output
    (check_output_folder if path.suffix.lower() == ".png" else check_video_output)(path)


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
    from storyloom.engines.upscale import check_size
    from storyloom.media import read_image, write_image
    from storyloom.model import Upscale
    from storyloom.render.steps import validate_operation
    # the operation's own rule (storyloom.render.steps.upscale), in the options' words
    validate_operation(Upscale.model_construct(scale=scale, denoise=denoise, sharpen=sharpen, engine=engine),
                       option_names)
    run = convert(video, output, "upscale", engine, kinds=("video", "image"), check_output=_check_output)
    info, still_out = run.info, output.suffix.lower() == ".png"
    if info.kind == "image" and not still_out:
        raise BadInput(f"{video}: is a still image; write it with -o NAME.png")
    if info.kind == "video" and still_out:
        raise BadInput(f"{output}: a video upscales to a video file (.mp4), not a PNG")
    check_size(info.width, info.height, scale, "--scale")
    ow, oh = run.choice.engine.check_output(info.width, info.height, scale, "--scale")
    with run.choice.engine() as eng:
        if info.kind == "image":
            big = eng.upscale(np.ascontiguousarray(read_image(video)[None, ..., :3]), scale, denoise, sharpen)
            write_image(output, big[0])
            count = 1
        else:
            # frames stream from the decoder through the engine into the encoder: a few
            # frames in memory whatever the video's length or size (a whole 4K clip x2
            # held at once needs tens of GB)
            count = with_progress(f"upscale x{scale} ({run.choice.engine.NAME})", lambda progress: run.write(
                eng.upscale_stream(run.frames(), scale, denoise, sharpen, progress=progress,
                                   total=info.frames or None), crf=crf))
    run.done(f"{count} frame(s) at {ow}x{oh}")

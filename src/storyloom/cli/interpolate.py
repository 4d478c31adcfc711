"""``storyloom interpolate VIDEO (--factor 2..8 | --fps N) -o OUT.mp4 [--engine NAME]``:
raise a video's frame rate with in-between frames, keeping its sound.

``--fps`` takes any rate above the source's, up to 8x (24 -> 60, 25 -> 30): output frame k
shows time k / N, made from the two source frames around it at the right fraction.

    $ storyloom interpolate clip.mp4 --factor 2 -o clip48.mp4
    wrote clip48.mp4: 97 frames at 48 fps (flow, from 49 frames, 3.1 s)
    $ storyloom interpolate clip.mp4 --fps 60 -o clip60.mp4
    wrote clip60.mp4: 121 frames at 60 fps (flow, from 49 frames, 3.9 s)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import CRF_OPTION, app
from storyloom.cli.files import Conversion, convert, option_names
from storyloom.errors import BadInput

#: x264's presets, fastest first
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")


def target_ratio(factor: Optional[int], fps: Optional[float], src_fps: float) -> tuple[float, float]:
    """(ratio to the source rate, output rate) for ``--factor`` or ``--fps``; BadInput with
    one line when the request is unusable (the operation's own rule, in the options' words).

    >>> target_ratio(None, 60, 24)
    (2.5, 60.0)
    """
    from storyloom.model import Interpolate
    from storyloom.render.steps.interpolate import rate_ratio
    if (factor is None) == (fps is None):
        raise BadInput("interpolate: give exactly one of --factor and --fps")
    ratio = rate_ratio(Interpolate.model_construct(factor=factor, fps=fps, engine=None), src_fps, option_names,
                       rise=True)
    if fps is not None:
        return ratio, float(fps)
    if src_fps <= 0:
        raise BadInput(f"--factor {factor}: the source has no frame rate")
    return ratio, src_fps * factor


@app.command()
def interpolate(video: Path = typer.Argument(..., help="the video to interpolate", show_default=False),
                output: Path = typer.Option(..., "-o", "--output", help="video to write"),
                factor: Optional[int] = typer.Option(None, "--factor", help="frames per source frame, 2..8"),
                fps: Optional[float] = typer.Option(None, "--fps",
                                                    help="target frame rate, above the source's and up to 8x"),
                crf: int = CRF_OPTION,
                # medium, as ffmpeg's libx264: at CRF 10 veryfast loses 0.3-0.9 dB of the in-betweens
                # more than medium (its macroblock tree spends little on frames nothing refers to,
                # and in-betweens are such frames), 1.8 dB on a 10 s clip against medium's 0.9
                preset: str = typer.Option("medium", "--preset",
                                           help="H.264 speed preset (ultrafast … veryslow): slower packs more "
                                                "quality into the same size"),
                engine: Optional[str] = typer.Option(None, "--engine",
                                                     help="interpolate engine (see `storyloom engines`)")):
    """Raise the frame rate with motion-compensated in-between frames."""
    if (factor is None) == (fps is None) or (factor is not None and not 2 <= factor <= 8):
        target_ratio(factor, fps, 1.0)   # the request alone is wrong: say so before opening files
    if preset not in X264_PRESETS:
        raise BadInput(f"--preset {preset}: choose from {', '.join(X264_PRESETS)}")
    from storyloom.engines.interpolate import video as yuv
    run = convert(video, output, "interpolate", engine)
    if run.info.frames and run.info.frames < 2:
        raise BadInput(f"{video}: needs at least 2 frames, has {run.info.frames}")
    ratio, out_fps = target_ratio(factor, fps, float(run.info.fps or 0))
    # whole factors keep the documented rule across a cut (hold the earlier frame);
    # any other rate holds whichever source frame is nearer in time
    hold = "earlier" if factor is not None else "nearer"
    with run.choice.engine() as eng:
        if hasattr(eng, "resample_planes") and yuv.supports(run.info, output):
            n, written = yuv.interpolate_file(eng, video, output, ratio, out_fps, crf=crf, hold=hold,
                                              preset=preset)
        else:
            n, written = _through_rgb(run, eng, factor, ratio, out_fps, crf, hold, preset)
    run.done(f"{written} frames at {out_fps:g} fps", f", from {n} frames")


def _through_rgb(run: Conversion, eng, factor, ratio, out_fps, crf, hold, preset) -> tuple[int, int]:
    """Any engine, any container: RGB frames through storyloom.media."""
    import numpy as np
    from storyloom.engines.interpolate.base import plan
    frames = [f[..., :3] for f in run.frames()]
    if len(frames) < 2:
        raise BadInput(f"{run.source}: needs at least 2 frames, has {len(frames)}")
    frames = np.stack(frames)
    if factor is not None:
        out = eng.interpolate(frames, factor)
    elif hasattr(eng, "resample"):
        out = eng.resample(frames, plan(len(frames), ratio), hold=hold)
    else:
        raise BadInput(f"--fps {out_fps:g}: engine {eng.NAME} makes whole multiples only; use --factor")
    return len(frames), run.write(out, out_fps, crf=crf, preset=preset)

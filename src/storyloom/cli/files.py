"""The file-in/file-out commands' shared steps (``camera``, ``cutout``, ``interpolate``,
``restyle``, ``upscale``): check the source and the output before any work, pick the engine,
stream frames into the output with the source's sound, say what was written.

    >>> run = convert(video, output, "restyle", engine)               # doctest: +SKIP
    >>> with run.choice.engine() as eng:                               # doctest: +SKIP
    ...     n = run.write(eng.restyle_stream(run.frames(), "ukiyo-e", sample), crf=18)
    >>> run.done(f"{n} frames in ukiyo-e")                             # doctest: +SKIP
    wrote out.mp4: 48 frames in ukiyo-e (cpu-styles, 3.1 s)

Media and engines are imported when a command runs, never when its module loads, so
``storyloom X --help`` stays instant (tests/cli/test_lazy_commands.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import typer

from storyloom.errors import BadInput


@dataclass
class Conversion:
    """One run of a file-in/file-out command: its source (probed), output, engine choice."""

    source: Path
    output: Path
    info: Any            # storyloom.media.MediaInfo
    choice: Any          # storyloom.engines.Choice
    started: float = field(default_factory=time.monotonic)

    def frames(self):
        """The source's frames, decoded one at a time (RGB)."""
        from storyloom.media import iter_frames
        return iter_frames(self.source, info=self.info)

    def audio(self):
        """The source's sound (float32 (channels, n)), or None when it has none."""
        from storyloom.media import read_audio
        audio = read_audio(self.source) if self.info.has_audio else None
        return audio if audio is not None and audio.size else None

    def write(self, frames: Iterable, fps: Optional[float] = None, keep_audio: bool = True, **kw) -> int:
        """Write ``frames`` (an iterable: streamed) to the output at ``fps`` (the source's when
        None) with the source's sound; keywords (crf, preset) go to the writer. The frames written."""
        from storyloom.media import write_video
        count = [0]

        def counted(it):
            for f in it:
                count[0] += 1
                yield f
        write_video(self.output, counted(frames), fps=float(fps or self.info.fps or 24.0),
                    audio=self.audio() if keep_audio else None, **kw)
        return count[0]

    def done(self, what: str, note: str = "") -> None:
        """Say ``wrote OUT: what (engine<note>, seconds)``."""
        typer.echo(f"wrote {self.output}: {what} ({self.choice.engine.NAME}{note}, "
                   f"{time.monotonic() - self.started:.1f} s)")


def convert(source: Path, output: Path, capability: str, engine: Optional[str] = None,
            kinds: Sequence[str] = ("video",), check_output: Optional[Callable[[Path], None]] = None) -> Conversion:
    """Check ``source`` (it exists and is media of one of ``kinds``) and ``output``
    (``check_output``; default: a video file Storyloom writes, in a folder that exists)
    before any work, and pick ``capability``'s engine (``engine`` if named).

    >>> convert(Path("missing.mp4"), Path("out.mp4"), "restyle")
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: missing.mp4: no such file
    """
    from storyloom.engines import resolve
    from storyloom.media import check_video_output, probe
    if not source.exists():
        raise BadInput(f"{source}: no such file")
    (check_output or check_video_output)(output)
    info = probe(source)
    if info.kind not in kinds:
        what = {"audio": "has no picture", "image": "is a still picture, not a video"}.get(info.kind, info.kind)
        raise BadInput(f"{source}: {what}")
    return Conversion(source, output, info, resolve(capability, engine))


def with_progress(title: str, work: Callable[[Callable[[float, str], None]], Any]) -> Any:
    """Run ``work(progress)`` under a progress bar (shown on a terminal only); its result.

    >>> with_progress("restyle", lambda progress: 42)       # doctest: +SKIP
    42
    """
    from storyloom.cli.app import progress_bar
    with progress_bar(transient=True) as bar:
        task = bar.add_task(title, total=1.0)
        return work(lambda f, m="": bar.update(task, completed=f, description=m or title))


def option_names(field: str) -> str:
    """How a command's option names an operation's field, for messages (``--scale``)."""
    return "--" + field.replace("_", "-")

"""The ``script`` capability: script text in, a storyboard (scenes, shots, cast) out."""
from __future__ import annotations

from typing import ClassVar, Optional

from storyloom.engines.base import Engine, Progress, no_progress


class ScriptEngine(Engine):
    """Turns a script into a ``storyloom.script.Storyboard`` (plain drafts of scenes and shots).

    >>> from storyloom.engines import resolve
    >>> with resolve("script").engine() as eng:
    ...     sb = eng.storyboard("EXT. ROOF - NIGHT\\n\\nStars.", "roof.fountain")
    >>> [s.title for s in sb.scenes]
    ['EXT. ROOF - NIGHT']
    """

    CAPABILITY: ClassVar[str] = "script"

    def storyboard(self, text: str, filename: str = "script.fountain", known_cast: Optional[list[str]] = None,
                   progress: Progress = no_progress):
        raise NotImplementedError

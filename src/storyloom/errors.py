"""Errors a user can act on.

Every error that reaches a user carries one line naming the file (or thing) and what is
wrong. The CLI prints it and exits 2; the API answers 4xx.
"""
from __future__ import annotations


class StoryloomError(Exception):
    """Base class for errors Storyloom reports to users."""

    exit_code = 1


class BadInput(StoryloomError):
    """Input the user gave cannot be used (exit code 2, HTTP 400/422).

    >>> str(BadInput("clip.mp4: no video stream"))
    'clip.mp4: no video stream'
    """

    exit_code = 2


class NotFound(BadInput):
    """A named project, scene, shot, layer or asset does not exist (HTTP 404)."""


class StaleRevision(StoryloomError):
    """A save was based on a revision that is no longer the newest (HTTP 409)."""

    exit_code = 2


class EngineUnavailable(StoryloomError):
    """An engine cannot run here; the message says why (missing package, no weights)."""

    exit_code = 2


def one_line(text, limit: int = 400) -> str:
    """A message as one line a user can read: line breaks folded, long ones cut.

    >>> one_line("ffmpeg failed:\\n  bad header\\n")
    'ffmpeg failed: bad header'
    """
    out = " ".join(str(text).split())
    return out if len(out) <= limit else out[:limit - 1].rstrip() + "…"

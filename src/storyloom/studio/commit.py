"""Service functions and how they are saved: a service function takes the document (and
the library, for media), makes one edit and returns an ``Edit`` saying what it did; its
caller saves the document as one revision with that summary (``commit``).

    >>> def rename(doc):
    ...     doc.title = "Trip"
    ...     return Edit("rename project to 'Trip'")
    >>> doc, revision, edit = commit(lib, project_id, rename)         # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from storyloom.errors import StaleRevision
from storyloom.model import Project


@dataclass
class Edit:
    """What one service function did: the one-line ``summary`` its revision gets (as history,
    undo and redo say it), the id of what it ``created`` (if anything), and any other
    ``result`` its caller answers with."""

    summary: str
    created: Optional[str] = None
    result: Any = None


#: a service call bound to its arguments: ``change(doc) -> Edit``
Change = Callable[[Project], Edit]


def commit(lib, project_id: str, change: Change, base_revision: Optional[int] = None,
           before_save: Optional[Callable[[], None]] = None) -> tuple[Project, int, Edit]:
    """Run ``change`` on the head document of ``project_id`` and save it as one revision:
    (the document, its revision number, the ``Edit``). ``base_revision``: the head the
    caller saw (``StaleRevision`` when it moved on, before anything runs); ``before_save``
    runs last before saving (a job reports "saving" there: a cancel still saves nothing).
    ``StaleRevision`` too when someone else saved in between.

    >>> doc, revision, edit = commit(lib, pid, lambda doc: board.add_scene(doc, "Arrival"))   # doctest: +SKIP
    """
    doc, head = lib.load(project_id)
    if base_revision is not None and head != base_revision:
        raise StaleRevision(f"project {doc.title}: your edit is based on revision {base_revision} but the "
                            f"project is at revision {head}; reload and try again")
    edit = change(doc)
    if before_save is not None:
        before_save()
    return doc, lib.save(doc, head, edit.summary), edit


def patch(obj, values: Mapping[str, Any], said: Mapping[str, Callable[[Any], str]]) -> list[str]:
    """Set each of ``values`` on ``obj`` that is given (not None) and differs from what
    ``obj`` holds, in order; ``said[key](new value)`` phrases each change (called before the
    value is set, so it can name the old one). Returns the phrases, for the edit's summary.

    >>> from storyloom.model import Scene
    >>> s = Scene(title="A")
    >>> patch(s, {"title": "B", "description": None}, {"title": lambda v: f"rename {s.title!r} to {v!r}"})
    ["rename 'A' to 'B'"]
    """
    out = []
    for key, value in values.items():
        if value is not None and value != getattr(obj, key):
            out.append(said[key](value))
            setattr(obj, key, value)
    return out

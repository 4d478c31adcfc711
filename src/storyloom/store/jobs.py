"""Jobs: long work (a render, an import, a layer tool) recorded in the library with its
state, progress, message and result, so every door can follow it; and the one recorder
that keeps a job's row in step with the work it follows.

    >>> jid = lib.create_job("render", project.id, {"out": "film.mp4"})      # doctest: +SKIP
    >>> with recording(lib, jid) as job:                                     # doctest: +SKIP
    ...     result = render_project(lib, project, "film.mp4", progress=job.report)
    ...     job.done({"frames": result.frames}, "rendered")
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Iterator, Optional

from storyloom.errors import BadInput, NotFound, StoryloomError, one_line
from storyloom.progress import Progress
from storyloom.store.db import now_iso

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
TERMINAL = ("done", "failed", "cancelled")


class Cancelled(Exception):
    """Raised inside a job's progress report once the job was asked to stop."""


@dataclass
class JobInfo:
    """A long-running job (render, engine run): state, progress 0..1, message, result."""

    id: str
    kind: str
    project_id: Optional[str]
    params: dict
    state: str
    progress: float
    message: str
    result: Optional[dict]
    created: str
    updated: str


class Jobs:
    """The library's job table (a part of ``Library``)."""

    def create_job(self, kind: str, project_id: Optional[str] = None, params: Optional[dict] = None) -> str:
        """Record a queued job; returns its id.

        >>> jid = lib.create_job("render", project.id, {"out": "film.mp4"})   # doctest: +SKIP
        """
        jid = uuid.uuid4().hex[:12]
        t = now_iso()
        with self._write() as con:
            con.execute("INSERT INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (jid, kind, project_id, json.dumps(params or {}), "queued", 0.0, "", None, t, t))
        return jid

    def update_job(self, job_id: str, progress: Optional[float] = None, message: Optional[str] = None,
                   state: Optional[str] = None, result: Optional[dict] = None) -> JobInfo:
        """Change a job's progress (0..1), message, state and/or result; unchanged fields stay.

        >>> lib.update_job(jid, progress=0.5, message="frame 12/24", state="running")  # doctest: +SKIP
        """
        if state is not None and state not in JOB_STATES:
            raise BadInput(f"job {job_id}: unknown state {state!r} (one of {', '.join(JOB_STATES)})")
        sets, args = ["updated=?"], [now_iso()]
        if progress is not None:
            sets.append("progress=?")
            args.append(max(0.0, min(1.0, float(progress))))
        if message is not None:
            sets.append("message=?")
            args.append(message)
        if state is not None:
            sets.append("state=?")
            args.append(state)
        if result is not None:
            sets.append("result=?")
            args.append(json.dumps(result))
        with self._write() as con:
            cur = con.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE id=?", (*args, job_id))
            if cur.rowcount == 0:
                raise NotFound(f"job {job_id}: no such job")
        return self.job(job_id)

    @staticmethod
    def _job_info(r: sqlite3.Row) -> JobInfo:
        return JobInfo(r["id"], r["kind"], r["project_id"], json.loads(r["params"]), r["state"],
                       r["progress"], r["message"], json.loads(r["result"]) if r["result"] else None,
                       r["created"], r["updated"])

    def job(self, job_id: str) -> JobInfo:
        """One job by id (NotFound if unknown)."""
        r = self._con().execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if r is None:
            raise NotFound(f"job {job_id}: no such job")
        return self._job_info(r)

    def record(self, kind: str, project_id: Optional[str] = None, params: Optional[dict] = None,
               **kw) -> "contextlib.AbstractContextManager[JobRecord]":
        """A new job of ``kind`` recording the work in a ``with`` block (see ``recording``).

        >>> with lib.record("import", project.id, {"path": "a.mp4"}, progress=bar) as job:  # doctest: +SKIP
        ...     shots = import_media(job.report)
        """
        return recording(self, self.create_job(kind, project_id, params), **kw)

    def jobs(self, project_id: Optional[str] = None) -> list[JobInfo]:
        """Jobs, newest first; only one project's when ``project_id`` is given."""
        if project_id is None:
            rows = self._con().execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC").fetchall()
        else:
            rows = self._con().execute("SELECT * FROM jobs WHERE project_id=? ORDER BY created DESC, rowid DESC",
                                       (project_id,)).fetchall()
        return [self._job_info(r) for r in rows]


class JobRecord:
    """One job row following one piece of work: ``report`` is the work's progress callback."""

    def __init__(self, lib, job_id: str, progress: Optional[Progress] = None,
                 cancel: Optional[threading.Event] = None, min_interval: float = 0.5, message: str = ""):
        self.lib, self.id, self.progress, self.cancel = lib, job_id, progress, cancel
        self.min_interval, self.message = min_interval, message
        self.finished = False
        self._last = 0.0

    def report(self, fraction: float, message: str = "") -> None:
        """Pass progress on (to ``progress`` and, throttled, to the job row); raises
        ``Cancelled`` once ``cancel`` is set, so the work stops at its next report."""
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()
        if self.progress is not None:
            self.progress(fraction, message)
        now = time.monotonic()
        if now - self._last >= self.min_interval or fraction >= 1.0:
            self._last = now
            self.lib.update_job(self.id, progress=min(float(fraction), 0.999), state="running",
                                message=one_line(message or self.message))

    def done(self, result: Optional[dict] = None, message: str = "done") -> None:
        """The work finished: state done, progress 1, its ``result``."""
        self.finished = True
        self.lib.update_job(self.id, progress=1.0, state="done", message=message, result=result or {})


@contextlib.contextmanager
def recording(lib, job_id: str, **kw) -> Iterator[JobRecord]:
    """Keep job ``job_id``'s row in step with the work in the ``with`` block: running from
    its first progress report (``job.report``), then how it ended: done (``job.done(result)``,
    or plainly done), cancelled (``Cancelled`` or Ctrl-C) or failed with the error's one
    line. The error goes on up. Keywords go to ``JobRecord``.

    >>> with recording(lib, jid, progress=print) as job:     # doctest: +SKIP
    ...     job.done({"shots": 3})
    """
    job = JobRecord(lib, job_id, **kw)
    try:
        yield job
    except (Cancelled, KeyboardInterrupt) as e:
        lib.update_job(job_id, state="cancelled", message=one_line(e) if isinstance(e, Cancelled) and str(e)
                       else "cancelled")
        raise
    except StoryloomError as e:
        lib.update_job(job_id, state="failed", message=one_line(e))
        raise
    except BaseException as e:
        lib.update_job(job_id, state="failed", message=one_line(f"internal error: {type(e).__name__}: {e}"))
        raise
    if not job.finished:
        job.done()

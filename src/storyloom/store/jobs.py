"""Jobs: long work (a render, an import, a layer tool) recorded in the library with its
state, progress, message, result, the process running it and the work each attempt did,
so every door can follow it, cancel it (from any process) and resume it; and the one
recorder that keeps a job's row in step with the work it follows.

A job is ``queued``, ``running``, then ``done``, ``failed``, ``cancelled`` or
``interrupted``: its process stopped without saying how it ended (killed, a power cut,
Ctrl-C). A job left running by a process that is gone reads as interrupted: every read
of the table looks at the running ones' processes (``owner``: host, pid, start time).

    >>> jid = lib.create_job("render", project.id, {"out": "film.mp4"})      # doctest: +SKIP
    >>> with recording(lib, jid) as job:                                     # doctest: +SKIP
    ...     result = render_project(lib, project, "film.mp4", progress=job.report)
    ...     job.done({"frames": result.frames}, "rendered")
"""
from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Iterator, Optional

from storyloom.errors import BadInput, NotFound, StoryloomError, one_line
from storyloom.progress import Progress
from storyloom.store.db import now_iso

JOB_STATES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
#: states of a job that is no longer running (``interrupted`` may be resumed later)
TERMINAL = ("done", "failed", "cancelled", "interrupted")
#: states a job may be resumed from (the same command again, ``storyloom resume``, the studio)
RESUMABLE = ("failed", "cancelled", "interrupted")
ACTIVE = ("queued", "running")


class Cancelled(Exception):
    """Raised inside a job's progress report once the job was asked to stop."""


class Interrupted(Cancelled):
    """Raised inside a job's progress report when its process is stopping (a server shut
    down): the job ends interrupted, to be resumed."""


def _started(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), '' where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def this_process() -> str:
    """This process, as a job's ``owner`` names it: ``host:pid:start``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def process_alive(owner: Optional[str]) -> bool:
    """Whether the process ``owner`` names still runs. A process on another host cannot be
    looked at: it is taken as running. A pid reused by a new process (its start time
    differs) is not the owner.

    >>> process_alive(this_process()), process_alive(None)
    (True, False)
    """
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return not start or _started(int(pid)) in ("", start)


@dataclass
class JobInfo:
    """A long-running job (render, engine run): state, progress 0..1, message, result; the
    process running it, the work each attempt did, whether a cancel was asked."""

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
    owner: Optional[str] = None
    work: list = field(default_factory=list)
    cancel: bool = False
    attempts: int = 0

    @property
    def resumable(self) -> bool:
        """It ended without finishing and may be resumed."""
        return self.state in RESUMABLE


class Jobs:
    """The library's job table (a part of ``Library``)."""

    def create_job(self, kind: str, project_id: Optional[str] = None, params: Optional[dict] = None) -> str:
        """Record a queued job, owned by this process; returns its id.

        >>> jid = lib.create_job("render", project.id, {"out": "film.mp4"})   # doctest: +SKIP
        """
        jid = uuid.uuid4().hex[:12]
        t = now_iso()
        with self._write() as con:
            con.execute("INSERT INTO jobs (id, kind, project_id, params, state, progress, message, result, created,"
                        " updated, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (jid, kind, project_id, json.dumps(params or {}), "queued", 0.0, "", None, t, t,
                         this_process()))
        return jid

    def update_job(self, job_id: str, progress: Optional[float] = None, message: Optional[str] = None,
                   state: Optional[str] = None, result: Optional[dict] = None,
                   work: Optional[list] = None) -> JobInfo:
        """Change a job's progress (0..1), message, state, result and/or work (per attempt);
        unchanged fields stay.

        >>> lib.update_job(jid, progress=0.5, message="frame 12/24", state="running")  # doctest: +SKIP
        """
        if state is not None and state not in JOB_STATES:
            raise BadInput(f"job {job_id}: unknown state {state!r} (one of {', '.join(JOB_STATES)})")
        sets, args = ["updated=?"], [now_iso()]
        for column, value in (("progress", None if progress is None else max(0.0, min(1.0, float(progress)))),
                              ("message", message), ("state", state),
                              ("result", None if result is None else json.dumps(result)),
                              ("work", None if work is None else json.dumps(work))):
            if value is not None:
                sets.append(f"{column}=?")
                args.append(value)
        with self._write() as con:
            cur = con.execute(f"UPDATE jobs SET {', '.join(sets)} WHERE id=?", (*args, job_id))
            if cur.rowcount == 0:
                raise NotFound(f"job {job_id}: no such job")
        return self.job(job_id)

    def start_job(self, job_id: str, params: Optional[dict] = None) -> JobInfo:
        """This process takes job ``job_id`` up (again): running, a new attempt, no cancel
        asked (and ``params`` instead of the old ones, when given: the same job asked again
        with other options). Refused while another live process runs it.

        >>> lib.start_job(jid).attempts                      # doctest: +SKIP
        1
        """
        me = this_process()
        with self._write() as con:
            r = con.execute("SELECT state, owner, attempts, work FROM jobs WHERE id=?", (job_id,)).fetchone()
            if r is None:
                raise NotFound(f"job {job_id}: no such job")
            if r["state"] == "done":
                raise BadInput(f"job {job_id}: is done already; nothing to resume")
            if r["state"] in ACTIVE and r["owner"] not in (None, me) and process_alive(r["owner"]):
                raise BadInput(f"job {job_id}: is running in process {r['owner'].split(':')[1]}; "
                               f"wait for it or cancel it first")
            work = json.loads(r["work"] or "[]") + [{}]
            message = "starting" if r["attempts"] == 0 else f"resuming (attempt {r['attempts'] + 1})"
            con.execute("UPDATE jobs SET state='running', owner=?, cancel=0, attempts=?, work=?, message=?,"
                        " updated=? WHERE id=?", (me, r["attempts"] + 1, json.dumps(work), message, now_iso(),
                                                  job_id))
            if params is not None:
                con.execute("UPDATE jobs SET params=? WHERE id=?", (json.dumps(params), job_id))
        return self.job(job_id)

    def requeue_job(self, job_id: str, message: str = "queued to resume") -> JobInfo:
        """Queue an ended job again in this process (a server resuming it soon).

        >>> lib.requeue_job(jid).state                       # doctest: +SKIP
        'queued'
        """
        with self._write() as con:
            cur = con.execute("UPDATE jobs SET state='queued', owner=?, cancel=0, message=?, updated=? WHERE id=? "
                              "AND state IN ('failed','cancelled','interrupted')",
                              (this_process(), message, now_iso(), job_id))
            if cur.rowcount == 0:
                raise BadInput(f"job {job_id}: is not interrupted, cancelled or failed; nothing to resume")
        return self.job(job_id)

    def request_cancel(self, job_id: str) -> JobInfo:
        """Ask job ``job_id`` to stop, whichever process runs it: it stops at its next
        progress report. A job whose process is gone is cancelled at once; an ended one is
        left as it is.

        >>> lib.request_cancel(jid).cancel                   # doctest: +SKIP
        True
        """
        job = self.job(job_id)
        if job.state in TERMINAL:
            return job
        with self._write() as con:
            con.execute("UPDATE jobs SET cancel=1, message=?, updated=? WHERE id=? AND state IN ('queued','running')",
                        ("cancelling…", now_iso(), job_id))
        return self.job(job_id)

    def _job_info(self, r: sqlite3.Row) -> JobInfo:
        info = JobInfo(r["id"], r["kind"], r["project_id"], json.loads(r["params"]), r["state"],
                       r["progress"], r["message"], json.loads(r["result"]) if r["result"] else None,
                       r["created"], r["updated"], r["owner"], json.loads(r["work"] or "[]"), bool(r["cancel"]),
                       r["attempts"])
        if info.state in ACTIVE and not process_alive(info.owner):
            info = self._ended_unseen(info)
        return info

    def _ended_unseen(self, info: JobInfo) -> JobInfo:
        """A job whose process is gone without saying how it ended: interrupted (or
        cancelled, when a cancel was asked), recorded so."""
        state = "cancelled" if info.cancel else "interrupted"
        message = ("cancelled" if info.cancel else
                   f"interrupted: its process stopped at {round(100 * info.progress)}%; resume it to finish")
        with self._write() as con:
            con.execute("UPDATE jobs SET state=?, message=?, updated=? WHERE id=? AND owner IS ? AND state IN "
                        "('queued','running')", (state, message, now_iso(), info.id, info.owner))
        info.state, info.message = state, message
        return info

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

    def unfinished_job(self, kind: str, project_id: Optional[str], match: dict) -> Optional[JobInfo]:
        """The newest job of ``kind`` (of the project) not done yet whose params hold
        ``match``: the one the same command should resume (or that still runs).

        >>> lib.unfinished_job("render", pid, {"out": "/films/trip.mp4"}).state      # doctest: +SKIP
        'interrupted'
        """
        for job in self.jobs(project_id):
            if job.kind == kind and job.state != "done" and all(job.params.get(k) == v for k, v in match.items()):
                return job
        return None


class JobRecord:
    """One job row following one piece of work: ``report`` is the work's progress callback,
    ``add_work`` counts what the attempt computed."""

    def __init__(self, lib, job_id: str, progress: Optional[Progress] = None,
                 cancel: Optional[threading.Event] = None, min_interval: float = 0.5, message: str = "",
                 interrupt: Optional[threading.Event] = None):
        self.lib, self.id, self.progress, self.cancel, self.interrupt = lib, job_id, progress, cancel, interrupt
        self.min_interval, self.message = min_interval, message
        self.finished = False
        self._last = 0.0
        self._lock = threading.Lock()
        self._work: Optional[list] = None
        self._work_changed = False

    def _stop_if_asked(self) -> None:
        if self.interrupt is not None and self.interrupt.is_set():
            raise Interrupted()
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()

    def report(self, fraction: float, message: str = "") -> None:
        """Pass progress on (to ``progress`` and, throttled, to the job row); raises
        ``Cancelled`` once a cancel was asked (here, or in the row by another process), so
        the work stops at its next report."""
        self._stop_if_asked()
        if self.progress is not None:
            self.progress(fraction, message)
        now = time.monotonic()
        if now - self._last >= self.min_interval or fraction >= 1.0:
            self._last = now
            job = self.lib.update_job(self.id, progress=min(float(fraction), 0.999), state="running",
                                      message=one_line(message or self.message), work=self._work_to_write())
            if job.cancel:
                raise Cancelled()

    def add_work(self, counts: dict) -> None:
        """Add ``counts`` (``{"steps": 2, "reused": 1}``) to this attempt's work; written
        to the row with the next report and when the job ends.

        >>> job.add_work({"steps": 1})                  # doctest: +SKIP
        """
        with self._lock:
            if self._work is None:
                self._work = self.lib.job(self.id).work or [{}]
            current = self._work[-1]
            for k, v in counts.items():
                current[k] = current.get(k, 0) + v
            self._work_changed = True

    @property
    def work(self) -> dict:
        """What this attempt did so far (``{"steps": 3, "reused": 2, "chunks": 1}``)."""
        with self._lock:
            return dict(self._work[-1]) if self._work else {}

    def _work_to_write(self) -> Optional[list]:
        with self._lock:
            if not self._work_changed:
                return None
            self._work_changed = False
            return [dict(w) for w in self._work]

    def done(self, result: Optional[dict] = None, message: str = "done") -> None:
        """The work finished: state done, progress 1, its ``result``."""
        self.finished = True
        self.lib.update_job(self.id, progress=1.0, state="done", message=message, result=result or {},
                            work=self._work_to_write())

    def ended(self, state: str, message: str) -> None:
        """The work stopped without finishing: the row says how (and what it did)."""
        self.lib.update_job(self.id, state=state, message=message, work=self._work_to_write())


@contextlib.contextmanager
def recording(lib, job_id: str, **kw) -> Iterator[JobRecord]:
    """Keep job ``job_id``'s row in step with the work in the ``with`` block: running from
    its first progress report (``job.report``), then how it ended: done (``job.done(result)``,
    or plainly done), cancelled (``Cancelled``), interrupted (Ctrl-C: resumable) or failed
    with the error's one line. The error goes on up. Keywords go to ``JobRecord``.

    >>> with recording(lib, jid, progress=print) as job:     # doctest: +SKIP
    ...     job.done({"shots": 3})
    """
    job = JobRecord(lib, job_id, **kw)
    try:
        yield job
    except Interrupted:
        job.ended("interrupted", "interrupted: the studio server stopped; resume it to finish")
        raise
    except Cancelled as e:
        job.ended("cancelled", one_line(e) if str(e) else "cancelled")
        raise
    except KeyboardInterrupt:
        job.ended("interrupted", "interrupted (Ctrl-C); resume it to finish")
        raise
    except StoryloomError as e:
        job.ended("failed", one_line(e))
        raise
    except BaseException as e:
        job.ended("failed", one_line(f"internal error: {type(e).__name__}: {e}"))
        raise
    if not job.finished:
        job.done()

"""Background jobs inside the studio server: a thread pool and cancel flags. A job is one of
the resumable kinds (``storyloom.studio.resumable``): its row holds all it needs, so one
interrupted (the server was stopped or killed) or cancelled can be resumed by id.

A job's ``report(fraction, message)`` writes progress to the library's job row (throttled)
and raises ``Cancelled`` once the job was cancelled (by this server or by ``storyloom
cancel`` in another process), so renders and imports stop at their next progress call.

    >>> runner = JobRunner(lib)                                               # doctest: +SKIP
    >>> jid = runner.submit("render", pid, {"workers": 0})                    # doctest: +SKIP
    >>> runner.resume(jid)                                                    # doctest: +SKIP
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from storyloom.errors import BadInput, StoryloomError
from storyloom.store.jobs import RESUMABLE, TERMINAL, Cancelled, recording
from storyloom.studio.resumable import kind_of, resume

log = logging.getLogger("storyloom.api")

#: every job the studio starts carries this in its params (to tell them from CLI jobs)
ORIGIN = "studio"
__all__ = ["Cancelled", "JobRunner", "ORIGIN", "TERMINAL"]

Report = Callable[[float, str], None]


class JobRunner:
    """Runs jobs on a small thread pool; one job row per job in the library."""

    def __init__(self, lib, workers: int = 2, min_interval: float = 0.1):
        self.lib = lib
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="storyloom-job")
        self.min_interval = min_interval
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()   # the server stops: running jobs end interrupted

    def fail_interrupted(self) -> None:
        """Jobs left queued or running by a stopped server read as interrupted (resumable):
        reading the table marks every job whose process is gone."""
        self.lib.jobs()

    def submit(self, kind: str, project_id: Optional[str], params: dict,
               fn: Optional[Callable[[Report, str], dict]] = None,
               cleanup: Optional[Callable[[], None]] = None) -> str:
        """Queue a job of ``kind`` (a registered resumable kind) with ``params``; its id at
        once. ``fn(report, job_id) -> result`` runs a one-off job instead (not resumable)."""
        if fn is None:
            kind_of(kind)
        jid = self.lib.create_job(kind, project_id, {**params, "origin": ORIGIN})
        self._queue(jid, cleanup, fn)
        return jid

    def resume(self, job_id: str):
        """Queue an interrupted, cancelled or failed job again (it redoes only what it had not
        finished); BadInput when it is done or still running."""
        job = self.lib.job(job_id)
        if job.state not in RESUMABLE:
            raise BadInput(f"job {job_id}: is {job.state}; only an interrupted, cancelled or failed job resumes")
        kind_of(job.kind)
        job = self.lib.requeue_job(job_id)
        self._queue(job_id, None)
        return job

    def _queue(self, jid: str, cleanup, fn=None) -> None:
        flag = threading.Event()
        with self._lock:
            self._cancel[jid] = flag
        self.pool.submit(self._run, jid, flag, cleanup, fn)

    def active(self, project_id: Optional[str] = None, kind: Optional[str] = None) -> list:
        """This server's jobs that are queued or running (of one project / kind)."""
        with self._lock:
            mine = set(self._cancel)
        return [j for j in self.lib.jobs(project_id) if j.id in mine and j.state in ("queued", "running")
                and (kind is None or j.kind == kind)]

    def cancel(self, job_id: str):
        """Ask a job to stop. A queued job is cancelled at once; a running one at its next
        progress report (one of another process too: the row carries the request).
        Finished jobs are left as they are."""
        job = self.lib.job(job_id)
        with self._lock:
            flag = self._cancel.get(job_id)
        if job.state in TERMINAL:
            return job
        if flag is not None:
            flag.set()
        if job.state == "queued":
            return self.lib.update_job(job_id, state="cancelled", message="cancelled before it started")
        return self.lib.request_cancel(job_id)

    def _one_off(self, jid: str, fn, flag: threading.Event) -> None:
        self.lib.start_job(jid)
        with recording(self.lib, jid, cancel=flag, min_interval=self.min_interval, interrupt=self._stopping) as job:
            job.done(fn(job.report, jid))

    def _run(self, jid: str, flag: threading.Event, cleanup, fn) -> None:
        try:
            if flag.is_set() or self.lib.job(jid).state == "cancelled":
                self.lib.update_job(jid, state="cancelled", message="cancelled before it started")
                return
            if fn is not None:
                self._one_off(jid, fn, flag)
            else:
                resume(self.lib, jid, cancel=flag, min_interval=self.min_interval, interrupt=self._stopping)
            if flag.is_set():
                # finished: a cancel that came after the last progress step is too late, and the
                # job's work (a saved revision, a written film) is real, so it is reported as done
                self.lib.update_job(jid, message="done (the cancel came too late)")
        except (Cancelled, StoryloomError):
            pass   # the job's row says it
        except Exception:  # the row says it too; the log keeps the traceback
            log.exception("job %s failed", jid)
        finally:
            with self._lock:
                self._cancel.pop(jid, None)
            if cleanup is not None:
                try:
                    cleanup()
                except Exception:
                    log.exception("job %s: cleanup failed", jid)

    def shutdown(self) -> None:
        """Stop what is running (it ends interrupted: resumable) and wait for the threads."""
        self._stopping.set()
        self.pool.shutdown(wait=True, cancel_futures=True)
        for job in self.lib.jobs():   # queued ones never started (their process, this one, still runs)
            if job.state == "queued" and job.params.get("origin") == ORIGIN and job.id in self._cancel:
                self.lib.update_job(job.id, state="interrupted", message="interrupted: the studio server stopped")

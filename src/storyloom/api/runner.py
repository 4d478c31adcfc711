"""Background jobs inside the studio server: a thread pool and cancel flags; the job's row
follows the work through the library's one recorder (``storyloom.store.jobs.recording``).

A job function receives ``report(fraction, message)``; the recorder writes progress to the
library's job row (throttled) and raises ``Cancelled`` from ``report`` once the job was
cancelled, so renders and imports stop at their next progress call.

    >>> runner = JobRunner(lib)                                               # doctest: +SKIP
    >>> jid = runner.submit("render", pid, {}, lambda report, job_id: {"ok": True})  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

from storyloom.errors import StoryloomError
from storyloom.store.jobs import TERMINAL, Cancelled, recording

log = logging.getLogger("storyloom.api")

#: every job the studio starts carries this in its params (to tell them from CLI jobs)
ORIGIN = "studio"
__all__ = ["Cancelled", "JobRunner", "ORIGIN", "TERMINAL"]

Report = Callable[[float, str], None]


class JobRunner:
    """Runs job functions on a small thread pool; one job row per job in the library."""

    def __init__(self, lib, workers: int = 2, min_interval: float = 0.1):
        self.lib = lib
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="storyloom-job")
        self.min_interval = min_interval
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def fail_interrupted(self) -> None:
        """Mark studio jobs left queued or running by a previous server as failed."""
        for job in self.lib.jobs():
            if job.state in ("queued", "running") and job.params.get("origin") == ORIGIN:
                self.lib.update_job(job.id, state="failed", message="interrupted: the studio server stopped")

    def submit(self, kind: str, project_id: Optional[str], params: dict,
               fn: Callable[[Report, str], dict], cleanup: Optional[Callable[[], None]] = None) -> str:
        """Queue ``fn(report, job_id) -> result``; returns the job id at once."""
        jid = self.lib.create_job(kind, project_id, {**params, "origin": ORIGIN})
        flag = threading.Event()
        with self._lock:
            self._cancel[jid] = flag
        self.pool.submit(self._run, jid, fn, flag, cleanup)
        return jid

    def active(self, project_id: Optional[str] = None, kind: Optional[str] = None) -> list:
        """This server's jobs that are queued or running (of one project / kind)."""
        with self._lock:
            mine = set(self._cancel)
        return [j for j in self.lib.jobs(project_id) if j.id in mine and j.state in ("queued", "running")
                and (kind is None or j.kind == kind)]

    def cancel(self, job_id: str):
        """Ask a job to stop. A queued job is cancelled at once; a running one at its next
        progress report. Finished jobs are left as they are."""
        job = self.lib.job(job_id)
        with self._lock:
            flag = self._cancel.get(job_id)
        if job.state in TERMINAL:
            return job
        if flag is None:  # a job of another process (CLI render): cannot reach it
            return self.lib.update_job(job_id, message="cancel asked; this job runs outside the studio")
        flag.set()
        if job.state == "queued":
            return self.lib.update_job(job_id, state="cancelled", message="cancelled before it started")
        return self.lib.update_job(job_id, message="cancelling…")

    def _run(self, jid: str, fn, flag: threading.Event, cleanup) -> None:
        try:
            if flag.is_set():
                self.lib.update_job(jid, state="cancelled", message="cancelled before it started")
                return
            self.lib.update_job(jid, state="running", message="starting")
            with recording(self.lib, jid, cancel=flag, min_interval=self.min_interval) as job:
                result = fn(job.report, jid)
                # finished: a cancel that came after the last progress step is too late, and the
                # job's work (a saved revision, a written film) is real, so it is reported as done
                job.done(result, "done (the cancel came too late)" if flag.is_set() else "done")
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
        """Cancel what is running and wait for the threads."""
        with self._lock:
            for flag in self._cancel.values():
                flag.set()
        self.pool.shutdown(wait=True, cancel_futures=False)

"""Long jobs every door can start, cancel and resume: each kind of job registers the
function that does it from its params, so the job's row in the library is all it takes to
run it again. A resumed job redoes only what is not finished: its pieces (step outputs,
stored media, found shots) are in the library's caches, keyed by content.

A kind is registered with ``@resumable`` in its module, named in ``JOB_MODULES`` (one
line: the module is imported when a job of that kind runs)::

    @resumable("render", key=("out",))
    def render(lib, job: JobInfo, record: JobRecord) -> dict:
        ...   # record.report(fraction, message), record.add_work({"steps": 1})
        return {"path": ...}

The same request again (``run``: the same kind, project and ``key`` params) resumes the
job it matches when that one did not finish; ``resume`` takes a job up by its id.

    >>> result = run(lib, "render", pid, {"out": "/films/trip.mp4"})    # doctest: +SKIP
    >>> resume(lib, "3f2a9c0d1b7e")                                     # doctest: +SKIP
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from storyloom.errors import BadInput
from storyloom.progress import Progress
from storyloom.store.jobs import JobInfo, JobRecord, recording

#: job kind -> the ``storyloom.studio`` module registering it (imported on first use)
JOB_MODULES: dict[str, str] = {
    "render": "jobs", "preview": "jobs", "import": "jobs",
    "extract": "jobs", "refine": "jobs", "background": "jobs",
}


@dataclass(frozen=True)
class Resumable:
    """How to do a job of ``kind`` from its params; ``key``: the params that make two
    requests the same job (the same command run again resumes it)."""

    kind: str
    fn: Callable[..., dict]
    key: tuple = ()


_KINDS: dict[str, Resumable] = {}


def resumable(kind: str, key: tuple = ()):
    """Register ``fn(lib, job, record) -> result`` as the way to do (and redo) jobs of ``kind``.

    >>> @resumable("generate", key=("shot_id", "prompt"))     # doctest: +SKIP
    ... def generate(lib, job, record): ...
    """
    def register(fn):
        _KINDS[kind] = Resumable(kind, fn, tuple(key))
        return fn
    return register


def kind_of(kind: str) -> Resumable:
    """The registration of ``kind`` (its module imported first); BadInput when unknown."""
    if kind not in _KINDS and kind in JOB_MODULES:
        importlib.import_module(f"storyloom.studio.{JOB_MODULES[kind]}")
    if kind not in _KINDS:
        raise BadInput(f"job kind {kind!r}: cannot be run again here (known: {', '.join(sorted(JOB_MODULES))})")
    return _KINDS[kind]


def resume(lib, job_id: str, progress: Optional[Progress] = None, cancel: Optional[threading.Event] = None,
           min_interval: float = 0.5, params: Optional[dict] = None,
           interrupt: Optional[threading.Event] = None) -> dict:
    """Do job ``job_id`` in this process (again): a new attempt with the pieces finished
    before read from the caches; its result. Refused when it is done or another live
    process runs it. ``params`` replace the job's own (the same job asked with other options);
    ``cancel`` / ``interrupt`` set stop it at its next progress report (cancelled / interrupted).

    >>> resume(lib, "3f2a9c0d1b7e", progress=print)["path"]       # doctest: +SKIP
    '/films/trip.mp4'
    """
    spec = kind_of(lib.job(job_id).kind)
    job = lib.start_job(job_id, params)
    with recording(lib, job_id, progress=progress, cancel=cancel, min_interval=min_interval,
                   interrupt=interrupt) as record:
        result = spec.fn(lib, job, record)
        if not record.finished:
            record.done(result)
    return result


def run(lib, kind: str, project_id: Optional[str], params: dict, progress: Optional[Progress] = None,
        cancel: Optional[threading.Event] = None, min_interval: float = 0.5) -> dict:
    """Do a job of ``kind`` in this process: resume the unfinished one this request matches
    (same project and ``key`` params: interrupted, cancelled or failed), else a new one.

    >>> run(lib, "render", pid, {"out": "/films/trip.mp4", "workers": 2})["frames"]   # doctest: +SKIP
    96
    """
    spec = kind_of(kind)
    found = lib.unfinished_job(kind, project_id, {k: params.get(k) for k in spec.key}) if spec.key else None
    job_id = found.id if found is not None else lib.create_job(kind, project_id, params)
    return resume(lib, job_id, progress, cancel, min_interval, params)


def job_said(job: JobInfo) -> str:
    """One line for a job: ``3f2a9c0d1b7e render interrupted 46% (attempt 1: 3 steps)``.

    >>> job_said(JobInfo("ab", "render", None, {}, "done", 1.0, "done", {}, "", "", work=[{"steps": 2}], attempts=1))
    'ab  render  done 100%  done  (attempt 1: 2 steps)'
    """
    work = job.work[-1] if job.work else {}
    did = ", ".join(f"{v:.1f} {k}" if isinstance(v, float) else f"{v} {k}" for k, v in work.items() if v)
    tail = f"  (attempt {job.attempts}: {did})" if job.attempts and did else ""
    return f"{job.id}  {job.kind}  {job.state} {round(100 * job.progress)}%  {job.message}{tail}"


__all__ = ["JOB_MODULES", "JobInfo", "JobRecord", "Resumable", "job_said", "kind_of", "resumable", "resume", "run"]

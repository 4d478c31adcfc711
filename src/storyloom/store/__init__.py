"""The library: projects with revision history, content-addressed assets and jobs.

    >>> from storyloom.store import Library
    >>> lib = Library.open("/tmp/storyloom-lib")   # doctest: +SKIP
"""
from storyloom.store.jobs import Cancelled, Interrupted, JobInfo, JobRecord, recording
from storyloom.store.library import Library
from storyloom.store.revisions import ProjectInfo, RevisionInfo

__all__ = ["Cancelled", "Interrupted", "JobInfo", "JobRecord", "Library", "ProjectInfo", "RevisionInfo", "recording"]

"""The library: projects with revision history, content-addressed assets and jobs.

    >>> from storyloom.store import Library
    >>> lib = Library.open("/tmp/storyloom-lib")   # doctest: +SKIP
"""
from storyloom.store.library import JobInfo, Library, ProjectInfo, RevisionInfo

__all__ = ["JobInfo", "Library", "ProjectInfo", "RevisionInfo"]

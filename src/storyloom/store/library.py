"""The library: projects with linear revision history, content-addressed assets, jobs.

One folder holds everything::

    library.sqlite      projects, revisions, assets, jobs (SQLite, WAL mode)
    assets/ab/<sha256><ext>   media files named by their content hash
    cache/              render caches (owned by the renderer)

    >>> lib = Library.open("/tmp/lib")                         # doctest: +SKIP
    >>> rev = lib.create_project(Project(title="Demo"))        # doctest: +SKIP
    >>> project, head = lib.load()                             # doctest: +SKIP
    >>> lib.save(project, head, "add a scene")                 # doctest: +SKIP
    2

Its parts live in their own modules: ``revisions`` (projects, history, undo), ``assets``
(media files) and ``jobs``. Thread safety: every thread gets its own SQLite connection
(``threading.local``); writes run inside ``BEGIN IMMEDIATE`` so two writers based on the
same revision cannot both win.
"""
from __future__ import annotations

from pathlib import Path

from storyloom.errors import BadInput
from storyloom.store.assets import Assets
from storyloom.store.db import _SCHEMA, DB_NAME, Database, migrate
from storyloom.store.jobs import Jobs
from storyloom.store.revisions import Revisions


class Library(Revisions, Assets, Jobs, Database):
    """A library folder. Open with ``Library.open(path)``; see the module docstring."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.assets_dir = self.root / "assets"
        self.cache_dir = self.root / "cache"
        self.db_path = self.root / DB_NAME
        self._connections()

    @classmethod
    def open(cls, path) -> "Library":
        """Open (creating if missing) the library folder at ``path``.

        >>> lib = Library.open(tmp / "lib")     # doctest: +SKIP
        >>> (lib.root / "library.sqlite").exists()   # doctest: +SKIP
        True
        """
        root = Path(path).expanduser()
        if root.exists() and not root.is_dir():
            raise BadInput(f"{root}: is a file, not a library folder")
        root.mkdir(parents=True, exist_ok=True)
        lib = cls(root)
        lib.assets_dir.mkdir(exist_ok=True)
        lib.cache_dir.mkdir(exist_ok=True)
        lib._con().executescript(_SCHEMA)
        migrate(lib._con())
        return lib

"""The library's database: one SQLite file (WAL), a connection per thread, transactions.

    >>> now_iso()[:2]
    '20'
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any, Iterator

DB_NAME = "library.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id       TEXT PRIMARY KEY,
    title    TEXT NOT NULL,
    head     INTEGER NOT NULL,
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL,
    deleted  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS revisions (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    parent     INTEGER,
    timestamp  TEXT NOT NULL,
    summary    TEXT NOT NULL,
    document   TEXT NOT NULL,
    PRIMARY KEY (project_id, number)
);
CREATE INDEX IF NOT EXISTS revisions_parent ON revisions(project_id, parent);
CREATE TABLE IF NOT EXISTS assets (
    sha256  TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    suffix  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    info    TEXT NOT NULL,
    size    INTEGER NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    project_id TEXT,
    params     TEXT NOT NULL,
    state      TEXT NOT NULL,
    progress   REAL NOT NULL,
    message    TEXT NOT NULL,
    result     TEXT,
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    owner      TEXT,
    work       TEXT NOT NULL DEFAULT '[]',
    cancel     INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0
);
"""

#: columns added since a table was first made: a library made before gets them on opening
_ADDED = {"jobs": [("owner", "TEXT"), ("work", "TEXT NOT NULL DEFAULT '[]'"),
                   ("cancel", "INTEGER NOT NULL DEFAULT 0"), ("attempts", "INTEGER NOT NULL DEFAULT 0")]}


def migrate(con: sqlite3.Connection) -> None:
    """Add the columns ``_ADDED`` names to an older library's tables (one writer at a time)."""
    for table, columns in _ADDED.items():
        have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        missing = [(n, t) for n, t in columns if n not in have]
        if not missing:
            continue
        con.execute("BEGIN IMMEDIATE")
        try:
            have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}   # another process may have won
            for name, kind in missing:
                if name not in have:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def now_iso() -> str:
    """The current time, ISO 8601 in UTC (``2026-11-25T09:00:00.123+00:00``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Database:
    """Connections to ``db_path`` (one per thread, ``threading.local``) and transactions;
    the library's parts (revisions, assets, jobs) read and write through these."""

    db_path: Any

    def _connections(self) -> None:
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (BEGIN IMMEDIATE for writes)
            con = sqlite3.connect(str(self.db_path), timeout=30.0, isolation_level=None)
            con.row_factory = sqlite3.Row
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA busy_timeout=30000")
            self._local.con = con
            with self._all_lock:
                self._all.append(con)
        return con

    def close(self) -> None:
        """Close every connection this library opened (in any thread)."""
        with self._all_lock:
            for con in self._all:
                with contextlib.suppress(sqlite3.Error):
                    con.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; BEGIN IMMEDIATE takes the write lock before any read."""
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one consistent snapshot."""
        con = self._con()
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

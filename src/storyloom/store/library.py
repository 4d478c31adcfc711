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

Thread safety: every thread gets its own SQLite connection (``threading.local``); writes
run inside ``BEGIN IMMEDIATE`` so two writers based on the same revision cannot both win.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

from storyloom.errors import BadInput, NotFound, StaleRevision
from storyloom.media.probe import MediaInfo, probe
from storyloom.model.document import AssetRef, Project

DB_NAME = "library.sqlite"
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_CHUNK = 1 << 20

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
    updated    TEXT NOT NULL
);
"""


def now_iso() -> str:
    """The current time, ISO 8601 in UTC (``2026-11-25T09:00:00.123+00:00``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class ProjectInfo:
    """One project in the library: ``id``, ``title``, head ``revision``, ``updated`` time."""

    id: str
    title: str
    revision: int
    updated: str
    created: str = ""


@dataclass
class RevisionInfo:
    """One saved revision; ``current`` is True for the project's head."""

    number: int
    timestamp: str
    summary: str
    current: bool
    parent: Optional[int] = None


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


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks (large videos never sit in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class Library:
    """A library folder. Open with ``Library.open(path)``; see the module docstring."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.assets_dir = self.root / "assets"
        self.cache_dir = self.root / "cache"
        self.db_path = self.root / DB_NAME
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    # ------------------------------------------------------------------ setup
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
        con = lib._con()
        con.executescript(_SCHEMA)
        return lib

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

    def __enter__(self) -> "Library":
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

    # --------------------------------------------------------------- projects
    def _project_row(self, con: sqlite3.Connection, project_id: str) -> sqlite3.Row:
        row = con.execute("SELECT * FROM projects WHERE id=? AND deleted=0", (project_id,)).fetchone()
        if row is None:
            raise NotFound(f"project {project_id}: not in the library {self.root}")
        return row

    def create_project(self, project: Project, summary: str = "create project") -> int:
        """Add a new project; its first revision is number 1.

        >>> lib.create_project(Project(title="Demo"))   # doctest: +SKIP
        1
        """
        doc = project.model_dump_json()
        t = now_iso()
        with self._write() as con:
            row = con.execute("SELECT deleted FROM projects WHERE id=?", (project.id,)).fetchone()
            if row is not None and not row["deleted"]:
                raise BadInput(f"project {project.title}: id {project.id} is already in the library")
            if row is not None:  # a deleted project with the same id: drop it for good
                con.execute("DELETE FROM projects WHERE id=?", (project.id,))
            con.execute("INSERT INTO projects (id, title, head, created, updated) VALUES (?,?,?,?,?)",
                        (project.id, project.title, 1, t, t))
            con.execute("INSERT INTO revisions VALUES (?,?,?,?,?,?)",
                        (project.id, 1, None, t, summary, doc))
        return 1

    def projects(self) -> list[ProjectInfo]:
        """Every (not deleted) project, most recently updated first."""
        rows = self._con().execute(
            "SELECT * FROM projects WHERE deleted=0 ORDER BY updated DESC, id").fetchall()
        return [ProjectInfo(r["id"], r["title"], r["head"], r["updated"], r["created"]) for r in rows]

    def _resolve(self, con: sqlite3.Connection, project_id: Optional[str]) -> str:
        if project_id is not None:
            return project_id
        ids = [r["id"] for r in con.execute("SELECT id FROM projects WHERE deleted=0 ORDER BY id")]
        if not ids:
            raise NotFound(f"library {self.root}: has no projects")
        if len(ids) > 1:
            raise BadInput(f"library {self.root}: has {len(ids)} projects ({', '.join(ids)}); name one")
        return ids[0]

    def load(self, project_id: Optional[str] = None) -> tuple[Project, int]:
        """The head document of a project and its revision number.

        ``None`` means the only project in the library (NotFound if none, BadInput if several).
        A document written by a newer Storyloom raises ``NewerSchemaError``.

        >>> project, head = lib.load()   # doctest: +SKIP
        """
        with self._read() as con:
            pid = self._resolve(con, project_id)
            head = self._project_row(con, pid)["head"]
            doc = con.execute("SELECT document FROM revisions WHERE project_id=? AND number=?",
                              (pid, head)).fetchone()["document"]
        return Project.model_validate_json(doc), head

    def load_revision(self, project_id: str, number: int) -> Project:
        """The document of any revision (for diffs and previews); does not move the head."""
        row = self._con().execute("SELECT document FROM revisions WHERE project_id=? AND number=?",
                                  (project_id, number)).fetchone()
        if row is None:
            raise NotFound(f"project {project_id}: no revision {number}")
        return Project.model_validate_json(row["document"])

    def save(self, project: Project, base_revision: int, summary: str) -> int:
        """Save ``project`` as a new revision whose parent is ``base_revision``.

        Refused with ``StaleRevision`` when the project's head is no longer ``base_revision``
        (someone else saved, undid or redid in between).

        >>> lib.save(project, 1, "retitle")   # doctest: +SKIP
        2
        """
        doc = project.model_dump_json()
        t = now_iso()
        with self._write() as con:
            head = self._project_row(con, project.id)["head"]
            if head != base_revision:
                raise StaleRevision(
                    f"project {project.title}: your edit is based on revision {base_revision} but "
                    f"the project is at revision {head}; reload and try again")
            number = con.execute("SELECT MAX(number) FROM revisions WHERE project_id=?",
                                 (project.id,)).fetchone()[0] + 1
            con.execute("INSERT INTO revisions VALUES (?,?,?,?,?,?)",
                        (project.id, number, head, t, summary, doc))
            con.execute("UPDATE projects SET head=?, title=?, updated=? WHERE id=?",
                        (number, project.title, t, project.id))
        return number

    def _move_head(self, project_id: str, number: int, con: sqlite3.Connection) -> int:
        con.execute("UPDATE projects SET head=?, updated=? WHERE id=?", (number, now_iso(), project_id))
        return number

    def undo(self, project_id: str) -> int:
        """Move the head to its parent revision; returns the new head number."""
        with self._write() as con:
            p = self._project_row(con, project_id)
            parent = con.execute("SELECT parent FROM revisions WHERE project_id=? AND number=?",
                                 (project_id, p["head"])).fetchone()["parent"]
            if parent is None:
                raise BadInput(f"project {p['title']}: nothing to undo")
            return self._move_head(project_id, parent, con)

    def redo(self, project_id: str) -> int:
        """Move the head to the newest revision whose parent is the head."""
        with self._write() as con:
            p = self._project_row(con, project_id)
            row = con.execute("SELECT MAX(number) FROM revisions WHERE project_id=? AND parent=?",
                              (project_id, p["head"])).fetchone()
            if row[0] is None:
                raise BadInput(f"project {p['title']}: nothing to redo")
            return self._move_head(project_id, row[0], con)

    def history(self, project_id: str) -> list[RevisionInfo]:
        """Every revision of a project, newest first; ``current`` marks the head."""
        with self._read() as con:
            head = self._project_row(con, project_id)["head"]
            rows = con.execute("SELECT number, parent, timestamp, summary FROM revisions "
                               "WHERE project_id=? ORDER BY number DESC", (project_id,)).fetchall()
        return [RevisionInfo(r["number"], r["timestamp"], r["summary"], r["number"] == head, r["parent"])
                for r in rows]

    def delete_project(self, project_id: str) -> None:
        """Mark a project deleted; ``gc()`` later drops its revisions and unused assets."""
        with self._write() as con:
            self._project_row(con, project_id)
            con.execute("UPDATE projects SET deleted=1, updated=? WHERE id=?", (now_iso(), project_id))

    # ----------------------------------------------------------------- assets
    def _asset_file(self, sha256: str, suffix: str) -> Path:
        return self.assets_dir / sha256[:2] / f"{sha256}{suffix}"

    def _asset_row(self, sha256: str) -> Optional[sqlite3.Row]:
        return self._con().execute("SELECT * FROM assets WHERE sha256=?", (sha256,)).fetchone()

    def _store(self, src: Path, sha256: str, suffix: str, name: str, info: MediaInfo, move: bool) -> None:
        """Put ``src`` in place (temp file + os.replace, never half-written) and record it once."""
        dest = self._asset_file(sha256, suffix)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if move:
            os.replace(src, dest)
        else:
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".import-", suffix=suffix)
            try:
                with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
                    shutil.copyfileobj(f, out, _CHUNK)
                os.replace(tmp, dest)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        with self._write() as con:
            # OR IGNORE: two threads importing the same file both end with one row
            con.execute("INSERT OR IGNORE INTO assets VALUES (?,?,?,?,?,?,?)",
                        (sha256, name, suffix, info.kind, json.dumps(info.to_dict()),
                         dest.stat().st_size, now_iso()))

    def _existing(self, sha256: str) -> Optional[sqlite3.Row]:
        row = self._asset_row(sha256)
        if row is not None and self._asset_file(sha256, row["suffix"]).is_file():
            # added again: its file's time restarts gc's grace period (see gc)
            with contextlib.suppress(OSError):
                os.utime(self._asset_file(sha256, row["suffix"]))
            return row
        return None

    def import_asset(self, path) -> tuple[AssetRef, MediaInfo]:
        """Copy a media file into the library (deduplicated by SHA-256) and probe it once.

        Unusable files raise ``BadInput`` before anything is copied.

        >>> ref, info = lib.import_asset("clip.mp4")   # doctest: +SKIP
        >>> ref.kind, info.width                       # doctest: +SKIP
        ('video', 320)
        """
        path = Path(path)
        if not path.is_file():
            probe(path)  # raises the right BadInput (missing, a folder)
            raise BadInput(f"{path}: not a file")
        sha = sha256_file(path)
        row = self._existing(sha)
        if row is not None:  # already imported: reuse the stored probe
            return AssetRef(sha256=sha, name=path.name, kind=row["kind"]), MediaInfo.from_dict(json.loads(row["info"]))
        info = probe(path)
        self._store(path, sha, path.suffix.lower(), path.name, info, move=False)
        return AssetRef(sha256=sha, name=path.name, kind=info.kind), info

    def add_asset_bytes(self, data: bytes, suffix: str, name: str) -> AssetRef:
        """Store generated media (a still, a rendered clip) given as bytes.

        >>> ref = lib.add_asset_bytes(png_bytes, ".png", "still.png")   # doctest: +SKIP
        """
        suffix = ("." + suffix.lstrip(".")).lower()
        if not data:
            raise BadInput(f"{name}: file is empty")
        sha = hashlib.sha256(data).hexdigest()
        row = self._existing(sha)
        if row is not None:
            return AssetRef(sha256=sha, name=name, kind=row["kind"])
        dest_dir = self._asset_file(sha, suffix).parent
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".bytes-", suffix=suffix)
        tmp_path = Path(tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            try:
                info = probe(tmp_path)
            except BadInput as e:  # name the user's file, not our temp file
                raise BadInput(str(e).replace(str(tmp_path), name).replace(tmp_path.name, name)) from None
            self._store(tmp_path, sha, suffix, name, info, move=True)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp_path.unlink()
            raise
        return AssetRef(sha256=sha, name=name, kind=info.kind)

    def asset_path(self, sha256: str) -> Path:
        """Where an asset's file lies; NotFound if its row or file is gone."""
        row = self._asset_row(sha256)
        if row is not None:
            p = self._asset_file(sha256, row["suffix"])
            if p.is_file():
                return p
        raise NotFound(f"asset {sha256}: missing from the library (was it removed?)")

    def asset_info(self, sha256: str) -> MediaInfo:
        """The probe stored at import (no file access)."""
        row = self._asset_row(sha256)
        if row is None:
            raise NotFound(f"asset {sha256}: missing from the library (was it removed?)")
        return MediaInfo.from_dict(json.loads(row["info"]))

    def gc(self, grace_hours: float = 24.0) -> list[str]:
        """Remove assets that no revision of any (not deleted) project uses.

        Deleted projects are dropped for good first. Returns the removed hashes.
        An asset added (or added again) less than ``grace_hours`` ago is kept even when
        unused: it may be a file just uploaded in the studio and not yet put on a layer,
        or an import still running. ``grace_hours=0`` removes every unused asset.

        >>> lib.gc()                  # doctest: +SKIP
        []
        >>> lib.gc(grace_hours=0)     # doctest: +SKIP
        ['3f9a…']
        """
        if grace_hours < 0:
            raise BadInput(f"gc grace period {grace_hours:g} h: must be 0 or more")
        cutoff = datetime.now(timezone.utc).timestamp() - grace_hours * 3600.0

        def recent(row) -> bool:
            if grace_hours <= 0:
                return False
            try:
                if datetime.fromisoformat(row["created"]).timestamp() > cutoff:
                    return True
            except (TypeError, ValueError):
                return True  # an unreadable time: keep rather than guess
            try:
                return self._asset_file(row["sha256"], row["suffix"]).stat().st_mtime > cutoff
            except OSError:
                return False

        with self._write() as con:
            con.execute("DELETE FROM projects WHERE deleted=1")  # revisions go by ON DELETE CASCADE
            used: set[str] = set()
            for (doc,) in con.execute("SELECT document FROM revisions"):
                try:
                    used |= Project.model_validate_json(doc).asset_hashes()
                except Exception:
                    # unreadable here (e.g. a newer schema): keep every hash it could mean
                    used |= set(_HEX64.findall(doc))
            rows = con.execute("SELECT sha256, suffix, created FROM assets").fetchall()
            removed = [r["sha256"] for r in rows if r["sha256"] not in used and not recent(r)]
            con.executemany("DELETE FROM assets WHERE sha256=?", [(s,) for s in removed])
            # delete files while holding the write lock so no import of the same hash interleaves
            for r in rows:
                if r["sha256"] in removed:
                    with contextlib.suppress(FileNotFoundError):
                        self._asset_file(r["sha256"], r["suffix"]).unlink()
        return sorted(removed)

    # ------------------------------------------------------------------- jobs
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

    def jobs(self, project_id: Optional[str] = None) -> list[JobInfo]:
        """Jobs, newest first; only one project's when ``project_id`` is given."""
        if project_id is None:
            rows = self._con().execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC").fetchall()
        else:
            rows = self._con().execute("SELECT * FROM jobs WHERE project_id=? ORDER BY created DESC, rowid DESC",
                                       (project_id,)).fetchall()
        return [self._job_info(r) for r in rows]

"""Projects and their linear revision history: create, load, save (refusing stale
saves), undo, redo, history.

    >>> rev = lib.create_project(Project(title="Demo"))        # doctest: +SKIP
    >>> project, head = lib.load()                             # doctest: +SKIP
    >>> lib.save(project, head, "add a scene")                 # doctest: +SKIP
    2
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Optional

from storyloom.errors import BadInput, NotFound, StaleRevision
from storyloom.model.document import Project
from storyloom.store.db import now_iso


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


class Revisions:
    """The library's projects and revisions (a part of ``Library``)."""

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

    def undo_redo(self, project_id: str) -> tuple[Optional[str], Optional[str]]:
        """The summaries of what undo and redo would do now (None: nothing to undo / redo):
        two indexed lookups, however long the history.

        >>> lib.undo_redo(project.id)      # doctest: +SKIP
        ("add scene 'Arrival'", None)
        """
        with self._read() as con:
            head = con.execute("SELECT r.number, r.parent, r.summary FROM projects p JOIN revisions r "
                               "ON r.project_id = p.id AND r.number = p.head WHERE p.id=? AND p.deleted=0",
                               (project_id,)).fetchone()
            if head is None:
                self._project_row(con, project_id)   # NotFound for a project that is not there
                return None, None
            # redo moves to the newest revision made from the head (as ``redo`` does)
            redo = con.execute("SELECT summary FROM revisions WHERE project_id=? AND parent=? "
                               "ORDER BY number DESC LIMIT 1", (project_id, head["number"])).fetchone()
        return (head["summary"] if head["parent"] is not None else None,
                redo["summary"] if redo is not None else None)

    def delete_project(self, project_id: str) -> None:
        """Mark a project deleted; ``gc()`` later drops its revisions and unused assets."""
        with self._write() as con:
            self._project_row(con, project_id)
            con.execute("UPDATE projects SET deleted=1, updated=? WHERE id=?", (now_iso(), project_id))

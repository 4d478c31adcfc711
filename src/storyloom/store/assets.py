"""Media in a content-addressed folder (``assets/ab/<sha256><ext>``), probed once on
import; garbage collection of what no revision uses.

    >>> ref, info = lib.import_asset("clip.mp4")   # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from storyloom.errors import BadInput, NotFound
from storyloom.media.files import atomic_write, commit, discard, temp_beside
from storyloom.media.probe import MediaInfo, probe
from storyloom.model.document import AssetRef, Project
from storyloom.store.db import now_iso

_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks (large videos never sit in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class Assets:
    """The library's media files (a part of ``Library``)."""

    def _asset_file(self, sha256: str, suffix: str) -> Path:
        return self.assets_dir / sha256[:2] / f"{sha256}{suffix}"

    def _asset_row(self, sha256: str) -> Optional[sqlite3.Row]:
        return self._con().execute("SELECT * FROM assets WHERE sha256=?", (sha256,)).fetchone()

    def _store(self, src: Path, sha256: str, suffix: str, name: str, info: MediaInfo, move: bool) -> None:
        """Put ``src`` in place (moved, or copied atomically: never half-written) and record it once."""
        dest = self._asset_file(sha256, suffix)
        if move:
            commit(src, dest)
        else:
            with atomic_write(dest, suffix=suffix) as tmp, open(tmp, "wb") as out, open(src, "rb") as f:
                shutil.copyfileobj(f, out, _CHUNK)
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
        tmp = temp_beside(self._asset_file(sha, suffix), suffix)   # probe reads the suffix
        try:
            tmp.write_bytes(data)
            try:
                info = probe(tmp)
            except BadInput as e:  # name the user's file, not our temp file
                raise BadInput(str(e).replace(str(tmp), name).replace(tmp.name, name)) from None
            self._store(tmp, sha, suffix, name, info, move=True)
        except BaseException:
            discard(tmp)
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
            self._orphans({self._asset_file(r["sha256"], r["suffix"]) for r in rows if r["sha256"] not in removed},
                          None if grace_hours <= 0 else cutoff)
        return sorted(removed)

    def _orphans(self, known: set, cutoff: Optional[float]) -> None:
        """Remove files of the assets folder no row names (an import killed between copying
        and recording a file, the temporary files of one killed while copying), unless
        newer than ``cutoff`` (an import may be writing them now)."""
        for f in self.assets_dir.rglob("*"):
            with contextlib.suppress(OSError):
                if f.is_file() and f not in known and (cutoff is None or f.stat().st_mtime < cutoff):
                    f.unlink()

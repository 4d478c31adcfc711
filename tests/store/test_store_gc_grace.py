"""gc's grace period: media added recently (a studio upload not yet on a layer) survives
``gc()``; ``gc(grace_hours=0)`` and ``storyloom gc --all`` remove it."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import cv2
import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.errors import BadInput
from storyloom.model.document import AssetSource, Layer, Project
from storyloom.store import Library


def _png(seed: int) -> bytes:
    img = np.full((18, 32, 3), seed * 40 % 256, np.uint8)
    ok, buf = cv2.imencode(".png", img)
    assert ok
    return buf.tobytes()


def _age(lib: Library, sha: str, hours: float) -> None:
    """Make an asset look added ``hours`` ago (its row and its file)."""
    when = datetime.now(timezone.utc) - timedelta(hours=hours)
    with lib._write() as con:
        con.execute("UPDATE assets SET created=? WHERE sha256=?", (when.isoformat(timespec="milliseconds"), sha))
    t = time.time() - hours * 3600
    os.utime(lib.asset_path(sha), (t, t))


def test_gc_keeps_recent_unused_assets(tmp_path):
    lib = Library.open(tmp_path / "lib")
    used = lib.add_asset_bytes(_png(1), ".png", "used.png")
    fresh = lib.add_asset_bytes(_png(2), ".png", "just-uploaded.png")
    stale = lib.add_asset_bytes(_png(3), ".png", "forgotten.png")
    again = lib.add_asset_bytes(_png(4), ".png", "uploaded-twice.png")
    p = Project(title="G")
    p.add_scene("S").add_shot(title="A").add_layer(Layer(name="u", source=AssetSource(asset=used)))
    lib.create_project(p)
    for ref in (used, stale, again):
        _age(lib, ref.sha256, 48)
    # uploading the same file again (dedup: same hash, no new row) restarts its grace period
    assert lib.add_asset_bytes(_png(4), ".png", "uploaded-twice.png").sha256 == again.sha256
    assert lib._con().execute("SELECT COUNT(*) FROM assets").fetchone()[0] == 4

    assert lib.gc() == [stale.sha256]                 # 48 h old and unused: the only one to go
    assert lib.gc(grace_hours=72) == []               # nothing left older than 72 h
    for ref in (used, fresh, again):
        assert lib.asset_path(ref.sha256).is_file()
    assert lib.gc(grace_hours=0) == sorted([fresh.sha256, again.sha256])
    assert lib.asset_path(used.sha256).is_file()      # used by a revision: never removed
    with pytest.raises(BadInput, match="must be 0 or more"):
        lib.gc(grace_hours=-1)


def test_gc_cli_grace_and_all(tmp_path, capsys):
    root = tmp_path / "lib"
    assert main(["new", str(root), "--title", "T", "--size", "160x90"]) == 0
    lib = Library.open(root)
    a = lib.add_asset_bytes(_png(5), ".png", "a.png")
    b = lib.add_asset_bytes(_png(6), ".png", "b.png")
    _age(lib, a.sha256, 30)
    capsys.readouterr()
    assert main(["gc", str(root)]) == 0
    out = capsys.readouterr().out
    assert "removed 1 unused asset(s)" in out and "last 24 h is kept" in out
    assert main(["gc", str(root), "--grace", "0.5"]) == 0      # b is seconds old: still kept
    assert "removed 0" in capsys.readouterr().out
    assert main(["gc", str(root), "--all"]) == 0
    assert capsys.readouterr().out.strip() == "removed 1 unused asset(s)"
    assert lib._con().execute("SELECT sha256 FROM assets").fetchall() == []
    assert main(["gc", str(root), "--grace", "-2"]) == 2
    assert "must be 0 or more" in capsys.readouterr().err
    assert b.sha256 not in {p.stem for p in lib.assets_dir.rglob("*.png")}

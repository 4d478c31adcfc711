"""`storyloom import` of an MP4 cut short (a half-finished copy or export): exit code 2, one
line saying the file is truncated and where it ends, the project and its assets unchanged,
and the import job failed with the same words."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from helpers import run
from storyloom.media import write_video
from storyloom.store import Library


@pytest.fixture
def library(tmp_path):
    lib = tmp_path / "lib"
    assert run("new", lib, "--size", "160x90", "--fps", "24") == 0
    return lib


def _state(lib):
    doc, rev = Library.open(lib).load()
    return doc.model_dump_json(), rev, sorted(p.name for p in (lib / "assets").rglob("*") if p.is_file())


def test_import_of_a_truncated_mp4_says_so(library, tmp_path, capsys):
    rng = np.random.default_rng(0)
    clip = write_video(tmp_path / "holiday.mp4",
                       [np.clip(rng.normal(8 * i, 30, (90, 160, 3)), 0, 255).astype(np.uint8) for i in range(24)], 24)
    data = clip.read_bytes()
    at = data.index(b"mdat") - 4
    size = struct.unpack(">I", data[at:at + 4])[0]
    cut = tmp_path / "copied.mp4"
    cut.write_bytes(data[:at + 8 + (size - 8) * 3 // 5])        # 60% of the picture data, no index
    before = _state(library)
    capsys.readouterr()
    assert run("import", library, cut) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [
        "storyloom: copied.mp4: the file is truncated (it ends 60% into its picture and sound data, before the index of "
        "its frames); re-export or re-copy it"], err
    assert _state(library) == before
    job = Library.open(library).jobs()[0]
    assert job.kind == "import" and job.state == "failed" and "truncated" in job.message

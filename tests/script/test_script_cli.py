"""`storyloom script`: a storyboard from a file, bad scripts refused with one line, and the
script rendered as an animatic of storyboard cards."""
import numpy as np
import pytest

from helpers import run
from storyloom.store import Library

FERRY = """INT. FERRY CABIN - NIGHT

Rain streaks the porthole. MAYA studies a map.

MAYA
Two hours to the island.

EXT. FERRY DECK - CONTINUOUS

Leo leans on the rail.

LEO
Come and see the lights.
"""


@pytest.fixture
def library(tmp_path):
    lib = tmp_path / "lib"
    assert run("new", lib, "--size", "320x180", "--fps", "12") == 0
    return lib


def snapshot(lib):
    doc, rev = Library.open(lib).load()
    return doc.model_dump_json(), rev


def test_script_command_adds_scenes_shots_and_cast(library, tmp_path, capsys):
    script = tmp_path / "ferry.fountain"
    script.write_text(FERRY)
    capsys.readouterr()
    assert run("script", library, script) == 0
    out = capsys.readouterr().out
    assert "scene 'INT. FERRY CABIN - NIGHT': 1 shot, " in out and "cast: +Maya, +Leo" in out
    assert "added 2 scene(s), 2 shot(s)" in out and "(fountain)" in out
    doc, rev = Library.open(library).load()
    assert rev == 2 and [c.name for c in doc.cast] == ["Maya", "Leo"]
    assert [s.title for s in doc.shots()] == ["Rain streaks the porthole", "Leo leans on the rail"]
    assert Library.open(library).history(doc.id)[0].summary == "script ferry.fountain"


@pytest.mark.parametrize("content,expect", [
    (b"", "empty"),
    (b"  \n\n\t \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(128, 256)) * 4, "not text"),
    (b"Title: Only a title page\nAuthor: Nobody\n", "no action or dialogue"),
    (b"/* everything is in the boneyard */\n[[ and a note ]]\n", "no action or dialogue"),
])
def test_bad_scripts_exit_2_with_one_line_and_change_nothing(library, tmp_path, capsys, content, expect):
    bad = tmp_path / "bad.fountain"
    bad.write_bytes(content)
    before = snapshot(library)
    capsys.readouterr()
    assert run("script", library, bad) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.fountain" in err and expect in err, err
    assert "Traceback" not in err
    assert snapshot(library) == before


def test_missing_script_and_unconfigured_llm(library, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("STORYLOOM_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("STORYLOOM_CONFIG", str(tmp_path / "none.toml"))
    before = snapshot(library)
    capsys.readouterr()
    assert run("script", library, tmp_path / "nope.fountain") == 2
    assert "no such file" in capsys.readouterr().err
    good = tmp_path / "ok.txt"
    good.write_text("A boat.")
    assert run("script", library, good, "--llm") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "STORYLOOM_LLM_BASE_URL" in err
    assert snapshot(library) == before


def test_unknown_syntax_is_read_as_action(library, tmp_path, capsys):
    odd = tmp_path / "odd.fountain"
    odd.write_text("}}}{{{ ### \n\n<<<>>> ~~~ ||| @\n\n[[unclosed note\n\n/* unclosed boneyard\n")
    assert run("script", library, odd) == 0
    captured = capsys.readouterr()
    assert "unclosed" in captured.err and "Traceback" not in captured.err
    doc, _ = Library.open(library).load()
    assert [s.description for s in doc.shots()] == ["}}}{{{ ###", "<<<>>> ~~~ ||| @", "[[unclosed note",
                                                    "/* unclosed boneyard"]


def test_script_renders_as_an_animatic_of_cards(library, tmp_path, capsys):
    from storyloom.media import probe, read_frames
    script = tmp_path / "ferry.fountain"
    script.write_text(FERRY)
    assert run("script", library, script) == 0
    out = tmp_path / "animatic.mp4"
    # two worker processes: the cards are drawn inside the render pool
    assert run("render", library, "-o", out, "--workers", "2") == 0
    doc, _ = Library.open(library).load()
    info = probe(out)
    assert info.duration == pytest.approx(doc.duration, abs=0.1)
    n1 = round(doc.shots()[0].duration * 12)
    first, second = read_frames(out, 2, 3)[0], read_frames(out, n1 + 2, n1 + 3)[0]
    for f in (first, second):
        assert f.mean() > 15                                  # slate, not black
        bright = f.max(axis=2) > 170                          # light text
        assert bright[60:100].mean() > 0.01                   # the title block
        assert bright[-25:].mean() < 0.002                    # an empty bottom margin
    assert np.abs(first.astype(int) - second.astype(int)).mean() > 2   # different cards

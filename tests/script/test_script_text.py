"""Reading script files: encodings, binary refusal, and the library door."""
import pytest

from storyloom.errors import BadInput
from storyloom.script import decode_script, script_to_scenes


def test_encodings_and_binary():
    text = "INT. CAFÉ - DAY\n\nZoë orders a crème brûlée.\n"
    assert decode_script(text.encode("utf-16"), "a.fountain") == text
    assert decode_script(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.fountain") == text
    assert decode_script(text.encode("cp1252"), "a.fountain") == text
    for data, expect in [(b"abc\x00def", "NUL"), (bytes(range(1, 32)) * 10 + b"text", "control characters")]:
        with pytest.raises(BadInput, match=f"a.bin: .*{expect}"):
            decode_script(data, "a.bin")
    with pytest.raises(BadInput, match="x.txt: is empty"):
        script_to_scenes(" \n\t\n", "x.txt")
    with pytest.raises(BadInput, match="x.txt: is a binary file"):
        script_to_scenes("ab\x00cd", "x.txt")


def test_library_add_script_from_path_and_text(tmp_path):
    from storyloom.studio.project import Project
    film = Project.create(tmp_path / "lib", size="160x90")
    path = tmp_path / "pier.fountain"
    path.write_text("EXT. PIER - DAWN\n\nGulls wheel.\n\nJO\nMorning.\n")
    sb = film.add_script(path)
    assert [s.title for s in sb.scenes] == ["EXT. PIER - DAWN"]
    sb = film.add_script(str(path))
    sb = film.add_script("A fox crosses the snow.\n\nIt stops and listens.")
    doc = film.doc
    assert [s.title for s in doc.scenes] == ["EXT. PIER - DAWN", "EXT. PIER - DAWN", "Scene 3"]
    assert [s.title for s in doc.scenes[2].shots] == ["A fox crosses the snow", "It stops and listens"]
    assert [c.name for c in doc.cast] == ["Jo"] and film.revision == 4
    with pytest.raises(BadInput, match="missing.fountain: no such file"):
        film.add_script(tmp_path / "missing.fountain")
    assert film.revision == 4

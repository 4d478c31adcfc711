"""Plain prose to scenes and shots: headings, paragraphs, sentence splits, speakers."""
import pytest

from storyloom.script import script_to_scenes
from storyloom.script.storyboard import split_sentences

STORY = """Chapter 1: The Storm

The wind had been rising since noon. By evening, Mr. Harlow could no longer hear the sea over the shutters banging along the harbour road, and the fishermen had dragged their boats high onto the shingle. Lamps burned in every window. Somewhere a dog barked without stopping. Old Mrs. Petrie stood at her gate with a shawl over her head, watching the black water climb the slipway inch by inch. Nobody went out after dark.

"Bring the nets in," Tom said. Mary asked, "Tonight?"

Scene: The harbour at dawn

The boats are gone.
TOM: We should have listened.
MARY (quietly): We did.

The Morning After

Gulls circle over the wreckage.
"""


def test_prose_paragraphs_headings_and_speakers():
    sb = script_to_scenes(STORY, "storm.txt")
    assert sb.format == "prose"
    assert [s.title for s in sb.scenes] == ["Chapter 1: The Storm", "The harbour at dawn", "The Morning After"]
    storm = sb.scenes[0].shots
    # the 77-word paragraph is split between sentences into two shots; "Mr." and "Mrs." do not end one
    assert len(storm) == 3
    assert storm[0].description.startswith("The wind had been rising since noon. By evening, Mr. Harlow")
    assert storm[0].description.endswith("onto the shingle.")
    assert storm[1].description.startswith("Lamps burned") and storm[1].description.endswith("after dark.")
    assert all(s.duration == pytest.approx(min(20, max(1.5, len(s.description.split()) / 3)), abs=0.35)
               for s in storm[:2])
    quotes = storm[2]
    assert [(d.character, d.text) for d in quotes.dialogue] == [("Tom", "Bring the nets in"), ("Mary", "Tonight?")]
    assert quotes.characters == ["Tom", "Mary"]
    dawn = sb.scenes[1].shots[0]
    assert dawn.description == "The boats are gone."
    assert [(d.character, d.parenthetical, d.text) for d in dawn.dialogue] == [
        ("Tom", "", "We should have listened."), ("Mary", "quietly", "We did.")]
    # 4 action words / 3 + 6 spoken / 2.5 + 2 pauses
    assert dawn.duration == pytest.approx(4 / 3 + 6 / 2.5 + 0.8, abs=0.01)
    assert sb.scenes[2].shots[0].title == "Gulls circle over the wreckage"
    assert sb.characters == ["Tom", "Mary"]


def test_prose_without_headings_is_one_untitled_scene_of_paragraph_shots():
    text = "The sun rises over the bay.\n\nA ferry leaves the pier, horn sounding twice.\n\nGulls follow it."
    sb = script_to_scenes(text, "dawn.md")
    assert len(sb.scenes) == 1 and sb.scenes[0].title == ""
    assert [s.title for s in sb.shots] == ["The sun rises over the bay", "A ferry leaves the pier, horn sounding twice",
                                           "Gulls follow it"]
    assert [s.duration for s in sb.shots] == [2.0, 2.67, 1.5]   # 6 and 8 words at 3/s; 3 words: the minimum


def test_sentence_rules():
    assert split_sentences("It was 3 p.m. when Dr. Okafor left. She ran!") == [
        "It was 3 p.m. when Dr. Okafor left.", "She ran!"]
    assert split_sentences('He shouted "Stop. Now." Then silence.') == ['He shouted "Stop. Now."', "Then silence."]
    assert split_sentences("Version 2.5 shipped. e.g. this stays.") == ["Version 2.5 shipped. e.g. this stays."]


def test_prose_characters_named_in_the_action_join_the_cast(tmp_path):
    """Prose has no cues: people are the names it keeps using; places ("in London"),
    days and sentence-opening words are not."""
    text = ("Maya wakes up in a small kitchen in London and makes coffee. Tom rushes in.\n\n"
            "They run down to the harbour. On Monday the ferry is late, and Tom shouts at the captain.\n\n"
            "On the deck, Maya finally laughs. London fades behind them.\n")
    sb = script_to_scenes(text, "trip.txt")
    assert sb.characters == ["Maya", "Tom"]
    assert [sh.characters for sh in sb.shots] == [["Maya", "Tom"], ["Tom"], ["Maya"]]
    from storyloom.cli.main import main
    from storyloom.store import Library
    (tmp_path / "trip.txt").write_text(text)
    assert main(["new", str(tmp_path / "lib")]) == 0
    assert main(["script", str(tmp_path / "lib"), str(tmp_path / "trip.txt")]) == 0
    doc, _ = Library.open(tmp_path / "lib").load()
    assert sorted(c.name for c in doc.cast) == ["Maya", "Tom"]

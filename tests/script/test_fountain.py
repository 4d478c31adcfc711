"""Fountain screenplays to scenes, shots, dialogue, cast and durations."""
import pytest

from storyloom.model import Character, Project
from storyloom.script import detect_format, script_to_scenes
from storyloom.studio.script import apply_script
from storyloom.script.fountain import parse_fountain

FERRY = """Title: Night Ferry
Author: A. Writer

INT. FERRY CABIN - NIGHT

Rain streaks the porthole. MAYA (40s) studies a map under a swinging lamp.

MAYA
(to herself)
Two hours to the island.

LEO (O.S.)
Maya? You awake?

EXT. FERRY DECK - CONTINUOUS

Leo leans on the rail, soaked, grinning.

LEO
Come and see the lights.

MAYA
Later.
"""


def test_two_scenes_two_speakers_map_exactly():
    sb = script_to_scenes(FERRY, "ferry.fountain")
    assert sb.format == "fountain" and sb.title == "Night Ferry" and sb.warnings == []
    assert [s.title for s in sb.scenes] == ["INT. FERRY CABIN - NIGHT", "EXT. FERRY DECK - CONTINUOUS"]
    assert [len(s.shots) for s in sb.scenes] == [1, 1]
    cabin, deck = sb.scenes[0].shots[0], sb.scenes[1].shots[0]
    assert cabin.title == "Rain streaks the porthole"
    assert cabin.description == "Rain streaks the porthole. MAYA (40s) studies a map under a swinging lamp."
    assert [(d.character, d.parenthetical, d.text) for d in cabin.dialogue] == [
        ("Maya", "to herself", "Two hours to the island."), ("Leo", "O.S.", "Maya? You awake?")]
    assert cabin.characters == ["Maya", "Leo"]
    assert deck.title == "Leo leans on the rail, soaked, grinning"
    assert [(d.character, d.text) for d in deck.dialogue] == [("Leo", "Come and see the lights."), ("Maya", "Later.")]
    assert deck.characters == ["Leo", "Maya"]
    assert sb.characters == ["Maya", "Leo"]
    # 13 action words / 3 + 8 spoken words / 2.5 + 2 pauses of 0.4 s
    assert cabin.duration == pytest.approx(13 / 3 + 8 / 2.5 + 0.8, abs=0.01)
    assert deck.duration == pytest.approx(7 / 3 + 6 / 2.5 + 0.8, abs=0.01)
    assert 8.0 < cabin.duration < 8.7 and 5.2 < deck.duration < 5.8


def test_apply_script_appends_scenes_and_cast_once_per_name():
    p = Project(title="Untitled")
    p.add_scene("Existing").add_shot(title="kept")
    p.cast.append(Character(name="maya"))            # already there, other case
    out = apply_script(p, FERRY, "ferry.fountain")
    assert out is p
    assert [s.title for s in p.scenes] == ["Existing", "INT. FERRY CABIN - NIGHT", "EXT. FERRY DECK - CONTINUOUS"]
    assert [c.name for c in p.cast] == ["maya", "Leo"]      # the project's spelling wins
    assert p.scenes[1].shots[0].dialogue[0].character == "maya"
    assert p.title == "Night Ferry"
    apply_script(p, FERRY, "ferry.fountain")                 # again: scenes twice, cast unchanged
    assert len(p.scenes) == 5 and [c.name for c in p.cast] == ["maya", "Leo"]
    assert Project.model_validate(p.model_dump()).scenes[4].shots[0].dialogue[1].text == "Later."


SYNTAX = """Title:
    _**BRICK & STEEL**_
Credit: Written by
Author: Stu Maschwitz
Draft date: 1/20/2012

# ACT I

= A robbery goes wrong.

.SNIPER SCOPE POV #1A#

From what seems like only INCHES AWAY. _Steel's face FILLS the *Leupold Mark 4* scope_.

STEEL
The man's a myth!

@McCLANE (V.O.) ^
Yippee ki-yay. [[check this line]]

BRICK (CONT'D)
(beat)
Yeah.
(smiles)
Yeah right.

===

DISSOLVE TO:

EXT. BRICK'S PATIO - DAY

/* A whole scene
we cut out. */

> THE END <

~Willy Wonka! Willy Wonka!

!EXT. is not a heading here, forced action

%% {{ weird }} <<unknown>> syntax @@ stays as text

>CUT TO:

int. lowercase heading - night

Gone.
"""


def test_every_fountain_element_is_read():
    title, els, warns = parse_fountain(SYNTAX)
    assert title["title"] == "BRICK & STEEL" and title["author"] == "Stu Maschwitz"
    kinds = [e.kind for e in els]
    assert kinds.count("heading") == 3 and "section" in kinds and "synopsis" in kinds
    sb = script_to_scenes(SYNTAX, "brick.fountain")
    assert [s.title for s in sb.scenes] == ["SNIPER SCOPE POV", "EXT. BRICK'S PATIO - DAY",
                                            "int. lowercase heading - night"]
    scope = sb.scenes[0]
    assert scope.description == "A robbery goes wrong."                  # the synopsis
    first = scope.shots[0]
    assert first.description == ("From what seems like only INCHES AWAY. Steel's face FILLS the "
                                 "Leupold Mark 4 scope.")                    # emphasis markers gone
    said = [(d.character, d.parenthetical, d.text) for d in first.dialogue]
    assert said == [("Steel", "", "The man's a myth!"),
                    ("McCLANE", "V.O.", "Yippee ki-yay."),                 # forced cue, note removed
                    ("Brick", "beat", "Yeah."), ("Brick", "smiles", "Yeah right.")]   # CONT'D dropped
    patio = sb.scenes[1].shots
    assert patio[0].transition.kind == "crossfade" and patio[0].transition.duration == 0.5
    texts = [s.description for s in patio]
    assert texts[0] == "THE END"                                         # centred text
    assert texts[1] == "Willy Wonka! Willy Wonka!"                      # lyrics
    assert texts[2] == "EXT. is not a heading here, forced action"
    assert "<<unknown>> syntax @@ stays as text" in texts[3]            # unknown syntax: action
    assert "we cut out" not in " ".join(texts)                          # boneyard
    assert sb.scenes[2].shots[0].transition.kind == "cut"
    assert sb.characters == ["Steel", "McCLANE", "Brick"]
    assert all(1.5 <= s.duration <= 20 for s in sb.shots)


def test_long_action_and_monologue_are_split_into_shots_of_at_most_20_s():
    action = " ".join(f"Sentence number {i} describes the harbour in some detail." for i in range(20))
    speech = " ".join(f"This is line {i} of a very long speech about nothing." for i in range(30))
    text = f"EXT. HARBOUR - DAY\n\n{action}\n\nCAPTAIN\n{speech}\n"
    sb = script_to_scenes(text, "long.fountain")
    shots = sb.scenes[0].shots
    action_shots = [s for s in shots if not s.dialogue]
    # 180 words of action -> 5 shots of about 36 words, split between sentences
    assert len(action_shots) == 5
    assert all(s.description.endswith("detail.") for s in action_shots)
    assert " ".join(s.description for s in action_shots) == action
    assert all(11 <= s.duration <= 15 for s in action_shots)
    talk = [s for s in shots if s.dialogue]
    # 330 spoken words (~132 s) continue over shots of at most 20 s, each line whole sentences
    assert 7 <= len(talk) <= 10 and all(s.duration <= 20 for s in shots)
    assert all(d.text.endswith("nothing.") and d.character == "Captain" for s in talk for d in s.dialogue)
    assert " ".join(d.text for s in talk for d in s.dialogue) == speech
    assert talk[0].title.startswith("Captain: This is line 0")


def test_format_detection():
    assert detect_format("INT. ROOM - DAY\n\nA chair.", "notes.txt") == "fountain"
    assert detect_format("Once upon a time.\n\nThe end.", "story.txt") == "prose"
    assert detect_format("Once upon a time.", "x.spmd") == "fountain"
    assert detect_format("\nANNA\nHi.\n\nBEN\nHello.\n", "chat.txt") == "fountain"

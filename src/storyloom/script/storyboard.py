"""From parsed script elements to drafted scenes and shots: titles, descriptions,
dialogue, durations.

Both parsers (Fountain and prose) produce the same small element list; ``build`` maps it
onto a ``Storyboard`` of plain drafts (``SceneDraft``, ``ShotDraft``, ``LineDraft``), which
``storyloom.studio.script`` turns into the document's scenes and shots:

- a scene heading starts a scene;
- an action block becomes one shot (long blocks are split on sentences so no shot runs
  past ``MAX_SHOT_WORDS`` words of description);
- dialogue becomes lines of the current shot (a new shot when there is none, or when the
  line would push the shot past ``MAX_SECONDS``);
- a transition (``DISSOLVE TO:``) makes the next shot begin with a crossfade.

    >>> sb = build([Element("heading", "INT. KITCHEN - NIGHT"), Element("action", "Anna waits."),
    ...             Element("dialogue", character="ANNA", lines=[("", "Hello?")])], "x.fountain")
    >>> [(s.title, [(sh.title, sh.duration) for sh in s.shots]) for s in sb.scenes]
    [('INT. KITCHEN - NIGHT', [('Anna waits', 1.5)])]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

#: reading speeds: action is "watched" a little faster than dialogue is spoken
ACTION_WORDS_PER_SECOND = 3.0
DIALOGUE_WORDS_PER_SECOND = 2.5
#: breath between two dialogue lines (and between a line and the action around it)
DIALOGUE_PAUSE = 0.4
MIN_SECONDS, MAX_SECONDS = 1.5, 20.0
#: an action block longer than this is split on sentences into several shots (~13 s each)
MAX_SHOT_WORDS = 40
#: a dialogue line longer than this is split on sentences (~15 s of speech each)
MAX_SPEECH_WORDS = 36
#: words in a shot title (a short summary of the block's first words)
TITLE_WORDS = 6
#: how long a crossfade transition (DISSOLVE TO:) lasts
DISSOLVE_SECONDS = 0.5


@dataclass
class Element:
    """One parsed piece of a script.

    ``kind``: heading, action, dialogue, transition, synopsis, section, note.
    Dialogue carries ``character`` (the cue without extensions), ``extension`` (V.O.,
    O.S., …) and ``lines``: (parenthetical, text) pairs.
    """

    kind: str
    text: str = ""
    character: str = ""
    extension: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)
    line_no: int = 0


@dataclass
class LineDraft:
    """A line of dialogue: who says it, the words, how (a parenthetical)."""

    character: str
    text: str
    parenthetical: str = ""


@dataclass
class TransitionDraft:
    """How a shot begins: a ``"cut"`` or a ``"crossfade"`` of ``duration`` seconds."""

    kind: str = "cut"
    duration: float = 0.0


@dataclass
class ShotDraft:
    """A shot as the script describes it."""

    title: str = ""
    description: str = ""
    duration: float = 3.0
    dialogue: list[LineDraft] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    transition: TransitionDraft = field(default_factory=TransitionDraft)
    #: words of action (not dialogue) read in it, for its duration
    action_words: int = 0


@dataclass
class SceneDraft:
    """A scene as the script describes it: a heading, a description, its shots."""

    title: str = ""
    description: str = ""
    shots: list[ShotDraft] = field(default_factory=list)


@dataclass
class Storyboard:
    """What a script turned into: scenes of shots, the characters who speak or appear,
    and warnings about anything that was read in a fallback way."""

    scenes: list[SceneDraft]
    characters: list[str]
    warnings: list[str] = field(default_factory=list)
    format: str = "fountain"
    title: str = ""
    engine: str = "rules"

    @property
    def shots(self) -> list[ShotDraft]:
        return [shot for scene in self.scenes for shot in scene.shots]


def words(text: str) -> int:
    """Spoken or read words in ``text`` (numbers count, punctuation does not).

    >>> words("It's 5 o'clock -- run!")
    4
    """
    return len(re.findall(r"[\w']+", text))


def clamp_seconds(seconds: float) -> float:
    return round(min(MAX_SECONDS, max(MIN_SECONDS, seconds)), 2)


def estimate_seconds(action_words: int, dialogue: list[LineDraft]) -> float:
    """A shot's screen time: action read at 3 words/s, dialogue spoken at 2.5 words/s with
    a short pause per line, clamped to [1.5, 20] s.

    >>> estimate_seconds(9, [])
    3.0
    >>> estimate_seconds(0, [LineDraft(character="A", text="one two three four five")])
    2.4
    """
    spoken = sum(words(d.text) for d in dialogue)
    seconds = action_words / ACTION_WORDS_PER_SECOND + spoken / DIALOGUE_WORDS_PER_SECOND
    seconds += DIALOGUE_PAUSE * len(dialogue)
    return clamp_seconds(seconds)


def summary(text: str, max_words: int = TITLE_WORDS) -> str:
    """A short title from the first words of ``text``: the first sentence when it is
    short, else its first few words and an ellipsis.

    >>> summary("Rain hammers the roof. Anna paces, phone in hand.")
    'Rain hammers the roof'
    >>> summary("The old lighthouse keeper climbs the spiral stairs slowly")
    'The old lighthouse keeper climbs the…'
    """
    text = " ".join(text.split())
    first = split_sentences(text)[0] if text else ""
    toks = first.split()
    if len(toks) <= max_words + 2:
        return first.rstrip(".,;:!?-–— ") or first
    return " ".join(toks[:max_words]).rstrip(".,;:!?-–— ") + "…"


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "etc", "e.g", "i.e", "mt", "no",
                  "int", "ext", "approx", "fig", "capt", "lt", "sgt", "col", "gen", "rev", "ave"}
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_OPEN_QUOTES, _CLOSE_QUOTES = "“", "”"


def _inside_quotes(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside a quotation (straight quotes counted by parity)."""
    before = text[:pos]
    if before.count(_OPEN_QUOTES) > before.count(_CLOSE_QUOTES):
        return True
    return before.count('"') % 2 == 1


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``. Abbreviations (Mr., Dr., e.g.), initials (J. R.) and full
    stops inside a quotation that goes on do not end a sentence.

    >>> split_sentences('Dr. Lee waits. "Run. Now!" she says. J. R. nods.')
    ['Dr. Lee waits.', '"Run. Now!" she says.', 'J. R. nods.']
    """
    text = " ".join(text.split())
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        nxt = text[end:end + 1]
        last_word = re.findall(r"([\w.]+)[.!?…]*$", text[start:m.start() + 1].rstrip("\"'”’)]"))
        token = last_word[0].rstrip(".").lower() if last_word else ""
        if m.group().lstrip()[0] == "." and (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())):
            continue
        if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘([*"):
            continue
        # the boundary sits after closing quotes; "Run. Now!" is one quotation
        if _inside_quotes(text, m.start() + 1) and _inside_quotes(text, end):
            continue
        out.append(text[start:end].strip())
        start = end
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def _split_long(sentence: str, limit: int) -> list[str]:
    """A sentence far past ``limit`` words, split at semicolons, dashes or commas near the middle."""
    if words(sentence) <= limit * 1.5:
        return [sentence]
    parts = re.split(r"(?<=[;:—–])\s+|\s+-{2}\s+|(?<=,)\s+(?=(?:and|but|then|while|as)\b)", sentence)
    if len(parts) == 1:
        parts = re.split(r"(?<=,)\s+", sentence)
    if len(parts) == 1:
        toks = sentence.split()
        return [" ".join(toks[i:i + limit]) for i in range(0, len(toks), limit)]
    return group_sentences(parts, limit)


def group_sentences(sentences: list[str], limit: int = MAX_SHOT_WORDS) -> list[str]:
    """Consecutive sentences joined into chunks of about equal length, none much past
    ``limit`` words (one chunk when the whole fits).

    >>> group_sentences(["a b c.", "d e.", "f g h i."], limit=5)
    ['a b c. d e.', 'f g h i.']
    """
    pieces = [p for s in sentences for p in _split_long(s, limit)]
    total = sum(words(p) for p in pieces)
    if total <= limit:
        return [" ".join(pieces)] if pieces else []
    n = math.ceil(total / limit)
    target = total / n
    chunks, cur, count = [], [], 0
    for p in pieces:
        w = words(p)
        # close the chunk when this piece would take it further from the target than stopping now
        if cur and abs(count + w - target) > abs(count - target) and len(chunks) < n - 1:
            chunks.append(" ".join(cur))
            cur, count = [], 0
        cur.append(p)
        count += w
    if cur:
        chunks.append(" ".join(cur))
    return chunks


def display_name(cue: str) -> str:
    """How a character is named in the cast: an all-capitals cue in title case.

    >>> display_name("O'BRIEN"), display_name("MARY-JANE"), display_name("DR. SMITH"), display_name("McKay")
    ("O'Brien", 'Mary-Jane', 'Dr. Smith', 'McKay')
    """
    cue = " ".join(cue.split())
    if cue.upper() != cue:
        return cue
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), cue.lower())


def _transition_for(text: str) -> TransitionDraft:
    t = text.upper()
    if any(k in t for k in ("DISSOLVE", "FADE", "CROSS", "MIX")):
        return TransitionDraft(kind="crossfade", duration=DISSOLVE_SECONDS)
    return TransitionDraft(kind="cut", duration=0.0)


class _Builder:
    def __init__(self, known_cast: Optional[list[str]] = None):
        self.scenes: list[SceneDraft] = []
        self.scene: Optional[SceneDraft] = None
        self.shot: Optional[ShotDraft] = None
        self.transition: Optional[TransitionDraft] = None
        self.cast: dict[str, str] = {n.lower(): n for n in (known_cast or [])}
        self.order: list[str] = []
        self.pending_description: list[str] = []

    def name(self, cue: str) -> str:
        disp = display_name(cue)
        key = disp.lower()
        if key not in self.cast:
            self.cast[key] = disp
        name = self.cast[key]
        if name not in self.order:
            self.order.append(name)
        return name

    def ensure_scene(self) -> SceneDraft:
        if self.scene is None:
            self.new_scene("")
        return self.scene

    def new_scene(self, title: str) -> None:
        self.scene = SceneDraft(title=title, description=" ".join(self.pending_description))
        self.pending_description = []
        self.scenes.append(self.scene)
        self.shot = None

    def new_shot(self, title: str, description: str = "", action_words: int = 0) -> ShotDraft:
        shot = ShotDraft(title=title, description=description, action_words=action_words)
        if self.transition is not None:
            shot.transition = self.transition
            self.transition = None
        self.ensure_scene().shots.append(shot)
        self.shot = shot
        return shot

    def seconds(self, shot: ShotDraft, extra: list[LineDraft] = ()) -> float:
        spoken = sum(words(d.text) for d in [*shot.dialogue, *extra])
        lines = len(shot.dialogue) + len(extra)
        return (shot.action_words / ACTION_WORDS_PER_SECOND
                + spoken / DIALOGUE_WORDS_PER_SECOND + DIALOGUE_PAUSE * lines)

    def action(self, text: str, quotes: list[tuple[str, str]] = ()) -> None:
        """Shots for an action block; ``quotes`` (speaker, words) found in prose become
        dialogue of the shot that holds them (and are timed as speech, not as action)."""
        text = " ".join(text.split())
        if not text:
            return
        quotes = list(quotes)
        for chunk in group_sentences(split_sentences(text)):
            mine = [q for q in quotes if q[1] in chunk]
            quotes = [q for q in quotes if q not in mine]
            shot = self.new_shot(summary(chunk), chunk, max(0, words(chunk) - sum(words(q[1]) for q in mine)))
            for who, said in mine:
                name = self.name(who)
                shot.dialogue.append(LineDraft(character=name, text=said.rstrip(",")))
                if name not in shot.characters:
                    shot.characters.append(name)

    def dialogue(self, el: Element) -> None:
        name = self.name(el.character)
        ext = el.extension.strip()
        ext = "" if ext.upper() in ("CONT'D", "CONT’D", "CONTD", "CONT.", "CONTINUING") else ext
        for paren, text in el.lines:
            text = " ".join(text.split())
            if not text:
                continue
            paren = ", ".join(p for p in (ext, paren) if p)
            # a long speech continues over several shots, split between sentences
            for k, part in enumerate(group_sentences(split_sentences(text), MAX_SPEECH_WORDS)):
                line = LineDraft(character=name, text=part, parenthetical=paren if k == 0 else "")
                if self.shot is None or self.seconds(self.shot, [line]) > MAX_SECONDS:
                    self.new_shot(f"{name}: {summary(part, 4)}")
                self.shot.dialogue.append(line)
                if name not in self.shot.characters:
                    self.shot.characters.append(name)

    def finish(self) -> list[SceneDraft]:
        names = list(self.cast.values())
        for scene in self.scenes:
            for shot in scene.shots:
                for name in names:  # who appears in the action (by name, as written or in capitals)
                    if name in shot.characters:
                        continue
                    pattern = rf"(?<![\w'])(?:{re.escape(name)}|{re.escape(name.upper())})(?![\w])"
                    if shot.description and re.search(pattern, shot.description):
                        shot.characters.append(name)
                        if name not in self.order:
                            self.order.append(name)
                shot.duration = clamp_seconds(self.seconds(shot))
        return [s for s in self.scenes if s.shots]


def build(elements: list[Element], filename: str, fmt: str = "fountain", title: str = "",
          known_cast: Optional[list[str]] = None, warnings: Optional[list[str]] = None) -> Storyboard:
    """Map parsed elements to a ``Storyboard`` (scenes still to be added to a project).

    ``known_cast`` are names already in the project: a cue matching one (in any case)
    uses that spelling.
    """
    b = _Builder(known_cast)
    warnings = list(warnings or [])
    for el in elements:
        if el.kind == "heading":
            b.new_scene(el.text)
        elif el.kind == "action":
            b.action(el.text, el.lines)
        elif el.kind == "dialogue":
            b.dialogue(el)
        elif el.kind == "transition":
            b.transition = _transition_for(el.text)
        elif el.kind == "synopsis":
            if b.scene is not None and not b.scene.shots:
                b.scene.description = " ".join(filter(None, [b.scene.description, el.text]))
            elif b.shot is not None:
                b.shot.description = " ".join(filter(None, [b.shot.description, el.text]))
            else:
                b.pending_description.append(el.text)
    scenes = b.finish()
    empty = [s.title for s in b.scenes if not s.shots and s.title]
    if empty:
        warnings.append(f"{filename}: {len(empty)} scene heading(s) with nothing under them were skipped "
                        f"({', '.join(empty[:3])}{', …' if len(empty) > 3 else ''})")
    return Storyboard(scenes=scenes, characters=b.order, warnings=warnings, format=fmt, title=title)

"""Plain prose to script elements: paragraphs become shots, headings start scenes.

A paragraph's first line starts a scene when it reads as a heading: ``Scene: …``,
``Chapter 3``, ``Part Two: …``, ``Act I``, a Markdown ``# heading``, or a short
title-like line standing alone (a few capitalised words, no closing punctuation).
Lines written ``NAME: words`` are dialogue, and so are quotations with a speaker
("…," Anna said / Anna asked, "…").

    >>> els = parse_prose("Chapter 1: The Storm\\n\\nRain hits the glass. Ben: Close it!")
    >>> [(e.kind, e.text or e.character) for e in els]
    [('heading', 'Chapter 1: The Storm'), ('action', 'Rain hits the glass. Ben: Close it!')]
"""
from __future__ import annotations

import re

from storyloom.script.storyboard import Element

_SCENE_WORD = re.compile(r"^(?:scene|chapter|part|act|book|episode|prologue|epilogue|interlude)\b",
                         re.IGNORECASE)
_SPEAKER_LINE = re.compile(r"^([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2})\s*(?:\(([^)]*)\))?:\s+(\S.*)$")
_NOT_SPEAKERS = {"scene", "chapter", "part", "act", "note", "notes", "title", "summary", "setting", "time",
                 "place", "location", "int", "ext", "cut", "fade", "dissolve", "book", "episode"}
_VERBS = (r"said|says|asked|asks|shouted|shouts|whispered|whispers|replied|replies|answered|answers|"
          r"called|calls|cried|cries|yelled|yells|muttered|mutters|added|adds|snapped|snaps|told|tells|"
          r"murmured|murmurs|exclaimed|exclaims")
_QUOTE = r"[\"“]([^\"“”]+)[\"”]"
_NAME = r"([A-Z][a-z'’]+(?: [A-Z][a-z'’]+)?)"
_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "the", "a", "then", "and", "but", "someone"}
_AFTER = re.compile(_QUOTE + r",?\s+(?:" + _NAME + r"\s+(?:" + _VERBS + r")|(?:" + _VERBS + r")\s+" + _NAME + r")\b")
_BEFORE = re.compile(_NAME + r"\s+(?:" + _VERBS + r")[,:]?\s+" + _QUOTE)


def _heading(line: str, alone: bool, has_more: bool) -> str | None:
    """The scene title when ``line`` is a heading, else None."""
    s = line.strip()
    if s.startswith("#"):
        return s.lstrip("#").strip() or None
    m = re.match(r"^scene\s*:\s*(.+)$", s, re.IGNORECASE)
    if m:
        return m.group(1).strip()
    if _SCENE_WORD.match(s) and len(s.split()) <= 10 and not s.endswith((".", "!", "?", ",")) or \
            _SCENE_WORD.match(s) and len(s.split()) <= 3:
        return s.rstrip(":").strip()
    # a short title-like line standing alone before more text
    toks = s.split()
    if alone and has_more and 1 <= len(toks) <= 6 and not re.search(r"[.!?,;:\"”’']$", s) \
            and s[0].isupper() and sum(t[0].isupper() for t in toks if t[0].isalpha()) >= max(1, len(toks) // 2):
        return s
    return None


def quoted_dialogue(paragraph: str) -> list[tuple[str, str]]:
    """(speaker, words) for each quotation whose speaker is named beside it.

    >>> quoted_dialogue('"Close the window," Ben said. Anna asked, "Why?" "No," he said.')
    [('Ben', 'Close the window,'), ('Anna', 'Why?')]
    """
    found = []  # (where the quotation starts, speaker, words)
    for m in _AFTER.finditer(paragraph):
        name = m.group(2) or m.group(3)
        if name and name.split()[0].lower() not in _PRONOUNS:
            found.append((m.start(1), name, m.group(1).strip()))
    for m in _BEFORE.finditer(paragraph):
        if m.group(1).split()[0].lower() not in _PRONOUNS and not any(p == m.start(2) for p, *_ in found):
            found.append((m.start(2), m.group(1), m.group(2).strip()))
    return [(name, said) for _, name, said in sorted(found)]


#: capitalised words that start sentences or name things, never people
_NOT_NAMES = set("""
a an the this that these those there here then than when while where after before as at by for from in into
on onto of off out over under up down with without within through across along around behind beside between
near past since until upon toward towards i he she it we you they me him her us them my his its our your their
mine yours ours theirs who whom whose what which why how if so but and or nor yet because though although
soon later now today tonight tomorrow yesterday meanwhile suddenly finally again still once every each all
some someone somebody everyone everybody nobody nothing something anything no not yes oh ah well just only
even also maybe perhaps outside inside above below far close next last first morning evening night day
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december god sir madam mr mrs ms dr miss lord lady captain doctor mum mom dad
mother father grandma grandpa chapter scene part act book episode int ext cut fade
""".split())
_CAPITALISED = re.compile(r"(?<![\w'’-])([A-Z][a-z'’]+)(?=(\s+[a-z]+)?)")


#: words before a place, rarely before a person ("in London", "across Baker Street")
_PLACE_BEFORE = re.compile(r"\b(?:in|into|from|near|across|through|toward|towards|around|outside|inside|"
                           r"beyond|throughout|above|below|on)\s+$", re.IGNORECASE)


def prose_names(text: str) -> list[str]:
    """People named in prose: a capitalised word (not a common word, a day or a title)
    seen at least twice, at least once straight before a lower-case word ("Maya
    laughs", "Tom finally shouts"), and never after a word that introduces a place
    ("in London"), in order of first appearance.

    >>> prose_names("Maya wakes early. The sun is up. Later Maya calls Tom, and Tom runs.")
    ['Maya', 'Tom']
    >>> prose_names("Rain falls in London. London sleeps.")
    []
    >>> prose_names("The boat drifts. The boat sinks.")
    []
    """
    counts: dict[str, int] = {}
    acting: set[str] = set()
    places: set[str] = set()
    for m in _CAPITALISED.finditer(text):
        word = m.group(1)
        if word.lower().strip("'’") in _NOT_NAMES or word.endswith(("'s", "’s")) and word[:-2].lower() in _NOT_NAMES:
            continue
        word = re.sub(r"['’]s$", "", word)
        counts[word] = counts.get(word, 0) + 1
        if m.group(2):
            acting.add(word)
        if _PLACE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            places.add(word)
    return [w for w, n in counts.items() if n >= 2 and w in acting and w not in places]


def parse_prose(text: str) -> list[Element]:
    """Parse prose ``text`` into heading / action / dialogue elements."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    elements: list[Element] = []
    for k, para in enumerate(paragraphs):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        title = _heading(lines[0], alone=len(lines) == 1, has_more=k + 1 < len(paragraphs))
        if title is not None:
            elements.append(Element("heading", title))
            lines = lines[1:]
        action: list[str] = []
        for ln in lines:
            m = _SPEAKER_LINE.match(ln)
            if m and m.group(1).split()[0].lower().rstrip(".") not in _NOT_SPEAKERS:
                if action:
                    elements.append(Element("action", " ".join(action)))
                    action = []
                elements.append(Element("dialogue", character=m.group(1), extension=m.group(2) or "",
                                        lines=[("", m.group(3).strip())]))
            else:
                action.append(ln)
        if action:
            elements.append(Element("action", " ".join(action),
                                    lines=[(name, said) for name, said in quoted_dialogue(" ".join(action))]))
    return elements

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

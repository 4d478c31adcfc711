"""A Fountain (https://fountain.io/syntax) reader: screenplay plain text to elements.

Handles the title page, scene headings (INT./EXT./EST./I/E and forced ``.``, scene
numbers ``#1A#``), action (and forced ``!``), character cues with extensions
(``(V.O.)``, ``(CONT'D)``), forced ``@`` cues and dual dialogue ``^``, parentheticals,
dialogue, transitions (``CUT TO:``, forced ``>``), centered text ``>…<``, lyrics ``~``,
notes ``[[…]]``, boneyard ``/*…*/``, sections ``#``, synopses ``=``, page breaks
``===`` and emphasis markers. Anything else is read as action; nothing raises.

    >>> title, els, warns = parse_fountain("Title: Rain\\n\\nINT. HALL - DAY\\n\\nANNA\\n(quietly)\\nHi.\\n")
    >>> title["title"], [(e.kind, e.text or e.character) for e in els], els[1].lines
    ('Rain', [('heading', 'INT. HALL - DAY'), ('dialogue', 'ANNA')], [('quietly', 'Hi.')])
"""
from __future__ import annotations

import re

from storyloom.script.storyboard import Element

TITLE_KEYS = {"title", "credit", "author", "authors", "source", "draft date", "date", "contact", "copyright",
              "notes", "revision", "episode", "format", "font"}
HEADING = re.compile(r"^(?:INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|I\.?/E)[.\s]", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#[\w.\-]+#\s*$")
_SENTINEL = "\x00"


def _strip_hidden(text: str, warnings: list[str]) -> str:
    """Boneyard and notes replaced by a marker (a line holding only markers is dropped
    later, so a note inside dialogue does not end the dialogue)."""
    def hide(m: re.Match) -> str:
        return _SENTINEL
    if text.count("/*") > text.count("*/"):
        warnings.append("an unclosed boneyard /* was kept as text")
    text = re.sub(r"/\*.*?\*/", hide, text, flags=re.S)
    if text.count("[[") > text.count("]]"):
        warnings.append("an unclosed note [[ was kept as text")
    return re.sub(r"\[\[.*?\]\]", hide, text, flags=re.S)


def plain(text: str) -> str:
    """Text without Fountain emphasis markers and escapes.

    >>> plain(r"She *really* **hates** _this_ \\*sigh\\*")
    'She really hates this *sigh*'
    """
    text = text.replace("\\*", "\x01").replace("\\_", "\x02")
    for marker in (r"\*\*\*", r"\*\*", r"\*", "_"):
        text = re.sub(rf"{marker}(?=\S)(.+?)(?<=\S){marker}", r"\1", text)
    return text.replace("\x01", "*").replace("\x02", "_").replace(_SENTINEL, "").strip()


def _title_page(lines: list[str]) -> tuple[dict[str, str], int]:
    """Title page keys (lower-case) and the index of the first line after it."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    m = re.match(r"^([A-Za-z][A-Za-z ]*):(.*)$", lines[i]) if i < len(lines) else None
    if not m or m.group(1).strip().lower() not in TITLE_KEYS:
        return {}, 0
    page: dict[str, str] = {}
    key = None
    while i < len(lines) and lines[i].strip():
        m = re.match(r"^([A-Za-z][A-Za-z ]*):(.*)$", lines[i])
        if m and not lines[i][:1].isspace():
            key = m.group(1).strip().lower()
            page[key] = m.group(2).strip()
        elif key is not None:  # an indented continuation line
            page[key] = (page[key] + "\n" + lines[i].strip()).strip()
        i += 1
    return {k: plain(v) for k, v in page.items()}, i


def _is_cue(line: str) -> tuple[str, str] | None:
    """(name, extension) when ``line`` is a character cue, else None."""
    s = line.strip()
    forced = s.startswith("@")
    s = s.lstrip("@").rstrip("^").strip()
    m = re.match(r"^(.*?)\s*(?:\(([^()]*)\))?\s*(?:\(([^()]*)\))?$", s)
    name, ext = (m.group(1).strip(), " ".join(filter(None, [m.group(2), m.group(3)]))) if m else (s, "")
    if not name:
        return None
    if forced:
        return name, ext
    if not re.search(r"[^\W\d_]", name) or name != name.upper() or HEADING.match(name + " "):
        return None
    if name.endswith(("TO:", ":")) or len(name.split()) > 5:
        return None
    return name, ext


def parse_fountain(text: str) -> tuple[dict[str, str], list[Element], list[str]]:
    """Parse Fountain ``text``: (title page, elements, warnings). Never raises on odd input."""
    warnings: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _strip_hidden(text, warnings)
    lines = [ln for ln in text.split("\n") if not (ln.strip() and not ln.replace(_SENTINEL, "").strip())]
    title, i = _title_page(lines)
    elements: list[Element] = []
    n = len(lines)

    def blank(k: int) -> bool:
        return k < 0 or k >= n or not lines[k].strip()

    while i < n:
        raw = lines[i]
        s = raw.strip()
        if not s:
            i += 1
            continue
        prev_blank = blank(i - 1)
        line_no = i + 1
        if re.fullmatch(r"={3,}", s):
            i += 1
            continue
        if s.startswith("#"):
            elements.append(Element("section", plain(s.lstrip("#")), line_no=line_no))
            i += 1
            continue
        if s.startswith("=") and not s.startswith("=="):
            elements.append(Element("synopsis", plain(s[1:]), line_no=line_no))
            i += 1
            continue
        if s.startswith("!"):
            i = _action(lines, i, elements, forced=True)
            continue
        if (s.startswith(".") and not s.startswith("..") and len(s) > 1) or (prev_blank and HEADING.match(s)):
            heading = SCENE_NUMBER.sub("", s[1:] if s.startswith(".") else s)
            elements.append(Element("heading", plain(heading), line_no=line_no))
            i += 1
            continue
        if s.startswith(">") and s.endswith("<"):
            elements.append(Element("action", plain(s[1:-1]), line_no=line_no))  # centered text
            i += 1
            continue
        if s.startswith(">") or (prev_blank and blank(i + 1) and s.upper() == s and s.endswith("TO:")):
            elements.append(Element("transition", plain(s.lstrip(">")), line_no=line_no))
            i += 1
            continue
        cue = _is_cue(s) if (prev_blank and not blank(i + 1)) else None
        if cue is not None:
            i = _dialogue(lines, i, cue, elements)
            continue
        i = _action(lines, i, elements)
    return title, elements, warnings


def _action(lines: list[str], i: int, elements: list[Element], forced: bool = False) -> int:
    """An action paragraph: lines up to the next blank line (lyrics ``~`` read as action)."""
    start, chunk = i, []
    while i < len(lines) and lines[i].strip():
        s = lines[i].strip()
        if i == start and forced:
            s = s[1:]
        chunk.append(s.lstrip("~").strip() if s.startswith("~") else s)
        i += 1
    text = plain(" ".join(chunk))
    if text:
        elements.append(Element("action", text, line_no=start + 1))
    return i


def _dialogue(lines: list[str], i: int, cue: tuple[str, str], elements: list[Element]) -> int:
    """A cue and its dialogue up to the next blank line; each parenthetical starts a new line
    of dialogue once some text has been said. A line of two spaces keeps the block going."""
    name, ext = cue
    el = Element("dialogue", character=plain(name), extension=plain(ext), line_no=i + 1)
    i += 1
    paren, said = "", []
    while i < len(lines) and (lines[i].strip() or lines[i] == "  "):
        s = lines[i].strip()
        if s.startswith("(") and s.endswith(")"):
            if said:
                el.lines.append((paren, plain(" ".join(said))))
                said = []
            paren = plain(s[1:-1])
        elif s:
            said.append(s.lstrip("~").strip())
        i += 1
    if said or paren:
        el.lines.append((paren, plain(" ".join(said))))
    elements.append(el)
    return i


def looks_like_fountain(text: str) -> bool:
    """Whether plain text reads as a screenplay: a scene heading, a title page, a
    transition, or at least two character cues each followed by dialogue.

    >>> looks_like_fountain("EXT. BEACH - DAY\\n\\nWaves.")
    True
    >>> looks_like_fountain("It was a dark and stormy night.\\n\\nThe wind howled.")
    False
    """
    lines = text.replace("\r\n", "\n").split("\n")
    if _title_page(lines)[0]:
        return True
    cues = 0
    for k, ln in enumerate(lines):
        s = ln.strip()
        prev_blank = k == 0 or not lines[k - 1].strip()
        next_text = k + 1 < len(lines) and lines[k + 1].strip()
        if prev_blank and HEADING.match(s):
            return True
        if prev_blank and s.isupper() and s.endswith("TO:"):
            return True
        if prev_blank and next_text and s and not s.endswith(":") and _is_cue(s.lstrip("@")) is not None \
                and (s.startswith("@") or len(s.split()) <= 3):
            cues += 1
    return cues >= 2

"""Script to storyboard: a Fountain screenplay or plain prose becomes scenes of shots with
descriptions, dialogue, characters and durations.

    >>> sb = script_to_scenes("INT. KITCHEN - NIGHT\\n\\nAnna waits by the phone.\\n\\nANNA\\nRing.\\n")
    >>> [(s.title, [(sh.title, sh.characters) for sh in s.shots]) for s in sb.scenes], sb.characters
    ([('INT. KITCHEN - NIGHT', [('Anna waits by the phone', ['Anna'])])], ['Anna'])

Parsers only: text in, a ``Storyboard`` of plain drafts out (nothing of the document).
``storyloom.studio.script.apply_script(project, text, filename)`` appends those scenes to a
document and adds each new speaker to its cast. The rule-based reader is the default
engine (capability ``script``); an OpenAI-compatible LLM endpoint can be used instead
(engine ``llm``) and falls back to the rules, with a warning, whenever its answer is unusable.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from storyloom.errors import BadInput
from storyloom.script.fountain import looks_like_fountain, parse_fountain
from storyloom.script.prose import parse_prose, prose_names
from storyloom.script.storyboard import (MAX_SECONDS, MIN_SECONDS, Element, LineDraft, SceneDraft, ShotDraft,
                                         Storyboard, TransitionDraft, build, estimate_seconds, summary, words)

__all__ = ["Storyboard", "SceneDraft", "ShotDraft", "LineDraft", "TransitionDraft", "Element", "detect_format",
           "decode_script", "read_script", "check_text", "script_to_scenes", "estimate_seconds", "summary",
           "words", "MIN_SECONDS", "MAX_SECONDS", "FOUNTAIN_SUFFIXES"]

FOUNTAIN_SUFFIXES = (".fountain", ".spmd")
#: scripts larger than this are refused (a feature screenplay is ~200 kB)
MAX_SCRIPT_BYTES = 20 * 1024 * 1024


def decode_script(data: bytes, filename: str = "script") -> str:
    """Text of a script file's bytes (UTF-8, UTF-16 with a BOM, or Windows-1252), refusing
    binary files.

    >>> decode_script("Caf\\u00e9".encode("utf-8"))
    'Café'
    >>> decode_script(b"\\x00\\x01PK")
    Traceback (most recent call last):
    storyloom.errors.BadInput: script: is a binary file, not a script (found NUL bytes)
    """
    name = Path(filename).name
    if len(data) > MAX_SCRIPT_BYTES:
        raise BadInput(f"{name}: {len(data) / 1e6:.0f} MB is too large for a script (limit 20 MB)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput(f"{name}: is not valid UTF-16 text") from None
    if b"\x00" in data:
        raise BadInput(f"{name}: is a binary file, not a script (found NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise BadInput(f"{name}: is not text (neither UTF-8 nor Windows-1252)") from None
    check_text(text, name)
    return text


def check_text(text: str, filename: str = "script") -> None:
    """Refuse text that is empty, blank or binary (NUL or many control characters)."""
    name = Path(filename).name
    if "\x00" in text:
        raise BadInput(f"{name}: is a binary file, not a script (found NUL bytes)")
    if not text.strip():
        raise BadInput(f"{name}: is empty (no text to make a storyboard from)")
    controls = len(re.findall(r"[\x01-\x08\x0b\x0e-\x1f\x7f]", text))
    if controls > max(2, len(text) // 100):
        raise BadInput(f"{name}: looks binary ({controls} control characters), not a script")


def read_script(path) -> str:
    """The text of a script file (BadInput when missing, a folder, binary or empty)."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if not path.is_file():
        raise BadInput(f"{path}: is not a file")
    text = decode_script(path.read_bytes(), path.name)
    check_text(text, path.name)
    return text


def detect_format(text: str, filename: str = "script.fountain") -> str:
    """``"fountain"`` for a .fountain/.spmd file or text that reads as a screenplay, else ``"prose"``.

    >>> detect_format("Once upon a time.", "story.txt"), detect_format("Once.", "a.fountain")
    ('prose', 'fountain')
    """
    if Path(filename).suffix.lower() in FOUNTAIN_SUFFIXES:
        return "fountain"
    return "fountain" if looks_like_fountain(text) else "prose"


def script_to_scenes(text: str, filename: str = "script.fountain", known_cast: Optional[list[str]] = None,
                     fmt: Optional[str] = None) -> Storyboard:
    """Rule-based storyboard from a script's text (Fountain or prose, see ``detect_format``).

    ``known_cast``: names already in the project (a cue matching one in any case keeps its
    spelling). BadInput for empty or binary text, or text with nothing to film.

    >>> sb = script_to_scenes("The sun rises over the bay.", "dawn.txt")
    >>> sb.format, [(s.title, s.duration) for s in sb.shots]
    ('prose', [('The sun rises over the bay', 2.0)])
    """
    name = Path(filename).name
    if isinstance(text, bytes):
        text = decode_script(text, name)
    check_text(text, name)
    fmt = fmt or detect_format(text, filename)
    if fmt == "fountain":
        title_page, elements, warnings = parse_fountain(text)
        title = title_page.get("title", "").split("\n")[0]
    else:
        elements, warnings, title = parse_prose(text), [], ""
        # prose has no character cues: people are the names it keeps using (matched in
        # each shot's description like any known name; kept spellings win)
        known = {n.lower() for n in (known_cast or [])}
        known_cast = list(known_cast or []) + [n for n in prose_names(text) if n.lower() not in known]
    warnings = [f"{name}: {w}" for w in warnings]
    sb = build(elements, name, fmt=fmt, title=title, known_cast=known_cast, warnings=warnings)
    if not sb.shots:
        raise BadInput(f"{name}: no action or dialogue found to make shots from")
    return sb

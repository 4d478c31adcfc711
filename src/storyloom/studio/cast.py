"""The cast: characters with a description and a voice; shots and dialogue follow a
renamed character.

    >>> from storyloom.model import Project
    >>> doc = Project()
    >>> add_character(doc, "Anna").summary
    "add character 'Anna'"
"""
from __future__ import annotations

from typing import Optional

from storyloom.errors import BadInput
from storyloom.model import Character, Project, Voice
from storyloom.studio.board import by_id
from storyloom.studio.commit import Edit, patch


def character_by_id(doc: Project, character_id: str) -> Character:
    """The character with id ``character_id``; NotFound otherwise."""
    return by_id(doc.cast, character_id, f"project {doc.title!r}: no character {character_id!r}")


def _unique(doc: Project, name: str, except_id: Optional[str] = None) -> str:
    name = name.strip()
    if any(c.name.lower() == name.lower() and c.id != except_id for c in doc.cast):
        raise BadInput(f"character {name!r}: the cast already has someone of that name")
    return name


def add_character(doc: Project, name: str, description: str = "") -> Edit:
    """A new character (names are unique in the cast, in any case)."""
    c = Character(name=_unique(doc, name), description=description)
    doc.cast.append(c)
    return Edit(f"add character {c.name!r}", c.id)


def _rename(doc: Project, c: Character, new: str) -> str:
    """Rename ``c`` and every mention of it in shots and dialogue; what it says."""
    new = _unique(doc, new, c.id)
    for shot in doc.shots():
        shot.characters = [new if x == c.name else x for x in shot.characters]
        for line in shot.dialogue:
            if line.character == c.name:
                line.character = new
    said = f"rename character {c.name!r} to {new!r}"
    c.name = new
    return said


def set_character(doc: Project, character_id: str, name: Optional[str] = None,
                  description: Optional[str] = None, voice: Optional[dict] = None) -> Edit:
    """Rename (shots that name the character follow), describe, change the voice (the
    given fields of ``voice`` change, the others stay)."""
    c = character_by_id(doc, character_id)
    said = [_rename(doc, c, name)] if name is not None and name.strip() != c.name else []
    said += patch(c, {"description": description}, {"description": lambda v: f"describe character {c.name!r}"})
    if voice is not None:
        c.voice = Voice(**{**c.voice.model_dump(exclude={"schema"}), **voice})
        said.append(f"set the voice of {c.name!r}")
    return Edit("; ".join(said) or f"edit character {c.name!r}")


def delete_character(doc: Project, character_id: str) -> Edit:
    """Remove a character from the cast and from the shots that list it."""
    c = character_by_id(doc, character_id)
    doc.cast.remove(c)
    for shot in doc.shots():
        if c.id in shot.characters or c.name in shot.characters:
            shot.characters = [x for x in shot.characters if x not in (c.id, c.name)]
    return Edit(f"delete character {c.name!r}")

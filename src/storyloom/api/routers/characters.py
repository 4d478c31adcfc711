"""The cast: characters with a description and a voice."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, changed, get_lib, mutate
from storyloom.errors import BadInput, NotFound
from storyloom.model.document import Character, Project, Voice

router = APIRouter(prefix="/api/projects/{pid}/characters", tags=["characters"])
Pid = PathParam(..., pattern=ID_PATTERN)
Cid = PathParam(..., pattern=ID_PATTERN)


class VoiceIn(BaseModel):
    engine: Optional[str] = None
    voice: Optional[str] = None
    rate: Optional[float] = Field(None, gt=0, le=4)
    pitch: Optional[float] = Field(None, ge=-12, le=12)


class CharacterCreate(BaseModel):
    base_revision: int
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""


class CharacterPatch(BaseModel):
    base_revision: int
    name: Optional[str] = Field(None, min_length=1, max_length=120)
    description: Optional[str] = None
    voice: Optional[VoiceIn] = None


def _by_id(doc: Project, cid: str) -> Character:
    for c in doc.cast:
        if c.id == cid:
            return c
    raise NotFound(f"project {doc.title!r}: no character {cid!r}")


def _unique(doc: Project, name: str, except_id: Optional[str] = None) -> str:
    name = name.strip()
    if any(c.name.lower() == name.lower() and c.id != except_id for c in doc.cast):
        raise BadInput(f"character {name!r}: the cast already has someone of that name")
    return name


@router.post("")
def add_character(body: CharacterCreate, pid: str = Pid, lib=Depends(get_lib)) -> dict:
    def change(doc: Project):
        c = Character(name=_unique(doc, body.name), description=body.description)
        doc.cast.append(c)
        return f"add character {c.name!r}", c.id
    return mutate(lib, pid, body.base_revision, change)


@router.patch("/{cid}")
def patch_character(body: CharacterPatch, pid: str = Pid, cid: str = Cid, lib=Depends(get_lib)) -> dict:
    """Rename (shots that name the character follow), describe, change the voice."""
    def change(doc: Project):
        c = _by_id(doc, cid)
        said = []
        if body.name is not None and body.name.strip() != c.name:
            new = _unique(doc, body.name, c.id)
            for shot in doc.shots():
                shot.characters = [new if x == c.name else x for x in shot.characters]
                for line in shot.dialogue:
                    if line.character == c.name:
                        line.character = new
            said.append(f"rename character {c.name!r} to {new!r}")
            c.name = new
        if changed(body, c, "description"):
            said.append(f"describe character {c.name!r}")
            c.description = body.description
        if body.voice is not None:
            c.voice = Voice(**{**c.voice.model_dump(exclude={"schema"}),
                               **body.voice.model_dump(exclude_none=True)})
            said.append(f"set the voice of {c.name!r}")
        return ("; ".join(said) or f"edit character {c.name!r}"), None
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/{cid}")
def delete_character(pid: str = Pid, cid: str = Cid, base_revision: int = Query(...), lib=Depends(get_lib)) -> dict:
    """Remove a character from the cast and from the shots that list it."""
    def change(doc: Project):
        c = _by_id(doc, cid)
        doc.cast.remove(c)
        for shot in doc.shots():
            if c.id in shot.characters or c.name in shot.characters:
                shot.characters = [x for x in shot.characters if x not in (c.id, c.name)]
        return f"delete character {c.name!r}", None
    return mutate(lib, pid, base_revision, change)

"""The cast: characters with a description and a voice."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import CharacterId, LibraryDep, Pid, mutate
from storyloom.studio import cast

router = APIRouter(prefix="/api/projects/{pid}/characters", tags=["characters"])


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


@router.post("")
def add_character(body: CharacterCreate, pid: Pid, lib: LibraryDep) -> dict:
    return mutate(lib, pid, body.base_revision, lambda doc: cast.add_character(doc, body.name, body.description))


@router.patch("/{cid}")
def patch_character(body: CharacterPatch, pid: Pid, cid: CharacterId, lib: LibraryDep) -> dict:
    """Rename (shots that name the character follow), describe, change the voice."""
    voice = body.voice.model_dump(exclude_none=True) if body.voice is not None else None
    return mutate(lib, pid, body.base_revision,
                  lambda doc: cast.set_character(doc, cid, body.name, body.description, voice))


@router.delete("/{cid}")
def delete_character(pid: Pid, cid: CharacterId, lib: LibraryDep, base_revision: int = Query(...)) -> dict:
    """Remove a character from the cast and from the shots that list it."""
    return mutate(lib, pid, base_revision, lambda doc: cast.delete_character(doc, cid))

"""Operations: what edits exist (with their form schema and whether they can run here),
and adding / removing them on a shot or a layer."""
from __future__ import annotations

import re
from typing import Optional

from fastapi import APIRouter, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, LibraryDep, Pid, ShotId, mutate
from storyloom.engines.base import engines
from storyloom.model import operation_types
from storyloom.render.steps import FIELD_EXAMPLES, step_of
from storyloom.studio import layers

router = APIRouter(tags=["operations"])

#: fields the studio sets itself, never shown in an operation's form
INTERNAL_FIELDS = ("schema", "engine")


class OperationAdd(BaseModel):
    base_revision: int
    operation: dict = Field(..., description='{"schema": "Restyle.1", ...fields}; "schema" may also be a bare '
                                             'name ("Restyle")')
    layer_id: Optional[str] = Field(None, pattern=ID_PATTERN)


def _label(name: str) -> str:
    """``CameraMove`` → ``Camera move``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return " ".join([words[0]] + [w.lower() for w in words[1:]]) if words else name


def user_schema(cls) -> dict:
    """The JSON schema of the fields a user sets (internal fields dropped)."""
    schema = cls.model_json_schema()
    props = schema.get("properties", {})
    for key in INTERNAL_FIELDS:
        props.pop(key, None)
    if "required" in schema:
        schema["required"] = [k for k in schema["required"] if k not in INTERNAL_FIELDS]
    schema.pop("description", None)  # given once, as the operation's description
    return schema


def add_examples(name: str, schema: dict) -> dict:
    """Give ``schema``'s free-text fields their known values (from the operation's render
    step, ``storyloom.render.steps``) as JSON-schema ``examples``. A missing or broken
    engine package just leaves the field free text.

    >>> add_examples("CameraMove", {"properties": {"move": {"type": "string"}}})["properties"]["move"]["examples"][:2]
    ['pan-left', 'pan-right']
    """
    props = schema.get("properties", {})
    if not _has_step(name):   # loads the step module, which registers its examples
        return schema
    for (op, field), values in FIELD_EXAMPLES.items():
        if op != name or field not in props or "examples" in props[field]:
            continue
        try:
            found = [str(v) for v in values()]
        except Exception:  # noqa: BLE001 - as above
            continue
        if found:
            props[field]["examples"] = found
    return schema


def _has_step(name: str) -> bool:
    try:
        return step_of(name) is not None
    except Exception:  # noqa: BLE001 - a step module that does not load cannot render
        return False


def describe_operations() -> list[dict]:
    """Every operation type with its schema and availability from the engine registry.

    >>> [o["name"] for o in describe_operations()][:2]     # doctest: +SKIP
    ['CameraMove', 'Cutout']
    """
    out = []
    for name, cls in sorted(operation_types().items()):
        cap = cls.capability
        backends = []
        for e in engines(cap) if cap else []:
            a = e.is_available()
            backends.append({"name": e.NAME, "available": bool(a), "reason": a.reason or ("ready" if a else "")})
        has_step = _has_step(name)
        if not cap:  # carried out by the renderer itself, no engine involved
            reason = "ready" if has_step else f"{name} cannot be rendered yet (no render step for it)"
        elif not backends:
            reason = f"no engine for {cap} yet"
        elif not any(b["available"] for b in backends):
            reason = f"no {cap} engine can run here: " + "; ".join(f"{b['name']}: {b['reason']}" for b in backends)
        elif not has_step:
            reason = f"{name} cannot be rendered yet (no render step for it)"
        else:
            best = next(b for b in backends if b["available"])
            reason = f"ready ({best['name']})"
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        out.append({"name": name, "label": _label(name), "capability": cap, "target": cls.target,
                    "description": " ".join(doc.split()), "schema": add_examples(name, user_schema(cls)),
                    "available": has_step and (not cap or any(b["available"] for b in backends)),
                    "reason": reason, "engines": backends})
    return out


@router.get("/api/operations")
def list_operations() -> list[dict]:
    return describe_operations()


@router.post("/api/projects/{pid}/shots/{shot_id}/operations")
def add_operation(body: OperationAdd, pid: Pid, shot_id: ShotId, lib: LibraryDep) -> dict:
    """Append an operation to the shot (or to ``layer_id``'s own operations)."""
    op = layers.validate(body.operation)   # 400 naming what is valid, before any save
    return mutate(lib, pid, body.base_revision, lambda doc: layers.add_operation(doc, shot_id, op, body.layer_id))


@router.delete("/api/projects/{pid}/shots/{shot_id}/operations/{index}")
def delete_operation(pid: Pid, shot_id: ShotId, lib: LibraryDep, index: int = PathParam(..., ge=0),
                     base_revision: int = Query(...), layer_id: Optional[str] = Query(None, pattern=ID_PATTERN)) -> dict:
    """Remove operation number ``index`` (0 = first applied) of the shot or of ``layer_id``."""
    return mutate(lib, pid, base_revision, lambda doc: layers.remove_operation(doc, shot_id, index, layer_id))

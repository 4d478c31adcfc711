"""Operations: what edits exist (with their form schema and whether they can run here),
and adding / removing them on a shot or a layer."""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Optional

from fastapi import APIRouter, Depends, Path as PathParam, Query
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, get_lib, mutate, shot_name
from storyloom.errors import BadInput, NotFound, StoryloomError
from storyloom.model.document import Project

router = APIRouter(tags=["operations"])
Pid = PathParam(..., pattern=ID_PATTERN)
ShotId = PathParam(..., pattern=ID_PATTERN)

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


def _camera_moves() -> list[str]:
    from storyloom.engines.camera.base import MOVES
    return list(MOVES)


def _style_names() -> list[str]:
    from storyloom.engines.restyle.catalogue import style_names
    return list(style_names())


#: closed lists of values for free-text fields, shown by the studio as a select (JSON-schema
#: "examples"); each comes from its engine package, imported only when operations are listed
FIELD_EXAMPLES = {("CameraMove", "move"): _camera_moves, ("Restyle", "style"): _style_names}


def add_examples(name: str, schema: dict) -> dict:
    """Give ``schema``'s free-text fields their known values as JSON-schema ``examples``.
    A missing or broken engine package just leaves the field free text.

    >>> add_examples("CameraMove", {"properties": {"move": {"type": "string"}}})["properties"]["move"]["examples"][:2]
    ['pan-left', 'pan-right']
    """
    props = schema.get("properties", {})
    for (op, field), values in FIELD_EXAMPLES.items():
        if op != name or field not in props or "examples" in props[field]:
            continue
        try:
            found = [str(v) for v in values()]
        except Exception:  # noqa: BLE001 — an optional engine package: free text is the fallback
            continue
        if found:
            props[field]["examples"] = found
    return schema


def describe_operations() -> list[dict]:
    """Every operation type with its schema and availability from the engine registry.

    >>> [o["name"] for o in describe_operations()][:2]     # doctest: +SKIP
    ['CameraMove', 'Cutout']
    """
    from storyloom.engines.base import engines
    from storyloom.model.operations import operation_types
    from storyloom.render.steps import step_for
    engines()  # engine packages may register operations and their steps
    out = []
    for name, cls in sorted(operation_types().items()):
        cap = cls.capability
        backends = []
        for e in engines(cap) if cap else []:
            a = e.is_available()
            backends.append({"name": e.NAME, "available": bool(a), "reason": a.reason or ("ready" if a else "")})
        try:
            step_for(SimpleNamespace(schema_name=name))
            has_step = True
        except StoryloomError:
            has_step = False
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


def _operation(data: dict):
    from storyloom.model.operations import load_operation, operation_types
    from storyloom.engines.base import engines
    engines()
    data = dict(data)
    tag = str(data.get("schema", ""))
    if not tag:
        raise BadInput('operation: give its type as "schema", e.g. {"schema": "Restyle.1", "style": "ukiyo-e"}')
    name = tag.rpartition(".")[0] if re.fullmatch(r".+\.\d+", tag) else tag
    cls = operation_types().get(name)
    if cls is None:
        raise BadInput(f"operation {name!r}: unknown (known: {', '.join(sorted(operation_types()))})")
    data["schema"] = tag if name != tag else cls.schema_tag()
    return load_operation(data)


@router.post("/api/projects/{pid}/shots/{shot_id}/operations")
def add_operation(body: OperationAdd, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib)) -> dict:
    """Append an operation to the shot (or to ``layer_id``'s own operations)."""
    from storyloom.model.operations import validate_operation
    op = validate_operation(_operation(body.operation))   # 400 naming what is valid, before any save

    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        if body.layer_id:
            layer = shot.layer(body.layer_id)
            layer.operations = [*layer.operations, op]
            return f"{op.label()} on layer {layer.name!r} of {shot_name(shot, doc)}", None
        if op.target == "layer":
            raise BadInput(f"{op.schema_name}: works on one layer; choose the layer (layer_id)")
        shot.add_operation(op)
        return f"{op.label()} on {shot_name(shot, doc)}", None
    return mutate(lib, pid, body.base_revision, change)


@router.delete("/api/projects/{pid}/shots/{shot_id}/operations/{index}")
def delete_operation(pid: str = Pid, shot_id: str = ShotId, index: int = PathParam(..., ge=0),
                     base_revision: int = Query(...), layer_id: Optional[str] = Query(None, pattern=ID_PATTERN),
                     lib=Depends(get_lib)) -> dict:
    """Remove operation number ``index`` (0 = first applied) of the shot or of ``layer_id``."""
    def change(doc: Project):
        _, shot = doc.find_shot(shot_id)
        owner = shot.layer(layer_id) if layer_id else shot.take
        ops = list(owner.operations)
        if index >= len(ops):
            raise NotFound(f"{shot_name(shot, doc)}: has no operation {index} (it has {len(ops)})")
        op = ops.pop(index)
        owner.operations = ops
        where = f"layer {owner.name!r} of " if layer_id else ""
        return f"remove {op.label()} from {where}{shot_name(shot, doc)}", None
    return mutate(lib, pid, base_revision, change)

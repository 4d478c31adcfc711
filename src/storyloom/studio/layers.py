"""A shot's layer stack and operations: add a layer (a stored file, colour, text, another
shot), change, restack or delete it; add or remove an operation on the shot or a layer.

Cutting an object out as a layer is ``storyloom.studio.cutout``; a scene's new background
``storyloom.studio.background``.

    >>> from storyloom.model import Project, ColorSource
    >>> doc = Project(); shot = doc.add_scene().add_shot(title="Sky")
    >>> add_layer(None, doc, shot.id, ColorSource(color="#3366ff")).summary
    "add layer '#3366ff' to shot 'Sky'"
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from storyloom.errors import BadInput, NotFound
from storyloom.model import (AssetRef, AssetSource, ColorSource, Layer, Operation, Param, Project, ShotSource,
                             TextSource, load_operation, operation_types)
from storyloom.render.steps import validate_operation
from storyloom.studio.board import shot_name
from storyloom.studio.commit import Edit, patch

SOURCES = (AssetSource, ColorSource, TextSource, ShotSource)


def layer_source(lib, source: Any):
    """The layer source ``source`` means: a ready source object; a ``{"kind": ...}`` dict as
    the API sends it (an asset must be in the library and have a picture); or a file path,
    stored in the library now.

    >>> layer_source(None, {"kind": "color", "color": "#000000"})
    {'kind': 'color', 'color': '#000000'}
    """
    if isinstance(source, SOURCES):
        return source
    if isinstance(source, dict):
        if source.get("kind") != "asset":
            return source
        asset = source.get("asset") or {}
        sha = str(asset.get("sha256", ""))
        ref = AssetRef(sha256=sha, name=str(asset.get("name", "")), kind="video")  # validates the hash
        info = lib.asset_info(ref.sha256)  # NotFound when it is not in the library
        if info.kind == "audio":
            raise BadInput(f"asset {ref.name or sha[:12]}: has no picture to use as a layer")
        return {**source, "asset": {"sha256": sha, "name": ref.name, "kind": info.kind}}
    ref, info = lib.import_asset(source)
    if info.kind == "audio":
        raise BadInput(f"{Path(source).name}: has no picture to use as a layer")
    return AssetSource(asset=ref)


def _default_name(src) -> str:
    if isinstance(src, AssetSource):
        return (Path(src.asset.name).stem or src.asset.sha256[:8])[:60]
    return (getattr(src, "text", None) or getattr(src, "color", None) or "layer")[:60]


def add_layer(lib, doc: Project, shot_id: str, source: Any, name: str = "", role: Optional[str] = None,
              index: Optional[int] = None, **fields: Any) -> Edit:
    """A layer at ``index`` of the shot's selected take (0 = bottom, None = top) from
    ``source`` (see ``layer_source``). ``role`` None: "background" for a picture put at the
    bottom (as import does), else "other". Other fields (fit, start, transform, …) go to
    ``Layer``."""
    src = layer_source(lib, source)
    _, shot = doc.find_shot(shot_id)
    n = len(shot.layers)
    index = n if index is None else min(index, n)
    if role is None:
        kind = src.get("kind") if isinstance(src, dict) else src.kind
        role = "background" if index == 0 and kind == "asset" else "other"
    layer = Layer(name=name or "", role=role, source=src, **fields)
    layer.name = layer.name or _default_name(layer.source)
    shot.add_layer(layer, index)
    return Edit(f"add layer {layer.name!r} to {shot_name(shot, doc)}", layer.id)


def set_layer(doc: Project, shot_id: str, layer_id: str, name: Optional[str] = None, role: Optional[str] = None,
              visible: Optional[bool] = None, opacity: Optional[float] = None, blend: Optional[str] = None,
              fit: Optional[str] = None, volume: Optional[float] = None) -> Edit:
    """Rename, show/hide, set opacity (constant: its keyframes go), role, blend, fit, volume."""
    _, shot = doc.find_shot(shot_id)
    layer = shot.layer(layer_id)
    label = f"layer {layer.name!r} of {shot_name(shot, doc)}"
    said = patch(layer, {"name": name, "visible": visible}, {
        "name": lambda v: f"rename {label} to {v!r}",
        "visible": lambda v: f"{'show' if v else 'hide'} {label}"})
    if opacity is not None:
        said.append(f"set opacity of {label} to {opacity:g}")
        layer.transform.opacity = Param(value=opacity)
    said += patch(layer, {"role": role, "blend": blend, "fit": fit, "volume": volume},
                  {key: (lambda v, key=key: f"set {key} of {label} to {v}") for key in ("role", "blend", "fit", "volume")})
    return Edit("; ".join(said) or f"edit {label}")


def move_layer(doc: Project, shot_id: str, layer_id: str, index: int) -> Edit:
    """Put the layer at ``index`` of the stack (0 = bottom)."""
    _, shot = doc.find_shot(shot_id)
    layer = shot.layer(layer_id)
    layers = shot.layers
    layers.remove(layer)
    index = min(index, len(layers))
    layers.insert(index, layer)
    where = "the bottom" if index == 0 else "the top" if index == len(layers) - 1 else f"position {index + 1}"
    return Edit(f"move layer {layer.name!r} of {shot_name(shot, doc)} to {where}")


def delete_layer(doc: Project, shot_id: str, layer_id: str) -> Edit:
    """Remove a layer from the shot's stack."""
    _, shot = doc.find_shot(shot_id)
    layer = shot.layer(layer_id)
    shot.layers.remove(layer)
    return Edit(f"delete layer {layer.name!r} from {shot_name(shot, doc)}")


def operation_from(data: Any) -> Operation:
    """An operation from its tagged dict (``{"schema": "Restyle.1", ...}``; a bare name such
    as ``"Restyle"`` means the current version), or as it is.

    >>> operation_from({"schema": "Restyle", "style": "ukiyo-e"}).style
    'ukiyo-e'
    """
    if isinstance(data, Operation):
        return data
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


def validate(operation: Any) -> Operation:
    """The operation (an ``Operation`` or its dict) once its render step accepts its values;
    BadInput naming what is valid otherwise (``storyloom.render.steps.validate_operation``).

    >>> validate({"schema": "Upscale", "scale": 3})
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: scale 3: must be 2 or 4
    """
    return validate_operation(operation_from(operation))


def add_operation(doc: Project, shot_id: str, operation: Any, layer_id: Optional[str] = None) -> Edit:
    """Apply an operation (an ``Operation`` or its dict) to the shot, or to layer
    ``layer_id``; refused (BadInput naming what is valid) when its step cannot use its values."""
    op = validate(operation)
    _, shot = doc.find_shot(shot_id)
    if layer_id:
        layer = shot.layer(layer_id)
        layer.operations = [*layer.operations, op]
        return Edit(f"{op.label()} on layer {layer.name!r} of {shot_name(shot, doc)}")
    if op.target == "layer":
        raise BadInput(f"{op.schema_name}: works on one layer; choose the layer (layer_id)")
    shot.add_operation(op)
    return Edit(f"{op.label()} on {shot_name(shot, doc)}")


def remove_operation(doc: Project, shot_id: str, index: int, layer_id: Optional[str] = None) -> Edit:
    """Remove operation number ``index`` (0 = first applied) of the shot or of ``layer_id``."""
    _, shot = doc.find_shot(shot_id)
    owner = shot.layer(layer_id) if layer_id else shot.take
    ops = list(owner.operations)
    if index >= len(ops):
        raise NotFound(f"{shot_name(shot, doc)}: has no operation {index} (it has {len(ops)})")
    op = ops.pop(index)
    owner.operations = ops
    where = f"layer {owner.name!r} of " if layer_id else ""
    return Edit(f"remove {op.label()} from {where}{shot_name(shot, doc)}")

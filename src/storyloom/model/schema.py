"""Versioned serialisation: every object carries a ``"schema": "Type.N"`` tag.

Like OpenTimelineIO's ``OTIO_SCHEMA``, the tag lets old project files keep loading:
``register_upgrade("Project", 1)`` adds a function that turns a version-1 dict into a
version-2 dict, and loading runs every upgrade from the file's version to the current one.
A file from a *newer* Storyloom is refused with a clear message rather than misread.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from storyloom.errors import BadInput

SCHEMA_KEY = "schema"

_UPGRADES: dict[tuple[str, int], Callable[[dict], dict]] = {}
_TYPES: dict[str, type["Schema"]] = {}


class NewerSchemaError(BadInput):
    """The data was written by a newer Storyloom than this one."""


def register_upgrade(type_name: str, from_version: int):
    """Register a function upgrading ``type_name`` data from ``from_version`` to the next.

    >>> @register_upgrade("Example", 1)
    ... def _(d):
    ...     d["name"] = d.pop("title")
    ...     return d
    """
    def deco(fn: Callable[[dict], dict]) -> Callable[[dict], dict]:
        _UPGRADES[(type_name, from_version)] = fn
        return fn
    return deco


def parse_tag(tag: str) -> tuple[str, int]:
    name, _, version = str(tag).rpartition(".")
    if not name or not version.isdigit():
        raise BadInput(f"bad schema tag {tag!r}: expected 'Type.N'")
    return name, int(version)


def upgrade(data: dict, type_name: str, current: int) -> dict:
    """Bring ``data`` (tagged with some version of ``type_name``) up to ``current``."""
    tag = data.get(SCHEMA_KEY)
    if tag is None:
        return data
    name, version = parse_tag(tag)
    if name != type_name:
        raise BadInput(f"expected a {type_name} but found a {name}")
    if version > current:
        raise NewerSchemaError(
            f"{type_name}.{version} was written by a newer Storyloom (this one reads up to "
            f"{type_name}.{current}); upgrade Storyloom to open it")
    data = dict(data)
    while version < current:
        fn = _UPGRADES.get((type_name, version))
        if fn is None:
            raise BadInput(f"no upgrade from {type_name}.{version} to {type_name}.{version + 1}")
        data = fn(data)
        version += 1
    data[SCHEMA_KEY] = f"{type_name}.{current}"
    return data


class Schema(BaseModel):
    """Base of every serialised document object.

    Subclasses set ``schema_name`` and ``schema_version``; dumping adds the tag and
    loading upgrades older data first.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_name: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.__dict__.get("schema_name"):
            _TYPES[cls.schema_name] = cls

    @classmethod
    def schema_tag(cls) -> str:
        return f"{cls.schema_name}.{cls.schema_version}"

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        if isinstance(data, dict) and SCHEMA_KEY in data:
            data = upgrade(data, cls.schema_name, cls.schema_version)
            data = {k: v for k, v in data.items() if k != SCHEMA_KEY}
        return data

    @model_serializer(mode="wrap")
    def _tag(self, handler):
        out = handler(self)
        if isinstance(out, dict):
            return {SCHEMA_KEY: self.schema_tag(), **out}
        return out


def schema_type(name: str) -> type[Schema]:
    """The registered class for a schema name (``"Shot"`` → ``Shot``)."""
    try:
        return _TYPES[name]
    except KeyError:
        raise BadInput(f"unknown schema type {name!r}") from None

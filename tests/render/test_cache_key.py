"""A step's cache key names the engines the operation may run on here, not every engine
of its capability: an engine the choice never lands on changes nothing; a new version of
the chosen one, or a better one becoming available, changes the key."""
from __future__ import annotations

import json

from storyloom.engines.base import AVAILABLE, Availability, Engine, _REGISTRY, candidates, register, resolve
from storyloom.model import Interpolate
from storyloom.render.cache import engine_key


def _add(monkeypatch, name: str, priority: int, available: bool = True, version: str = "1"):
    cls = type(f"Test{name}", (Engine,), {"NAME": name, "CAPABILITY": "interpolate", "PRIORITY": priority,
                                         "VERSION": version})
    cls.is_available = classmethod(lambda c: AVAILABLE if available else Availability(False, "off"))
    monkeypatch.setitem(_REGISTRY, ("interpolate", name), cls)
    return register(cls)


def test_key_names_only_the_engine_that_runs(monkeypatch):
    op = Interpolate(factor=2)
    best = resolve("interpolate").engine
    key = engine_key(op)
    assert json.loads(key) == [best.identity()]
    _add(monkeypatch, "lesser", -100)                       # available, never chosen
    assert engine_key(op) == key
    _add(monkeypatch, "better-but-off", 1000, available=False)
    assert engine_key(op) == key
    _add(monkeypatch, "better", 1000)                       # becomes the choice: recompute
    assert json.loads(engine_key(op)) == ["better@1"]
    _add(monkeypatch, "better", 1000, version="2")          # a new version of the chosen one
    assert json.loads(engine_key(op)) == ["better@2"]


def test_a_pinned_engine_is_the_only_one_in_the_key(monkeypatch):
    _add(monkeypatch, "better", 1000)
    pinned = resolve("interpolate").engine.NAME
    assert pinned == "better"
    flow = [c for c in candidates("interpolate", "flow")]
    assert [c.NAME for c in flow] == ["flow"]
    assert json.loads(engine_key(Interpolate(factor=2, engine="flow"))) == [flow[0].identity()]

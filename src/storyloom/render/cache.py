"""On-disk cache of operation step outputs, keyed by content.

A step's output is stored as ``<cache_dir>/steps/ab/<key>.npy`` with ``<key>.json`` beside
it (engine, version, parameters, input hashes, time). The key is
``sha256(input key, op.model_dump_json(), engine identity)``, so changing any parameter,
the input or the engine recomputes.

    >>> len(step_key("abc", '{"x":1}', "Invert"))
    64
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np

from storyloom.render.steps import Clip, StepContext, step_for


def sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def step_key(input_key: str, op_json: str, engine: str) -> str:
    """The cache key of one step's output."""
    return sha(input_key, op_json, engine)


def _engine(op) -> str:
    """The engine identity in a step's key: the engine asked for (or the operation's name)
    and every engine of its capability with its version and availability, so a new engine
    version, or weights that make a better engine available, re-derive the step."""
    name = op.engine or op.schema_name
    capability = getattr(op, "capability", "")
    if not capability:
        return name
    from storyloom.engines.base import capability_identities
    return json.dumps([name, capability_identities(capability)])


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    d = Path(cache_dir) / "steps" / key[:2]
    return d / f"{key}.npy", d / f"{key}.json"


def run_step_cached(op, clip: Clip, ctx: StepContext, input_key: str,
                    cache_dir: Optional[Path]) -> tuple[Clip, str]:
    """Run ``op`` on ``clip`` (or load its cached output): (output clip, output key).

    >>> out, key = run_step_cached(op, clip, StepContext(), input_key, lib.cache_dir)  # doctest: +SKIP
    """
    key = step_key(input_key, op.model_dump_json(), _engine(op))
    if cache_dir is None:
        return step_for(op)(op, clip, ctx), key
    npy, meta = _paths(cache_dir, key)
    if npy.exists() and meta.exists():
        info = json.loads(meta.read_text())
        return Clip(np.load(npy, mmap_mode="r"), float(info.get("fps", clip.fps))), key
    ctx.provenance = {}
    out = step_for(op)(op, clip, ctx)
    npy.parent.mkdir(parents=True, exist_ok=True)
    # written to temp names and renamed so a crash never leaves half a cache entry
    fd, tmp = tempfile.mkstemp(prefix=".step.", suffix=".npy", dir=npy.parent)
    with os.fdopen(fd, "wb") as f:
        np.save(f, np.ascontiguousarray(out.frames))
    os.replace(tmp, npy)
    record = {
        "engine": ctx.provenance.get("engine", op.engine or op.schema_name),
        "version": ctx.provenance.get("version", ""),
        "operation": op.schema_name,
        "parameters": json.loads(op.model_dump_json()),
        "input": input_key,
        "output": key,
        "fps": out.fps,
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "provenance": ctx.provenance,
    }
    fd, tmp = tempfile.mkstemp(prefix=".step.", suffix=".json", dir=npy.parent)
    with os.fdopen(fd, "w") as f:
        json.dump(record, f, indent=1, default=str)
    os.replace(tmp, meta)
    return out, key

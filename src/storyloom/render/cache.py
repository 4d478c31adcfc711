"""On-disk cache of operation step outputs, keyed by content.

A step's output is stored as ``<cache_dir>/steps/ab/<key>.npy`` with ``<key>.json`` beside
it (engine, version, parameters, input hashes, time). The key is
``sha256(input key, op.model_dump_json(), engines)``, where ``engines`` names the engines
that may carry the operation out (``storyloom.engines.base.candidates``: the one pinned, or
the best available one and, when its choice depends on the input, those after it), each
with its version: changing a parameter, the input, an engine's version, or making a better
engine available recomputes; an engine the choice can never land on changes nothing.

    >>> len(step_key("abc", '{"x":1}', "Invert"))
    64
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import threading
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from storyloom.engines.base import candidates
from storyloom.errors import BadInput
from storyloom.media.files import atomic_write, write_json
from storyloom.model.document import ShotSource
from storyloom.render.clip import Clip
from storyloom.render.steps import StepContext, step_for


def sha(*parts: str) -> str:
    """SHA-256 (hex) of strings joined by NUL: a content key.

    >>> sha("a", "b") == sha("a", "b") != sha("ab")
    True
    """
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def step_key(input_key: str, op_json: str, engine: str) -> str:
    """The cache key of one step's output."""
    return sha(input_key, op_json, engine)


def engine_key(op) -> str:
    """The engines in a step's key: the identities (``name@version``) of the engines
    ``op`` may run on here (``candidates``), or the operation's own name when no engine
    carries it out (the renderer's own steps, such as ``Harmonize``).

    >>> from storyloom.model import Interpolate
    >>> engine_key(Interpolate(factor=2))                  # doctest: +SKIP
    '["flow@3"]'
    """
    capability = getattr(op, "capability", "")
    if not capability:
        return op.engine or op.schema_name
    return json.dumps([c.identity() for c in candidates(capability, op.engine)])


def shot_content(project, shot, seen: tuple = ()) -> str:
    """A shot's content with the content of every shot its layers show (for cache keys)."""
    parts = [shot.take.model_dump_json(exclude={"name", "id"}), repr(shot.duration)]
    for layer in shot.layers:
        src = layer.source
        if isinstance(src, ShotSource) and src.shot_id not in seen:
            try:
                target = project.find_shot(src.shot_id)[1]
            except BadInput:
                continue
            parts.append(shot_content(project, target, seen + (shot.id,)))
    return "\0".join(parts)


_tally = threading.local()


@contextlib.contextmanager
def counting() -> Iterator[dict]:
    """Count the work done in this thread inside the block: ``steps`` computed, ``reused``
    (step outputs read from the cache), ``chunks`` (runs of frames composited). Counts of
    a nested block are added to the outer one too.

    >>> with counting() as work:
    ...     count("steps")
    >>> work
    {'steps': 1, 'reused': 0, 'chunks': 0}
    """
    outer = getattr(_tally, "counts", None)
    counts = {"steps": 0, "reused": 0, "chunks": 0}
    _tally.counts = counts
    try:
        yield counts
    finally:
        _tally.counts = outer
        if outer is not None:
            for k, v in counts.items():
                outer[k] = outer.get(k, 0) + v


def count(what: str, n: int = 1) -> None:
    """Add ``n`` to the count ``what`` of the ``counting`` block this thread is in (if any)."""
    counts = getattr(_tally, "counts", None)
    if counts is not None:
        counts[what] = counts.get(what, 0) + n


def output_key(op, input_key: str) -> str:
    """The cache key of ``op``'s output on the input keyed ``input_key``."""
    return step_key(input_key, op.model_dump_json(), engine_key(op))


def _paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    d = Path(cache_dir) / "steps" / key[:2]
    return d / f"{key}.npy", d / f"{key}.json"


def cached_clip(key: str, cache_dir: Optional[Path], fps: float = 0.0) -> Optional[Clip]:
    """The step output stored under ``key`` (memory-mapped), or None when there is none.

    >>> cached_clip("0" * 64, None) is None
    True
    """
    if cache_dir is None:
        return None
    npy, meta = _paths(cache_dir, key)
    if not (npy.exists() and meta.exists()):
        return None
    info = json.loads(meta.read_text())
    return Clip(np.load(npy, mmap_mode="r"), float(info.get("fps", fps)))


def cached_piece(key: str, cache_dir: Optional[Path]) -> Optional[dict]:
    """A finished piece of a long job other than frames (the shots found in a video, its
    thumbnails), stored as JSON beside the step outputs; None when there is none.

    >>> cached_piece("0" * 64, None) is None
    True
    """
    if cache_dir is None:
        return None
    path = Path(cache_dir) / "steps" / key[:2] / f"{key}.piece.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def store_piece(key: str, cache_dir: Optional[Path], data: dict) -> None:
    """Keep a finished piece (see ``cached_piece``); written atomically.

    >>> store_piece(sha("shots", asset), lib.cache_dir, {"shots": []})   # doctest: +SKIP
    """
    if cache_dir is not None:
        write_json(Path(cache_dir) / "steps" / key[:2] / f"{key}.piece.json", data)


def run_step_cached(op, clip: Clip, ctx: StepContext, input_key: str,
                    cache_dir: Optional[Path]) -> tuple[Clip, str]:
    """Run ``op`` on ``clip`` (or load its cached output): (output clip, output key).

    >>> out, key = run_step_cached(op, clip, StepContext(), input_key, lib.cache_dir)  # doctest: +SKIP
    """
    key = output_key(op, input_key)
    if cache_dir is None:
        count("steps")
        return step_for(op)(op, clip, ctx), key
    hit = cached_clip(key, cache_dir, clip.fps)
    if hit is not None:
        count("reused")
        return hit, key
    npy, meta = _paths(cache_dir, key)
    ctx.provenance = {}
    out = step_for(op)(op, clip, ctx)
    count("steps")
    # written atomically, the frames first: a crash never leaves half a cache entry
    with atomic_write(npy, suffix=".npy") as tmp:
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(out.frames))
    write_json(meta, {
        "engine": ctx.provenance.get("engine", op.engine or op.schema_name),
        "version": ctx.provenance.get("version", ""),
        "operation": op.schema_name,
        "parameters": json.loads(op.model_dump_json()),
        "input": input_key,
        "output": key,
        "fps": out.fps,
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "provenance": ctx.provenance,
    })
    return out, key

"""Rendering a whole project: shots in parallel chunks, joined, crossfaded, mixed, encoded.

Each chunk (a run of one shot's frames) renders in a worker process into a temporary
``.npy`` memmap inside ``lib.cache_dir``; the main process joins them in order.

    >>> res = render_project(lib, project, "film.mp4", workers=0)   # doctest: +SKIP
    >>> res.frames, res.duration                                   # doctest: +SKIP
    (120, 5.0)
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from storyloom.model.document import AssetSource, Project
from storyloom.render.render import iter_shot_frames, layer_window, render_shot, shot_frame_count

CHUNK = 24  # frames per chunk: small, so encoding starts early and long shots spread over workers


@dataclass
class RenderResult:
    path: Path
    frames: int
    duration: float
    seconds: float


def _lib_ref(lib):
    """What a worker needs to reopen the library (the real Library holds a database)."""
    try:
        from storyloom.store import Library
        if isinstance(lib, Library):
            return ("root", str(lib.root))
    except ImportError:
        pass
    return ("obj", lib)


def _open_lib(ref):
    kind, val = ref
    if kind == "root":
        from storyloom.store import Library
        return Library.open(val)
    return val


def _render_chunk(lib, project_json: str, shot_index: int, start: int, end: int, out: str) -> str:
    project = Project.model_validate_json(project_json)
    shot = project.shots()[shot_index]
    h, w = project.size.height, project.size.width
    mm = np.lib.format.open_memmap(out, mode="w+", dtype=np.uint8, shape=(end - start, h, w, 3))
    if shot.operations:
        frames = render_shot(lib, project, shot).frames
        mm[:] = frames[start:end]
    else:
        for i, f in enumerate(iter_shot_frames(lib, project, shot, start, end)):
            mm[i] = f
    mm.flush()
    del mm
    return out


def _chunk_worker(ref, project_json, shot_index, start, end, out) -> str:
    return _render_chunk(_open_lib(ref), project_json, shot_index, start, end, out)


def _mix_audio(lib, project, starts: list[float], total: float) -> np.ndarray:
    from storyloom.media import read_audio
    rate = project.sample_rate
    n = int(round(total * rate))
    mix = np.zeros((2, n), np.float32)
    for shot, t0 in zip(project.shots(), starts):
        for layer in shot.layers:
            src = layer.source
            if not (layer.visible and isinstance(src, AssetSource)) or layer.volume <= 0:
                continue
            info = lib.asset_info(src.asset.sha256)
            if not info.has_audio:
                continue
            a, b = layer_window(layer, shot.duration)
            dur = b - a
            if src.out_point is not None:
                dur = min(dur, src.out_point - src.in_point)
            if dur <= 0:
                continue
            audio = read_audio(lib.asset_path(src.asset.sha256), rate, 2, start=src.in_point, duration=dur)
            audio = audio[:, :int(round(dur * rate))] * layer.volume
            at = int(round((t0 + a) * rate))
            k = max(0, min(audio.shape[1], n - at))
            mix[:, at:at + k] += audio[:, :k]
    return np.clip(mix, -1, 1)


def _pool_context():
    """Fork where the platform has it: spawned workers would re-run the caller's main
    module, which breaks scripts without a ``__main__`` guard, notebooks and stdin."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def render_project(lib, project, out, progress: Optional[Callable[[float, str], None]] = None,
                   workers: Optional[int] = None) -> RenderResult:
    """Render every shot and write the film to ``out`` (.mp4: H.264 + AAC).

    ``workers=0`` renders in this process; otherwise chunks go to a process pool
    (default ``min(2, cpu_count)`` workers). On any failure nothing is left at ``out``.

    >>> render_project(lib, project, "film.mp4").frames   # doctest: +SKIP
    72
    """
    from storyloom.errors import BadInput
    from storyloom.media import VideoWriter
    t_start = time.monotonic()
    progress = progress or (lambda f, m: None)
    shots = project.shots()
    if not shots:
        raise BadInput(f"project {project.title!r}: no shots to render")
    fps = project.fps
    w, h = project.size.width, project.size.height
    counts = [shot_frame_count(project, s) for s in shots]
    # crossfade overlap (frames) at the start of each shot
    overlap = [0]
    for i, s in enumerate(shots[1:], 1):
        k = int(round(s.transition.duration * fps)) if s.transition.kind == "crossfade" else 0
        # a shot cannot give more frames to crossfades than it has left after the previous one
        overlap.append(max(0, min(k, counts[i - 1] - overlap[i - 1], counts[i])))
    total = sum(counts) - sum(overlap)
    starts_f, pos = [], 0
    for c, k in zip(counts, overlap):
        pos -= k
        starts_f.append(pos)
        pos += c
    workers = min(2, os.cpu_count() or 1) if workers is None else workers

    cache_dir = Path(lib.cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="render-", dir=cache_dir))
    writer = None
    pool = None
    try:
        pj = project.model_dump_json()
        chunks: list[list[tuple[int, int, object]]] = []   # per shot: (start, end, future)
        jobs = []
        for si, (shot, n) in enumerate(zip(shots, counts)):
            # operated shots (or layers) need the whole clip at once: one chunk, steps run once
            step = n if shot.operations or any(l.operations for l in shot.layers) else CHUNK
            chunks.append([])
            for a in range(0, n, step):
                b = min(n, a + step)
                jobs.append((si, a, b, str(tmp / f"{si:05d}-{a:07d}.npy")))
        if workers > 0 and len(jobs) > 1:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
            ref = _lib_ref(lib)
            for si, a, b, p in jobs:
                chunks[si].append((a, b, pool.submit(_chunk_worker, ref, pj, si, a, b, p)))
        else:
            for si, a, b, p in jobs:
                chunks[si].append((a, b, None, p))

        def shot_frames(si):
            for entry in chunks[si]:
                if len(entry) == 4:
                    a, b, _, p = entry
                    _render_chunk(lib, pj, si, a, b, p)
                else:
                    a, b, fut = entry
                    p = fut.result()
                mm = np.load(p, mmap_mode="r")
                for f in mm:
                    yield f
                del mm
                os.unlink(p)

        writer = VideoWriter(out, w, h, fps, audio_rate=project.sample_rate)
        written = 0
        carry: list[np.ndarray] = []   # the previous shot's last frames, to crossfade
        for si in range(len(shots)):
            k_in = overlap[si]
            k_out = overlap[si + 1] if si + 1 < len(shots) else 0
            n = counts[si]
            for j, f in enumerate(shot_frames(si)):
                if j < k_in:
                    # crossfade weight of the new shot grows (j+1)/(k+1): the middle is 50/50
                    wgt = (j + 1) / (k_in + 1)
                    f = (carry[j].astype(np.float32) * (1 - wgt) + f.astype(np.float32) * wgt + 0.5).astype(np.uint8)
                elif j >= n - k_out:
                    carry.append(np.array(f))
                    continue
                writer.write(np.ascontiguousarray(f))
                written += 1
                if written % 12 == 0:
                    progress(0.95 * written / total, f"frame {written}/{total}")
            carry = carry[-k_out:] if k_out else []
        progress(0.96, "mixing audio")
        duration = total / fps
        writer.write_audio(_mix_audio(lib, project, [s / fps for s in starts_f], duration))
        path = writer.close()
        progress(1.0, "done")
        return RenderResult(Path(path), written, duration, time.monotonic() - t_start)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(tmp, ignore_errors=True)

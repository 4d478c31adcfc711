"""The timeline: a whole project rendered as shots in chunks, joined with cuts and
crossfades, its sound mixed, encoded.

Each chunk (a run of one shot's frames) renders on the executor (``storyloom.render.executor``:
this process or a local process pool) into a temporary ``.npy`` memmap inside
``lib.cache_dir``; this process joins them in order.

    >>> res = render_project(lib, project, "film.mp4", workers=0)   # doctest: +SKIP
    >>> res.frames, res.duration                                   # doctest: +SKIP
    (120, 5.0)
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from storyloom.errors import BadInput
from storyloom.media import VideoWriter, read_audio
from storyloom.model.document import AssetSource, Project
from storyloom.model.timing import layer_window, shot_frame_count
from storyloom.render.executor import executor_for, library_ref, open_library
from storyloom.render.shot import iter_shot_frames, render_shot

CHUNK = 24  # frames per chunk: small, so encoding starts early and long shots spread over workers


@dataclass
class RenderResult:
    """A rendered film: where it is, its frames, its length and how long it took (s)."""

    path: Path
    frames: int
    duration: float
    seconds: float


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
    return _render_chunk(open_library(ref), project_json, shot_index, start, end, out)


def _mix_audio(lib, project, starts: list[float], total: float) -> np.ndarray:
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


def _overlaps(project, counts: list[int]) -> list[int]:
    """Crossfade overlap (frames) at the start of each shot: a shot cannot give more frames
    to crossfades than it has left after the previous one."""
    overlap = [0]
    for i, s in enumerate(project.shots()[1:], 1):
        k = int(round(s.transition.duration * project.fps)) if s.transition.kind == "crossfade" else 0
        overlap.append(max(0, min(k, counts[i - 1] - overlap[i - 1], counts[i])))
    return overlap


def _chunks(project, counts: list[int]) -> list[list[tuple[int, int]]]:
    """Per shot, the frame ranges it renders in: ``CHUNK`` frames each, or the whole shot when
    it (or a layer) has operations (they need the whole clip at once, and run once)."""
    out = []
    for shot, n in zip(project.shots(), counts):
        step = n if shot.operations or any(layer.operations for layer in shot.layers) else CHUNK
        out.append([(a, min(n, a + step)) for a in range(0, n, step)])
    return out


def _submit_chunks(executor, lib, project, chunks: list[list[tuple[int, int]]], tmp: Path) -> list[list]:
    """Every shot's chunks put on ``executor``: per shot, the futures of its ``.npy`` files."""
    pj = project.model_dump_json()
    ref = library_ref(lib) if executor.remote else ("obj", lib)
    return [[executor.submit(_chunk_worker, ref, pj, si, a, b, str(tmp / f"{si:05d}-{a:07d}.npy"))
             for a, b in ranges] for si, ranges in enumerate(chunks)]


def _frames_of(futures: list):
    """A shot's frames from its chunks' files, in order; each file is removed once read."""
    for fut in futures:
        path = fut.result()
        mm = np.load(path, mmap_mode="r")
        yield from mm
        del mm
        os.unlink(path)


def render_project(lib, project, out, progress: Optional[Callable[[float, str], None]] = None,
                   workers: Optional[int] = None) -> RenderResult:
    """Render every shot and write the film to ``out`` (.mp4: H.264 + AAC).

    ``workers=0`` renders in this process; otherwise chunks go to a local process pool
    (default ``min(2, cpu_count)`` workers). On any failure nothing is left at ``out``.

    >>> render_project(lib, project, "film.mp4").frames   # doctest: +SKIP
    72
    """
    t_start = time.monotonic()
    progress = progress or (lambda f, m: None)
    shots = project.shots()
    if not shots:
        raise BadInput(f"project {project.title!r}: no shots to render")
    fps = project.fps
    counts = [shot_frame_count(project, s) for s in shots]
    overlap = _overlaps(project, counts)
    total = sum(counts) - sum(overlap)
    starts = np.cumsum([0] + counts[:-1]) - np.cumsum(overlap)
    cache_dir = Path(lib.cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="render-", dir=cache_dir))
    writer = None
    chunks = _chunks(project, counts)
    try:
        with executor_for(workers, sum(len(c) for c in chunks)) as executor:
            futures = _submit_chunks(executor, lib, project, chunks, tmp)
            writer = VideoWriter(out, project.size.width, project.size.height, fps, audio_rate=project.sample_rate)
            written = 0
            carry: list[np.ndarray] = []   # the previous shot's last frames, to crossfade
            for si, n in enumerate(counts):
                k_in, k_out = overlap[si], overlap[si + 1] if si + 1 < len(shots) else 0
                for j, f in enumerate(_frames_of(futures[si])):
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
        writer.write_audio(_mix_audio(lib, project, [s / fps for s in starts], duration))
        path = writer.close()
        progress(1.0, "done")
        return RenderResult(Path(path), written, duration, time.monotonic() - t_start)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

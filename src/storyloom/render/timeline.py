"""The timeline: a whole project rendered as shots in chunks, joined with cuts and
crossfades, its sound mixed, encoded.

Each chunk (a run of one shot's frames) renders on the executor (``storyloom.render.executor``:
this process, a local process pool, or Ray) into a temporary ``.npy`` memmap inside
``lib.cache_dir`` (or, on Ray, an array in its object store); this process joins them in
order. Each chunk also says what it computed (``storyloom.render.cache.counting``), so a
job can record its work and a resumed render shows what it did not have to do again.

    >>> res = render_project(lib, project, "film.mp4", workers=0)   # doctest: +SKIP
    >>> res.frames, res.duration                                   # doctest: +SKIP
    (120, 5.0)
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np

from storyloom.errors import BadInput
from storyloom.media import VideoWriter, read_audio
from storyloom.model.document import AssetSource, Project
from storyloom.model.timing import layer_window, shot_frame_count
from storyloom.render.cache import counting
from storyloom.render.executor import Executor, executor_for, library_ref, open_library
from storyloom.render.shot import iter_shot_frames, render_shot

CHUNK = 24  # frames per chunk: small, so encoding starts early and long shots spread over workers


@dataclass
class RenderResult:
    """A rendered film: where it is, its frames, its length and how long it took (s)."""

    path: Path
    frames: int
    duration: float
    seconds: float
    #: what the render computed: steps, chunks composited, step outputs reused from the cache
    work: dict = field(default_factory=dict)
    #: where its chunks ran (``Executor.label``)
    executor: str = ""


def _render_chunk(lib, project_json: str, shot_index: int, start: int, end: int, out: Optional[str]):
    """Frames ``start`` .. ``end - 1`` of one shot, written to the ``.npy`` file ``out`` (or
    returned as an array when ``out`` is None), with the work it took (and ``seconds``: how
    long it took where it ran): (out or array, work)."""
    t0 = time.perf_counter()
    project = Project.model_validate_json(project_json)
    shot = project.shots()[shot_index]
    h, w = project.size.height, project.size.width
    with counting() as work:
        if out is None:
            frames = np.empty((end - start, h, w, 3), np.uint8)
        else:
            frames = np.lib.format.open_memmap(out, mode="w+", dtype=np.uint8, shape=(end - start, h, w, 3))
        if shot.operations:
            frames[:] = render_shot(lib, project, shot).frames[start:end]
        else:
            for i, f in enumerate(iter_shot_frames(lib, project, shot, start, end)):
                frames[i] = f
            work["chunks"] += 1
    work["seconds"] = time.perf_counter() - t0
    if out is None:
        return frames, work
    frames.flush()
    del frames
    return out, work


def _chunk_worker(ref, project_json, shot_index, start, end, out):
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


def _submitted(executor: Executor, lib, project, chunks: list[list[tuple[int, int]]], tmp: Path) -> Iterator:
    """Every chunk's future, in film order; chunks are submitted ``executor.ahead`` ahead of
    the one taken (all at once when it says None), so finished ones wait in a bounded queue."""
    pj = executor.share(project.model_dump_json())
    ref = library_ref(lib) if executor.remote else ("obj", lib)
    units = [(si, a, b) for si, ranges in enumerate(chunks) for a, b in ranges]

    def submit(unit):
        si, a, b = unit
        out = None if executor.returns_arrays else str(tmp / f"{si:05d}-{a:07d}.npy")
        return executor.submit(_chunk_worker, ref, pj, si, a, b, out)

    window = executor.ahead or len(units)
    queue = deque(submit(u) for u in units[:window])
    for k in range(len(units)):
        fut = queue.popleft()
        if k + window < len(units):
            queue.append(submit(units[k + window]))
        yield fut


def _frames_of(futures: Iterator, chunks: int, on_work: Callable[[dict], None]):
    """A shot's frames from its ``chunks`` next futures (``.npy`` files, removed once read,
    or arrays), in order; each future is taken when its frames are wanted."""
    for _ in range(chunks):
        out, work = next(futures).result()
        on_work(work)
        if isinstance(out, np.ndarray):
            yield from out
            continue
        mm = np.load(out, mmap_mode="r")
        yield from mm
        del mm
        os.unlink(out)


def _stale_renders(cache_dir: Path) -> None:
    """Remove chunk folders left by renders whose process is gone (killed: no clean-up ran)."""
    for d in cache_dir.glob("render-*-*"):
        try:
            pid = int(d.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def render_project(lib, project, out, progress: Optional[Callable[[float, str], None]] = None,
                   workers: Optional[int] = None, ray=None,
                   on_work: Optional[Callable[[dict], None]] = None) -> RenderResult:
    """Render every shot and write the film to ``out`` (.mp4: H.264 + AAC).

    ``workers=0`` renders in this process; otherwise chunks go to a local process pool
    (default ``min(2, cpu_count)`` workers), or to Ray when ``ray`` asks for it (an
    address, ``"local"``; see ``storyloom.render.cluster.ray_choice``). ``on_work`` hears
    the work of each chunk as it is joined (``{"steps", "reused", "chunks"}``). On any
    failure nothing is left at ``out``.

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
    _stale_renders(cache_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f"render-{os.getpid()}-", dir=cache_dir))
    writer = None
    chunks = _chunks(project, counts)
    work = {"steps": 0, "reused": 0, "chunks": 0}

    def joined(w: dict) -> None:
        for k, v in w.items():
            work[k] = work.get(k, 0) + v
        if on_work is not None:
            on_work(w)
    try:
        with executor_for(workers, sum(len(c) for c in chunks), ray=ray, root=getattr(lib, "root", None)) as executor:
            futures = _submitted(executor, lib, project, chunks, tmp)
            label = executor.label
            writer = VideoWriter(out, project.size.width, project.size.height, fps, audio_rate=project.sample_rate)
            written = 0
            carry: list[np.ndarray] = []   # the previous shot's last frames, to crossfade
            for si, n in enumerate(counts):
                k_in, k_out = overlap[si], overlap[si + 1] if si + 1 < len(shots) else 0
                for j, f in enumerate(_frames_of(futures, len(chunks[si]), joined)):
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
        return RenderResult(Path(path), written, duration, time.monotonic() - t_start, work, label)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

"""Shots to frames: each visible layer's feed at each frame time, composited, then the
shot's operations (cached); one layer alone for export and analysis.

    >>> clip = render_shot(lib, project, project.shots()[0])   # doctest: +SKIP
    >>> clip.frames.shape                                       # doctest: +SKIP
    (48, 180, 320, 3)
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional

import cv2
import numpy as np

from storyloom.imaging.alpha import unpremultiply
from storyloom.model.document import Layer, ShotSource
from storyloom.model.timing import shot_frame_count
from storyloom.render.cache import cached_clip, count, output_key, run_step_cached, sha, shot_content
from storyloom.render.cards import card_image, card_text
from storyloom.render.clip import Clip, conform
from storyloom.render.compositor import composite_frame, place
from storyloom.render.feeds import LayerFeed, OperatedLayerFeed
from storyloom.render.steps import StepContext


def _shot_frames(lib, project, shot, a: int, b: int):
    """Frames ``a`` .. ``b - 1`` of ``shot`` rendered (what a layer showing it sees)."""
    if shot.operations:
        return render_shot(lib, project, shot).frames[a:b]
    return list(iter_shot_frames(lib, project, shot, a, b))


def layer_feed(lib, project, shot, layer: Layer) -> LayerFeed:
    """The feed of one layer of ``shot``: its source frame by frame, after its operations.

    >>> feed = layer_feed(lib, project, shot, shot.layers[0])     # doctest: +SKIP
    """
    cls = OperatedLayerFeed if layer.operations else LayerFeed
    return cls(lib, project, shot, layer, lambda p, s, a, b: _shot_frames(lib, p, s, a, b))


def iter_shot_frames(lib, project, shot, start: int = 0, end: Optional[int] = None) -> Iterator[np.ndarray]:
    """Composited RGB frames ``start`` .. ``end - 1`` of a shot, one at a time (shot operations
    are not applied; layer operations are).

    >>> next(iter_shot_frames(lib, project, shot, 0, 1)).shape   # doctest: +SKIP
    (720, 1280, 3)
    """
    n = shot_frame_count(project, shot)
    end = n if end is None else min(end, n)
    indices = list(range(start, end))
    feeds = [layer_feed(lib, project, shot, layer).frames(indices, project.fps)
             for layer in shot.layers if layer.visible]
    if not feeds and indices:  # a blank shot shows its storyboard card (title, description, dialogue)
        card = card_image(project, shot)
        for _ in indices:
            yield card.copy()
        return
    w, h = project.size.width, project.size.height
    for _ in indices:
        pics = [next(f) for f in feeds]
        yield composite_frame(w, h, [p for p in pics if p is not None])


def shot_key(project, shot) -> str:
    """Content key of a shot's composited picture (input of its first shot operation)."""
    take = shot.take.model_dump_json(exclude={"operations", "name", "id"})
    card = []
    if not any(layer.visible for layer in shot.layers):  # a card: its text is its content
        card = [card_text(project, shot)]
    shown = {s.id for s in project.shots()}
    refs = [shot_content(project, project.find_shot(layer.source.shot_id)[1], (shot.id,))
            for layer in shot.layers if isinstance(layer.source, ShotSource) and layer.source.shot_id in shown]
    return sha("shot", take, str(project.size), repr(project.fps), repr(shot.duration), *refs, *card)


def render_shot(lib, project, shot) -> Clip:
    """A shot composited and operated at project size and fps. The step chain starts after
    its last step whose output is cached (a finished shot is read, not composited again).

    >>> clip = render_shot(lib, project, project.shots()[0])   # doctest: +SKIP
    >>> len(clip) == round(project.shots()[0].duration * project.fps)  # doctest: +SKIP
    True
    """
    key = shot_key(project, shot)
    cache = Path(lib.cache_dir) if lib is not None else None
    ops, done, clip = list(shot.operations), 0, None
    if cache is not None and ops:
        keys = [key]
        for op in ops:
            keys.append(output_key(op, keys[-1]))
        done = next((i for i in range(len(ops), 0, -1) if cached_clip(keys[i], cache) is not None), 0)
        if done:
            clip, key = cached_clip(keys[done], cache, project.fps), keys[done]
            count("reused")
    if clip is None:
        clip = Clip(np.stack(list(iter_shot_frames(lib, project, shot))), project.fps)
        count("chunks")
    clip = _rgb(clip)
    for op in ops[done:]:
        ctx = StepContext(library=lib, project=project, shot=shot)
        clip, key = run_step_cached(op, clip, ctx, key, cache)
        clip = _rgb(clip)
    return conform(clip, shot_frame_count(project, shot), project.fps, project.size.width, project.size.height)


def _rgb(clip: Clip) -> Clip:
    """A step's RGBA output as the RGB the next step and the film take."""
    if clip.frames.shape[3] == 4:
        return Clip(np.ascontiguousarray(clip.frames[..., :3]), clip.fps)
    return clip


def iter_layer_frames(lib, project, shot, layer, indices: Optional[Iterable[int]] = None):
    """One layer of a shot alone: straight-alpha RGBA frames (H, W, 4) at project size,
    placed and operated as in the render, its opacity baked into alpha.

    >>> next(iter_layer_frames(lib, project, shot, shot.layers[0])).shape   # doctest: +SKIP
    (180, 320, 4)
    """
    w, h = project.size.width, project.size.height
    if indices is None:
        indices = range(shot_frame_count(project, shot))
    indices = list(indices)
    for li in layer_feed(lib, project, shot, layer).frames(indices, project.fps):
        canvas = np.zeros((h, w, 4), np.uint8)
        if li is not None and li.opacity > 0:
            p = place(li, w, h)
            if p is not None:
                pic, x0, y0 = p
                if pic.shape[2] == 3:
                    pic = np.dstack([pic, np.full(pic.shape[:2], 255, np.uint8)])
                if li.opacity < 1:
                    pic = cv2.convertScaleAbs(pic, alpha=li.opacity)
                canvas[y0:y0 + pic.shape[0], x0:x0 + pic.shape[1]] = pic
        yield unpremultiply(canvas)

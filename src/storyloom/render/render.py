"""Shots to frames: each layer's source at each frame time, composited, then operated.

    >>> clip = render_shot(lib, project, project.shots()[0])   # doctest: +SKIP
    >>> clip.frames.shape                                       # doctest: +SKIP
    (48, 180, 320, 3)
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from storyloom.errors import BadInput
from storyloom.model.document import AssetSource, ColorSource, Layer, ShotSource, TextSource
from storyloom.render.cache import run_step_cached, sha
from storyloom.render.compositor import LayerImage, composite_frame, premultiply
from storyloom.render.steps import Clip, StepContext


def parse_color(text: str) -> tuple[int, int, int, int]:
    """``#rrggbb`` or ``#rrggbbaa`` -> (r, g, b, a).

    >>> parse_color("#ff800040")
    (255, 128, 0, 64)
    """
    h = text.lstrip("#")
    a = int(h[6:8], 16) if len(h) == 8 else 255
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), a


def text_image(src: TextSource, width: int, height: int) -> np.ndarray:
    """The text drawn centred on a transparent ``width``x``height`` RGBA picture.

    >>> text_image(TextSource(text="Hi", size=20), 64, 32).shape
    (32, 64, 4)
    """
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.load_default(size=src.size)
    im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    box = draw.multiline_textbbox((width / 2, height / 2), src.text, font=font, anchor="mm",
                                  align=src.align)
    if src.box:
        pad = max(2, src.size // 4)
        draw.rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=parse_color(src.box))
    draw.multiline_text((width / 2, height / 2), src.text, font=font, anchor="mm", align=src.align,
                        fill=parse_color(src.color))
    return np.asarray(im).copy()


def _crop_visible(rgba: np.ndarray):
    """Crop a premultiplied still to where it has any alpha: (crop, (ox, oy))."""
    ys, xs = np.nonzero(rgba[:, :, 3])
    if len(xs) == 0:
        return rgba[:1, :1], (0, 0)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    return np.ascontiguousarray(rgba[y0:y1, x0:x1]), (int(x0), int(y0))


def shot_cycle(project, shot_id: str) -> Optional[list[str]]:
    """The shot ids of a loop of layers showing other shots reachable from ``shot_id``
    (e.g. ``[a, b, a]``), or None when there is none.

    >>> from storyloom.model import Project
    >>> shot_cycle(Project(), "x") is None
    True
    """
    shots = {s.id: s for s in project.shots()}
    path: list[str] = []

    def visit(sid: str) -> Optional[list[str]]:
        if sid in path:
            return path[path.index(sid):] + [sid]
        shot = shots.get(sid)
        if shot is None:
            return None
        path.append(sid)
        for layer in shot.layers:
            if isinstance(layer.source, ShotSource):
                found = visit(layer.source.shot_id)
                if found:
                    return found
        path.pop()
        return None
    return visit(shot_id)


def _shot_deep_json(project, shot, seen: tuple = ()) -> str:
    """A shot's content with the content of every shot its layers show (for cache keys)."""
    parts = [shot.take.model_dump_json(exclude={"name", "id"}), repr(shot.duration)]
    for layer in shot.layers:
        src = layer.source
        if isinstance(src, ShotSource) and src.shot_id not in seen:
            try:
                target = project.find_shot(src.shot_id)[1]
            except BadInput:
                continue
            parts.append(_shot_deep_json(project, target, seen + (shot.id,)))
    return "\0".join(parts)


def _shot_refs_key(project, shot) -> list[str]:
    """Content of the shots that ``shot``'s layers show (empty when none: keys stay as before)."""
    return [_shot_deep_json(project, project.find_shot(l.source.shot_id)[1], (shot.id,))
            for l in shot.layers if isinstance(l.source, ShotSource)
            and any(s.id == l.source.shot_id for s in project.shots())]


def layer_window(layer: Layer, shot_duration: float) -> tuple[float, float]:
    """[start, end) seconds of the shot where the layer shows."""
    end = shot_duration if layer.duration is None else min(shot_duration, layer.start + layer.duration)
    return layer.start, end


def _source_times(src: AssetSource, info, local: list[float]) -> list[list[float]]:
    """Source times for layer-local times, in ascending runs (a loop starts a new run)."""
    end = src.out_point if src.out_point is not None else info.duration
    span = max(0.0, end - src.in_point)
    last = src.in_point + max(0.0, span - 0.5 / (info.fps or 24.0))
    runs: list[list[float]] = [[]]
    prev = -1.0
    for t in local:
        if src.loop and span > 0:
            st = src.in_point + (t % span)
        else:
            st = min(src.in_point + t, last)  # past the end: hold the last frame
        if st < prev:
            runs.append([])
        runs[-1].append(st)
        prev = st
    return runs


class LayerFeed:
    """Yields one ``LayerImage`` (or None when hidden) per requested frame of a shot."""

    def __init__(self, lib, project, shot, layer: Layer):
        self.lib, self.project, self.shot, self.layer = lib, project, shot, layer
        self.w, self.h = project.size.width, project.size.height
        self.still = None          # premultiplied cropped still, offset, source size
        self.video = None
        self.target = None         # the shot a ShotSource layer shows
        self.silent_picture = False   # an audio-only asset: heard, never seen
        src = layer.source
        if isinstance(src, ColorSource):
            img = np.empty((self.h, self.w, 4), np.uint8)
            img[...] = parse_color(src.color)
            self.still = (premultiply(img), (0, 0), (self.w, self.h))
        elif isinstance(src, TextSource):
            crop, off = _crop_visible(premultiply(text_image(src, self.w, self.h)))
            self.still = (crop, off, (self.w, self.h))
        elif isinstance(src, ShotSource):
            name = shot.title or shot.id
            try:
                self.target = project.find_shot(src.shot_id)[1]
            except BadInput:
                raise BadInput(f"shot {name}: layer {layer.name or layer.id} shows shot {src.shot_id!r}, "
                               f"which is not in the project") from None
            cycle = shot_cycle(project, shot.id)
            if cycle:
                raise BadInput(f"shot {name}: layers showing other shots form a loop ({' -> '.join(cycle)})")
        else:
            path = lib.asset_path(src.asset.sha256)
            info = lib.asset_info(src.asset.sha256)
            if info.kind == "audio":
                self.silent_picture = True
            elif info.kind == "image" or src.asset.kind == "image":
                from storyloom.media import read_image
                img = premultiply(read_image(path))
                crop, off = _crop_visible(img)
                self.still = (crop, off, (img.shape[1], img.shape[0]))
            else:
                self.video = (path, info)

    def frames(self, indices: list[int], fps: float) -> Iterator[Optional[LayerImage]]:
        layer = self.layer
        start, end = layer_window(layer, self.shot.duration)
        times = [i / fps for i in indices]
        shown = [start <= t < end and not self.silent_picture for t in times]
        if self.video is not None:
            from storyloom.media import frames_at
            path, info = self.video
            local = [t - start for t, s in zip(times, shown) if s]
            alpha = bool(info.has_alpha)

            def gen():
                for run in _source_times(layer.source, info, local):
                    if run:
                        yield from frames_at(path, run, alpha=alpha, info=info)
            pics = gen()
        elif self.target is not None:
            pics = self._shot_frames([t - start for t, s in zip(times, shown) if s], fps)
        for t, s in zip(times, shown):
            if not s:
                yield None
                continue
            tr = layer.transform.at(t)
            if self.still is not None:
                rgba, off, size = self.still
                yield LayerImage(rgba, layer.fit, tr["x"], tr["y"], tr["scale"], tr["rotation"],
                                 tr["opacity"], layer.blend, premultiplied=True, offset=off, source_size=size)
            else:
                pic = next(pics)
                yield LayerImage(pic, layer.fit, tr["x"], tr["y"], tr["scale"], tr["rotation"],
                                 tr["opacity"], layer.blend, premultiplied=False)

    def _shot_frames(self, local: list[float], fps: float) -> Iterator[np.ndarray]:
        """The shown shot's frames at layer-local times (its last frame held past its end)."""
        target, project = self.target, self.project
        n = shot_frame_count(project, target)
        idx = [min(n - 1, max(0, int(math.floor(t * fps + 1e-6)))) for t in local]
        if not idx:
            return
        a, b = min(idx), max(idx) + 1
        if target.operations:
            got = render_shot(self.lib, project, target).frames[a:b]
        else:
            got = list(iter_shot_frames(self.lib, project, target, a, b))
        for i in idx:
            yield np.asarray(got[i - a])


def _layer_key(project, shot, layer: Layer) -> str:
    refs = []
    if isinstance(layer.source, ShotSource):  # what it shows is the other shot's content
        refs = [_shot_deep_json(project, s, (shot.id,)) for s in project.shots() if s.id == layer.source.shot_id]
    return sha("layer", layer.model_dump_json(exclude={"operations", "transform", "blend", "fit", "volume"}),
               str(project.size), repr(project.fps), repr(shot.duration), *refs)


class OperatedLayerFeed(LayerFeed):
    """A layer with operations: its source frames at project fps go through the steps first."""

    def __init__(self, lib, project, shot, layer: Layer, progress=None):
        super().__init__(lib, project, shot, layer)
        fps = project.fps
        start, end = layer_window(layer, shot.duration)
        n = max(0, int(round(end * fps)) - int(math.ceil(start * fps - 1e-9)))
        self.first = int(math.ceil(start * fps - 1e-9))
        plain = Layer.model_validate({**layer.model_dump(), "operations": [], "transform": {}, "fit": "stretch",
                                      "blend": "normal"})
        src_feed = LayerFeed(lib, project, shot, plain)
        if src_feed.still is not None:
            # a still (image, colour, text) is one picture: operate on it once and hold it, so
            # a cutout of a photo is one matte, not one tracked through identical frames
            n = min(n, 1)
        pics = []
        self.source_size = (self.w, self.h)
        for li in src_feed.frames(list(range(self.first, self.first + n)), fps):
            if li is None:
                continue
            self.source_size = li.source_size or (li.rgba.shape[1], li.rgba.shape[0])
            # source pictures at project size (the source's own size would vary per asset)
            pics.append(_unpremultiplied(li, self.w, self.h))
        if not pics:
            pics = [np.zeros((self.h, self.w, 4), np.uint8)]
        clip = Clip(np.stack(pics), fps)
        key = _layer_key(project, shot, layer)
        cache = Path(lib.cache_dir) if lib is not None else None
        n_in = len(clip)
        for op in layer.operations:
            ctx = StepContext(library=lib, project=project, shot=shot, layer=layer)
            clip, key = run_step_cached(op, clip, ctx, key, cache)
        # a layer step that changed the rate or size still fills the layer's frames at the
        # film's rate and size (as a shot step's output does)
        self.clip = conform(clip, n_in, fps, self.w, self.h)
        self.still = self.video = None

    def frames(self, indices, fps):
        layer = self.layer
        start, end = layer_window(layer, self.shot.duration)
        for i in indices:
            t = i / fps
            if not (start <= t < end):
                yield None
                continue
            tr = layer.transform.at(t)
            j = min(len(self.clip) - 1, max(0, i - self.first))
            pic = np.asarray(self.clip.frames[j])
            if self.source_size != (self.w, self.h) and pic.shape[1::-1] == (self.w, self.h):
                # back to the source's own shape, so ``fit`` places it exactly as without operations
                import cv2
                pic = cv2.resize(pic, self.source_size, interpolation=cv2.INTER_LINEAR)
            yield LayerImage(pic, layer.fit, tr["x"], tr["y"], tr["scale"],
                             tr["rotation"], tr["opacity"], layer.blend, premultiplied=False)


def _unpremultiplied(li: LayerImage, w: int, h: int) -> np.ndarray:
    """A source picture stretched to w x h as straight-alpha RGBA."""
    import cv2
    pic = li.rgba
    if li.source_size and (li.offset != (0, 0) or pic.shape[1] != li.source_size[0]
                           or pic.shape[0] != li.source_size[1]):
        full = np.zeros((li.source_size[1], li.source_size[0], pic.shape[2]), np.uint8)
        ox, oy = li.offset
        full[oy:oy + pic.shape[0], ox:ox + pic.shape[1]] = pic
        pic = full
    if pic.shape[2] == 3:
        pic = np.dstack([pic, np.full(pic.shape[:2], 255, np.uint8)])
    elif li.premultiplied:
        a = pic[:, :, 3:4].astype(np.float32)
        rgb = np.where(a > 0, pic[:, :, :3] * (255.0 / np.maximum(a, 1)), 0)
        pic = np.dstack([np.clip(rgb + 0.5, 0, 255).astype(np.uint8), pic[:, :, 3]])
    if pic.shape[1] != w or pic.shape[0] != h:
        pic = cv2.resize(pic, (w, h), interpolation=cv2.INTER_AREA)
    return pic


def shot_frame_count(project, shot) -> int:
    return max(1, int(round(shot.duration * project.fps)))


def iter_shot_frames(lib, project, shot, start: int = 0, end: Optional[int] = None) -> Iterator[np.ndarray]:
    """Composited RGB frames ``start`` .. ``end - 1`` of a shot, one at a time (shot operations
    are not applied; layer operations are).

    >>> next(iter_shot_frames(lib, project, shot, 0, 1)).shape   # doctest: +SKIP
    (720, 1280, 3)
    """
    n = shot_frame_count(project, shot)
    end = n if end is None else min(end, n)
    indices = list(range(start, end))
    feeds = []
    for layer in shot.layers:
        if not layer.visible:
            continue
        cls = OperatedLayerFeed if layer.operations else LayerFeed
        feeds.append(cls(lib, project, shot, layer).frames(indices, project.fps))
    if not feeds and indices:  # a blank shot shows its storyboard card (title, description, dialogue)
        from storyloom.script.cards import card_image
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
        from storyloom.script.cards import card_text
        card = [card_text(project, shot)]
    return sha("shot", take, str(project.size), repr(project.fps), repr(shot.duration),
               *_shot_refs_key(project, shot), *card)


def render_shot(lib, project, shot) -> Clip:
    """A shot composited and operated at project size and fps.

    >>> clip = render_shot(lib, project, project.shots()[0])   # doctest: +SKIP
    >>> len(clip) == round(project.shots()[0].duration * project.fps)  # doctest: +SKIP
    True
    """
    frames = np.stack(list(iter_shot_frames(lib, project, shot)))
    clip = Clip(frames, project.fps)
    key = shot_key(project, shot)
    cache = Path(lib.cache_dir) if lib is not None else None
    for op in shot.operations:
        ctx = StepContext(library=lib, project=project, shot=shot)
        clip, key = run_step_cached(op, clip, ctx, key, cache)
        if clip.frames.shape[3] == 4:
            clip = Clip(np.ascontiguousarray(clip.frames[..., :3]), clip.fps)
    return conform(clip, len(frames), project.fps, project.size.width, project.size.height)


def conform(clip: Clip, n: int, fps: float, width: int, height: int) -> Clip:
    """``n`` frames of ``clip`` at ``fps`` and ``width``×``height``, each the one shown at its
    time: a step that changed the rate (interpolation) must not make the shot play slower or
    cut it short, and one that changed the size (upscaling) must fit the film's frame
    (area-averaged down, so the engine's detail is kept as sharpness, not aliasing).

    >>> conform(Clip(np.zeros((9, 4, 4, 3), np.uint8), 48.0), 5, 24.0, 2, 2).frames.shape
    (5, 2, 2, 3)
    """
    if len(clip) != n or abs(clip.fps - fps) > 1e-9:
        pick = [min(len(clip) - 1, int(round(i * clip.fps / fps))) for i in range(n)]
        clip = Clip(np.ascontiguousarray(clip.frames[pick]), fps)
    if clip.size != (width, height):
        import cv2
        smaller = clip.size[0] > width
        how = cv2.INTER_AREA if smaller else cv2.INTER_CUBIC
        clip = Clip(np.stack([cv2.resize(f, (width, height), interpolation=how) for f in clip.frames]), fps)
    return clip

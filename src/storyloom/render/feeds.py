"""Layer feeds: one layer's picture at each frame of its shot, placed as the compositor
wants it (``LayerImage``): a colour, text, a still, a video's frames by time, another
shot's render, each after the layer's own operations (``OperatedLayerFeed``).

Feeds are made by ``storyloom.render.shot.layer_feed``, which also hands them the way to
render the other shots a layer shows.

    >>> feed = layer_feed(lib, project, shot, shot.layers[0])   # doctest: +SKIP
    >>> next(feed.frames([0], project.fps)).rgba.shape          # doctest: +SKIP
    (180, 320, 4)
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import cv2
import numpy as np

from storyloom.errors import BadInput
from storyloom.imaging.alpha import premultiply, unpremultiply
from storyloom.media import frames_at, read_image
from storyloom.model.document import AssetSource, ColorSource, Layer, ShotSource, TextSource
from storyloom.model.timing import layer_frames, layer_window, shot_cycle, shot_frame_count
from storyloom.render.cache import run_step_cached, sha, shot_content
from storyloom.render.clip import Clip, conform
from storyloom.render.compositor import LayerImage
from storyloom.render.steps import StepContext

#: ``shots(project, shot, a, b)``: frames a .. b-1 of another shot, rendered (see ``storyloom.render.shot``)
ShotFrames = Callable[..., Sequence[np.ndarray]]


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

    def __init__(self, lib, project, shot, layer: Layer, shots: Optional[ShotFrames] = None):
        self.lib, self.project, self.shot, self.layer, self.shots = lib, project, shot, layer, shots
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
                img = premultiply(read_image(path))
                crop, off = _crop_visible(img)
                self.still = (crop, off, (img.shape[1], img.shape[0]))
            else:
                self.video = (path, info)

    def frames(self, indices: list[int], fps: float) -> Iterator[Optional[LayerImage]]:
        """The layer's picture at each shot frame of ``indices`` (None where it does not show)."""
        layer = self.layer
        start, end = layer_window(layer, self.shot.duration)
        times = [i / fps for i in indices]
        shown = [start <= t < end and not self.silent_picture for t in times]
        if self.video is not None:
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
        got = self.shots(project, target, a, b)
        for i in idx:
            yield np.asarray(got[i - a])


def _layer_key(project, shot, layer: Layer) -> str:
    refs = []
    if isinstance(layer.source, ShotSource):  # what it shows is the other shot's content
        refs = [shot_content(project, s, (shot.id,)) for s in project.shots() if s.id == layer.source.shot_id]
    return sha("layer", layer.model_dump_json(exclude={"operations", "transform", "blend", "fit", "volume"}),
               str(project.size), repr(project.fps), repr(shot.duration), *refs)


class OperatedLayerFeed(LayerFeed):
    """A layer with operations: its source frames at project fps go through the steps first."""

    def __init__(self, lib, project, shot, layer: Layer, shots: Optional[ShotFrames] = None):
        super().__init__(lib, project, shot, layer, shots)
        fps = project.fps
        self.first, n = layer_frames(project, shot, layer)
        plain = Layer.model_validate({**layer.model_dump(), "operations": [], "transform": {}, "fit": "stretch",
                                      "blend": "normal"})
        src_feed = LayerFeed(lib, project, shot, plain, shots)
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
        """As ``LayerFeed.frames``, from the operated clip (computed once, when made)."""
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
                pic = cv2.resize(pic, self.source_size, interpolation=cv2.INTER_LINEAR)
            yield LayerImage(pic, layer.fit, tr["x"], tr["y"], tr["scale"],
                             tr["rotation"], tr["opacity"], layer.blend, premultiplied=False)


def _unpremultiplied(li: LayerImage, w: int, h: int) -> np.ndarray:
    """A source picture stretched to w x h as straight-alpha RGBA."""
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
        pic = unpremultiply(pic)
    if pic.shape[1] != w or pic.shape[0] != h:
        pic = cv2.resize(pic, (w, h), interpolation=cv2.INTER_AREA)
    return pic

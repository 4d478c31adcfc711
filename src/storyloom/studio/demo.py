"""The bundled demo project, made procedurally from scikit-image's sample pictures.

Nothing is downloaded: pictures come from ``skimage.data`` and a short clip with a tone
is synthesised, so ``make run`` works offline on a fresh machine.

    >>> from storyloom.studio.demo import build_demo
    >>> film = build_demo("demo-library")        # doctest: +SKIP
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np

from storyloom import model
from storyloom.media import write_video
from storyloom.render import render_shot
from storyloom.studio.importer import thumbnail
from storyloom.studio.project import Project

SIZE = "640x360"
FPS = 24


def _picture(name: str) -> np.ndarray:
    import skimage.data as skd
    img = getattr(skd, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[:, :, :3]).astype(np.uint8)


def _save_png(path: Path, rgba: np.ndarray) -> Path:
    from PIL import Image
    Image.fromarray(rgba).save(path)
    return path


def _moon_clip(path: Path, seconds: float = 3.0) -> Path:
    """A small clip: a bright disc crossing a starry sky, with a gentle two-note tone."""
    rng = np.random.default_rng(7)
    w, h = 640, 360
    sky = np.zeros((h, w, 3), np.uint8)
    sky[:] = (12, 16, 40)
    for x, y in rng.integers(0, (w, h), size=(160, 2)):
        sky[y, x] = 230
    frames = []
    n = int(seconds * FPS)
    for i in range(n):
        f = sky.copy()
        cx = int(80 + (w - 160) * i / (n - 1))
        cy = int(230 - 120 * np.sin(np.pi * i / (n - 1)))
        cv2.circle(f, (cx, cy), 38, (245, 240, 210), -1, cv2.LINE_AA)
        frames.append(f)
    rate = 48000
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.2 * np.sin(2 * np.pi * np.where(t < seconds / 2, 440.0, 554.37) * t) * np.minimum(1, t * 4)
    return write_video(path, frames, FPS, audio=np.stack([tone, tone]).astype(np.float32), audio_rate=rate)


def _ramp(values, seconds, ease="ease-in-out") -> model.Param:
    """A keyframed parameter going through ``values`` evenly over ``seconds``."""
    step = seconds / (len(values) - 1)
    return model.Param(keys=[model.Key(t=i * step, v=v, ease=ease) for i, v in enumerate(values)])


def build_demo(path, title: str = "Storyloom demo") -> Project:
    """Create a library at ``path`` with the demo project: two scenes, camera moves done
    by keyframed layers, a moving cut-out still, a clip with sound and a title."""
    film = Project.create(path, title=title, size=SIZE, fps=FPS)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {}
        for name in ("astronaut", "coffee", "rocket", "chelsea"):
            files[name] = _save_png(tmp / f"{name}.png", _picture(name))
        # an RGBA still: the astronaut's portrait in a soft-edged circle
        face = _picture("astronaut")[20:260, 120:360]
        yy, xx = np.mgrid[:240, :240]
        alpha = np.clip((110 - np.hypot(xx - 120, yy - 120)) / 8, 0, 1) * 255
        files["portrait"] = _save_png(tmp / "portrait.png", np.dstack([face, alpha.astype(np.uint8)]))
        files["moon"] = _moon_clip(tmp / "moon.mp4")

        lib = film.library
        refs = {k: lib.import_asset(v)[0] for k, v in files.items()}
        with film.edit("build the demo storyboard") as doc:
            morning = doc.add_scene("Morning", description="A day at the station begins.")
            night = doc.add_scene("Night", description="The launch, then quiet.")

            def still(scene, key, title, duration, description, **transform):
                shot = scene.add_shot(title=title, duration=duration, description=description)
                layer = model.Layer(name=key, role="background", source=model.AssetSource(asset=refs[key]),
                                    transform=model.Transform(**transform))
                shot.add_layer(layer)
                return shot

            s = still(morning, "astronaut", "Portrait", 3.0, "Push in on the astronaut.",
                      scale=_ramp([1.0, 1.25], 3.0), y=_ramp([110, 150], 3.0))
            s.add_layer(model.Layer(name="title", role="title",
                                    source=model.TextSource(text="Storyloom", size=56, box="#00000080"),
                                    fit="none", transform=model.Transform(y=model.Param(value=120),
                                                                          opacity=_ramp([0, 1, 1, 0], 3.0))))
            still(morning, "coffee", "Coffee", 2.5, "Pan across the table.",
                  scale=model.Param(value=1.3), x=_ramp([-70, 70], 2.5))
            cat = still(morning, "chelsea", "Visitor", 2.5, "The cat, with a portrait drifting by.",
                        scale=model.Param(value=1.1))
            cat.transition = model.Transition(kind="crossfade", duration=0.5)
            cat.add_layer(model.Layer(name="portrait", role="foreground", fit="none",
                                      source=model.AssetSource(asset=refs["portrait"]),
                                      transform=model.Transform(x=_ramp([-200, 200], 2.5), y=model.Param(value=20),
                                                                scale=model.Param(value=0.7),
                                                                rotation=_ramp([-15, 15], 2.5),
                                                                opacity=model.Param(value=0.9))))
            rocket = still(night, "rocket", "Launch", 2.5, "Tilt up with the rocket.",
                           scale=model.Param(value=1.35), y=_ramp([-60, 60], 2.5))
            rocket.transition = model.Transition(kind="crossfade", duration=0.5)
            moon = night.add_shot(title="Moonrise", duration=3.0, description="The moon crosses the sky.")
            moon.add_layer(model.Layer(name="moon", role="background", source=model.AssetSource(asset=refs["moon"])))
            moon.add_layer(model.Layer(name="credit", role="title", fit="none",
                                       source=model.TextSource(text="made with Storyloom", size=28),
                                       transform=model.Transform(y=model.Param(value=140),
                                                                 opacity=model.Param(value=0.6))))
            _add_thumbnails(lib, doc)
    return film


def _add_thumbnails(lib, doc: model.Project) -> None:
    """First, middle and last frame of each rendered shot, so storyboard cards show the
    shot as it plays (the camera moves are keyframes, so the source stills would not)."""
    for scene in doc.scenes:
        for shot in scene.shots:
            frames = render_shot(lib, doc, shot).frames
            picks = (0, len(frames) // 2, len(frames) - 1)
            shot.thumbnails = [thumbnail(lib, frames[i][..., :3]) for i in picks]

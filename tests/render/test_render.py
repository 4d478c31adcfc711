"""Rendering through the real Library: fit modes, files, audio, crossfades, cache, failures, pool."""
import math

import cv2
import numpy as np
import pytest

from storyloom.media import probe, read_audio, read_frames, write_video
from storyloom.model.document import AssetSource, ColorSource, Layer, Project, TextSource, Transition
from storyloom.model.operations import Operation
from storyloom.render import render_project, render_shot
from storyloom.render.steps import Clip, register_step
from storyloom.store import Library

W, H = 96, 64


def project(fps=12):
    p = Project(title="t", fps=fps)
    p.size.width, p.size.height = W, H
    return p


@pytest.fixture
def lib(tmp_path):
    return Library.open(tmp_path / "lib")


@pytest.fixture(scope="module")
def tone_clip(tmp_path_factory):
    """1 s, 96x64 at 12 fps: a moving gradient with a 440 Hz tone."""
    path = tmp_path_factory.mktemp("src") / "tone.mp4"
    frames = []
    for i in range(12):
        f = np.zeros((H, W, 3), np.uint8)
        f[:, :, 0] = np.linspace(0, 255, W, dtype=np.uint8)[None]
        f[:, :, 1] = i * 20
        frames.append(f)
    t = np.arange(48000) / 48000
    audio = np.stack([0.5 * np.sin(2 * math.pi * 440 * t)] * 2).astype(np.float32)
    write_video(path, frames, fps=12, audio=audio, audio_rate=48000)
    return path


def _still(tmp_path, lib):
    img = np.zeros((16, 32, 3), np.uint8)
    img[:, :16] = (255, 0, 0)
    img[:, 16:] = (0, 255, 0)
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), img[:, :, ::-1])
    ref, _ = lib.import_asset(path)
    return ref


@pytest.mark.parametrize("fit", ["fill", "fit", "stretch", "none"])
def test_fit_modes(tmp_path, lib, fit):
    ref = _still(tmp_path, lib)
    p = project(fps=1)
    shot = p.add_scene("s").add_shot(duration=1.0)
    shot.add_layer(Layer(source=AssetSource(asset=ref), fit=fit))
    f = render_shot(lib, p, shot).frames[0].astype(int)
    lit = f.max(axis=2) > 128
    ys, xs = np.nonzero(lit)
    box = (xs.min(), xs.max() + 1, ys.min(), ys.max() + 1)
    # 32x16 (2:1) into 96x64 (3:2)
    expected = {"fill": (0, 96, 0, 64),            # scale 4 -> 128x64, cropped at the sides
                "fit": (0, 96, 8, 56),             # scale 3 -> 96x48, bars above and below
                "stretch": (0, 96, 0, 64),
                "none": (32, 64, 24, 40)}[fit]
    assert all(abs(a - b) <= 1 for a, b in zip(box, expected)), box
    # red left half, green right half, split at the centre in every mode
    assert f[32, 44, 0] > 200 and f[32, 52, 1] > 200
    if fit == "fill":
        assert f[32, 5, 0] > 200   # left edge shows red (16 px of 128 cropped each side)


def test_render_file_frames_duration_audio(tmp_path, lib, tone_clip):
    ref, info = lib.import_asset(tone_clip)
    p = project()
    sc = p.add_scene("s")
    a = sc.add_shot(duration=1.0)
    a.add_layer(Layer(source=AssetSource(asset=ref), volume=0.5))
    a.add_layer(Layer(source=TextSource(text="Hi", size=20, box="#00000080")))
    b = sc.add_shot(duration=0.5)
    b.add_layer(Layer(source=AssetSource(asset=ref, in_point=0.5, loop=True)))
    seen = []
    res = render_project(lib, p, tmp_path / "out.mp4", progress=lambda f, m: seen.append(f), workers=0)
    assert res.frames == 18 and res.duration == pytest.approx(1.5)
    assert seen[-1] == 1.0
    out = probe(res.path)
    assert out.frames == 18 and out.has_audio
    audio = read_audio(res.path, 48000, 2)
    assert abs(audio.shape[1] / 48000 - 1.5) < 0.05
    first = audio[:, 4800:43200]
    assert 0.2 < np.abs(first).max() < 0.3          # 0.5 tone at volume 0.5
    assert np.abs(audio[:, 52000:70000]).max() > 0.4  # shot b: full volume
    frames = read_frames(res.path)
    # text box darkens the middle of shot a; shot b starts from source frame 6
    assert frames[13][5, 5, 1] > frames[12][5, 5, 1] - 30
    assert abs(int(frames[12][5, 5, 1]) - 120) < 12


def test_crossfade_shortens_and_mixes(tmp_path, lib):
    p = project()
    sc = p.add_scene("s")
    sc.add_shot(duration=1.0).add_layer(Layer(source=ColorSource(color="#c80000")))
    b = sc.add_shot(duration=1.0, transition=Transition(kind="crossfade", duration=0.25))
    b.add_layer(Layer(source=ColorSource(color="#0000c8")))
    res = render_project(lib, p, tmp_path / "x.mp4", workers=0)
    assert res.frames == 24 - 3 and probe(res.path).frames == 21
    frames = [f.astype(float) for f in read_frames(res.path)]
    mid = frames[10][H // 2, W // 2]                 # overlap frames 9, 10, 11
    avg = (frames[5][H // 2, W // 2] + frames[18][H // 2, W // 2]) / 2
    assert np.abs(mid - avg).max() < 6, (mid, avg)


class TestInvert(Operation):
    __test__ = False
    schema_name = "TestInvert"
    amount: int = 255


class TestFail(Operation):
    __test__ = False
    schema_name = "TestFail"


CALLS = []


@register_step(TestInvert)
def _invert(op, clip, ctx):
    CALLS.append(op.amount)
    ctx.provenance.update(engine="test-invert", version="1")
    return Clip((op.amount - clip.frames.astype(np.int16)).clip(0, 255).astype(np.uint8), clip.fps)


@register_step(TestFail)
def _fail(op, clip, ctx):
    raise RuntimeError("engine exploded")


def test_step_cache_hits_and_recomputes(lib):
    CALLS.clear()
    p = project()
    shot = p.add_scene("s").add_shot(duration=0.5)
    shot.add_layer(Layer(source=ColorSource(color="#204060")))
    shot.add_operation(TestInvert())
    c1 = render_shot(lib, p, shot)
    assert c1.frames[0, 0, 0].tolist() == [255 - 0x20, 255 - 0x40, 255 - 0x60]
    c2 = render_shot(lib, p, shot)
    assert CALLS == [255] and np.array_equal(c1.frames, c2.frames)
    metas = list((lib.cache_dir / "steps").rglob("*.json"))
    assert len(metas) == 1 and "test-invert" in metas[0].read_text()
    shot.take.operations[0] = TestInvert(amount=200)
    c3 = render_shot(lib, p, shot)
    assert CALLS == [255, 200] and c3.frames[0, 0, 0, 0] == 200 - 0x20
    # layer operations go through the cache too
    layer = shot.add_layer(Layer(source=ColorSource(color="#ff000080"), operations=[TestInvert()]))
    shot.take.operations.clear()
    render_shot(lib, p, shot)
    render_shot(lib, p, shot)
    assert CALLS == [255, 200, 255]


def test_step_cache_follows_the_engine_version(lib, monkeypatch):
    # a new engine version makes different pictures: its cached outputs must not be served
    from storyloom.engines import resolve
    from storyloom.model.operations import Interpolate
    p = project()
    shot = p.add_scene("s").add_shot(duration=0.5)
    shot.add_layer(Layer(source=ColorSource(color="#204060")))
    shot.add_operation(Interpolate(factor=2))
    steps = lib.cache_dir / "steps"
    render_shot(lib, p, shot)
    render_shot(lib, p, shot)
    assert len(list(steps.rglob("*.json"))) == 1
    engine = resolve("interpolate").engine
    monkeypatch.setattr(engine, "VERSION", engine.VERSION + ".next")
    render_shot(lib, p, shot)
    assert len(list(steps.rglob("*.json"))) == 2


def test_failing_step_leaves_no_file(tmp_path, lib):
    p = project()
    sc = p.add_scene("s")
    sc.add_shot(duration=0.5).add_layer(Layer(source=ColorSource(color="#ffffff")))
    bad = sc.add_shot(duration=0.5)
    bad.add_layer(Layer(source=ColorSource(color="#000000")))
    bad.add_operation(TestFail())
    out = tmp_path / "o" / "film.mp4"
    with pytest.raises(RuntimeError, match="exploded"):
        render_project(lib, p, out, workers=0)
    assert not out.exists()
    assert not [f for f in out.parent.iterdir()] if out.parent.exists() else True
    assert not list(lib.cache_dir.glob("render-*"))


def test_parallel_matches_inline(tmp_path, lib, tone_clip):
    ref, _ = lib.import_asset(tone_clip)
    p = project()
    sc = p.add_scene("s")
    for i in range(2):
        shot = sc.add_shot(duration=1.0)
        shot.add_layer(Layer(source=AssetSource(asset=ref, in_point=0.25 * i)))
        shot.add_layer(Layer(source=TextSource(text=f"shot {i}", size=16, color="#ffff00c0")))
    a = render_project(lib, p, tmp_path / "a.mp4", workers=0)
    b = render_project(lib, p, tmp_path / "b.mp4", workers=2)
    fa, fb = read_frames(a.path), read_frames(b.path)
    assert len(fa) == len(fb) == 24
    for x, y in zip(fa, fb):
        mse = np.mean((x.astype(float) - y.astype(float)) ** 2)
        assert mse == 0 or 10 * np.log10(255 ** 2 / mse) > 40
    assert not list(lib.cache_dir.glob("render-*"))


def test_interrupt_removes_output_and_temp(tmp_path, lib):
    p = project()
    sc = p.add_scene("s")
    for c in ["#ff0000", "#00ff00"]:
        sc.add_shot(duration=1.0).add_layer(Layer(source=ColorSource(color=c)))

    def stop(frac, msg):
        if frac > 0.3:
            raise KeyboardInterrupt
    out = tmp_path / "i" / "film.mp4"
    with pytest.raises(KeyboardInterrupt):
        render_project(lib, p, out, progress=stop, workers=2)
    assert not out.exists() and not list(out.parent.iterdir())
    assert not list(lib.cache_dir.glob("render-*"))


def test_video_holds_last_frame_and_loops(lib, tone_clip):
    ref, _ = lib.import_asset(tone_clip)
    p = project()
    shot = p.add_scene("s").add_shot(duration=1.5)
    shot.add_layer(Layer(source=AssetSource(asset=ref)))
    g = [int(f[5, 5, 1]) for f in render_shot(lib, p, shot).frames]
    assert abs(g[3] - 60) < 10 and all(abs(v - 220) < 10 for v in g[11:])   # held past the end
    shot.take.layers[0] = Layer(source=AssetSource(asset=ref, loop=True, out_point=0.5))
    g = [int(f[5, 5, 1]) for f in render_shot(lib, p, shot).frames]
    assert abs(g[6] - g[0]) < 10 and abs(g[13] - g[1]) < 10 and abs(g[5] - 100) < 10  # 6-frame loop


def test_crossfades_longer_than_a_shot_are_clamped(tmp_path, lib):
    p = project()
    sc = p.add_scene("s")
    sc.add_shot(duration=0.5).add_layer(Layer(source=ColorSource(color="#ff0000")))
    for c in ["#00ff00", "#0000ff"]:
        sc.add_shot(duration=0.5, transition=Transition(kind="crossfade", duration=2.0)).add_layer(
            Layer(source=ColorSource(color=c)))
    res = render_project(lib, p, tmp_path / "c.mp4", workers=0)
    # 6 + 6 + 6 frames; the second shot gives all 6 to the first crossfade, none are left
    assert res.frames == 18 - 6 - 0 and probe(res.path).frames == res.frames


def test_steps_that_change_size_or_rate_fit_the_film(tmp_path, lib, tone_clip):
    # Upscale doubles the picture and Interpolate the rate: the film keeps its frame size,
    # the shot its length and speed
    from storyloom.model.operations import Interpolate, Upscale
    ref, _ = lib.import_asset(tone_clip)
    p = project()
    sc = p.add_scene("s")
    for op in (Upscale(scale=2), Interpolate(factor=2)):
        shot = sc.add_shot(duration=1.0)
        shot.add_layer(Layer(source=AssetSource(asset=ref)))
        shot.add_operation(op)
    out = render_project(lib, p, tmp_path / "film.mp4", workers=0).path
    info = probe(out)
    assert (info.width, info.height, info.frames) == (W, H, 24)
    frames = read_frames(out)
    # shot 2 still runs from the first picture to the last (green ramps 0 -> 220), not half of it
    green = [float(f[..., 1].mean()) for f in frames[12:]]
    assert green[0] < 15 and green[-1] > 200

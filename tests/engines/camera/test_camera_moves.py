"""Every camera move on a small textured still: measured direction and size, no black border,
eases, the seeded shake, and bad input."""
import math

import numpy as np
import pytest

from storyloom.engines import resolve
from storyloom.engines.camera import MOVES, check_move
from storyloom.engines.camera.warp import Pose, camera_path, crop_margin, pose_matrix
from storyloom.errors import BadInput

W, H, N, A = 192, 108, 12, 0.2
STEP = 1 / (N - 1)   # linear ease: the same progress every frame


def expected(move):
    """(dx, dy, zoom, rotation) per frame that a move of A asks for (score.py motion's signs)."""
    return {
        "pan-left": (A * W * STEP, 0, 1, 0), "pan-right": (-A * W * STEP, 0, 1, 0),
        "tilt-up": (0, A * H * STEP, 1, 0), "tilt-down": (0, -A * H * STEP, 1, 0),
        "push-in": (0, 0, (1 + A) ** STEP, 0), "pull-out": (0, 0, (1 + A) ** -STEP, 0),
        "dolly-zoom": (0, 0, (1 + A) ** STEP, 0),
        "orbit-left": (A * W * STEP, 0, 1, 0), "orbit-right": (-A * W * STEP, 0, 1, 0),
        "crane-up": (0, A * H * STEP, 1, 0), "crane-down": (0, -A * H * STEP, 1, 0),
        "roll": (0, 0, 1, -A * 45 * STEP), "roll-right": (0, 0, 1, -A * 45 * STEP),
        "roll-left": (0, 0, 1, A * 45 * STEP),
    }[move]


@pytest.fixture(scope="module")
def cam():
    with resolve("camera").engine() as e:
        yield e


@pytest.mark.parametrize("move", [m for m in MOVES if m != "shake"])
def test_move_direction_and_size(cam, texture, motion, move):
    still = texture(W, H, seed=1)
    frames = cam.move_frames(np.stack([still] * N), move, A, "linear")
    assert frames.shape == (N, H, W, 3) and frames.dtype == np.uint8
    dx, dy, zoom, rot = motion(frames)
    ex, ey, ez, er = expected(move)
    print(move, (round(dx, 3), round(dy, 3), round(zoom, 5), round(rot, 3)), (ex, ey, ez, er))
    # the orbit's yaw and the crane's tilt bend the picture: the centre's shift is a bit off
    bent = move.startswith(("orbit", "crane"))
    tol = 0.3 if bent else 0.15
    for got, want, floor in ((dx, ex, 0.25), (dy, ey, 0.25), (rot, er, 0.15 if bent else 0.03)):
        if want:
            assert math.copysign(1, got) == math.copysign(1, want), (got, want)
            assert abs(got - want) <= tol * abs(want), (got, want)
        else:
            assert abs(got) < floor, (got, want)
    if ez != 1:
        assert (zoom > 1) == (ez > 1) and abs(math.log(zoom) - math.log(ez)) < 0.15 * abs(math.log(ez))
    else:
        assert abs(zoom - 1) < 0.003
    # never a black border: every frame's edge rows and columns keep the texture's brightness
    for f in frames:
        for edge in (f[0], f[-1], f[:, 0], f[:, -1]):
            assert edge.min() >= 25 and edge.mean() > 80, (move, edge.min(), edge.mean())


@pytest.mark.parametrize("ease", ["linear", "ease-in", "ease-out", "ease-in-out"])
def test_eases_shape_the_speed(cam, texture, motion_pair, ease):
    still = texture(W, H, seed=2)
    frames = cam.move_frames(np.stack([still] * N), "pan-left", A, ease)
    steps = [motion_pair(a, b)[0] for a, b in zip(frames, frames[1:])]
    first, last, total = np.mean(steps[:3]), np.mean(steps[-3:]), sum(steps)
    # the whole travel is A of the width whatever the ease
    assert abs(total - A * W) < 0.06 * A * W, (total, steps)
    if ease == "linear":
        assert abs(first - last) < 0.15 * abs(first)
    elif ease == "ease-in":
        assert last > 2 * first
    elif ease == "ease-out":
        assert first > 2 * last
    else:
        mid = np.mean(steps[4:7])
        assert mid > 1.8 * first and mid > 1.8 * last


def test_shake_is_seeded_smooth_and_averages_to_nothing(cam, texture, motion_pair):
    still = texture(W, H, seed=3)
    n, amount = 36, 0.3
    clip = np.stack([still] * n)
    a = cam.move_frames(clip, "shake", amount, seed=5)
    b = cam.move_frames(clip, "shake", amount, seed=5)
    c = cam.move_frames(clip, "shake", amount, seed=6)
    assert np.array_equal(a, b)                     # the same seed, the same shake
    assert np.abs(a.astype(int) - c).mean() > 3     # another seed, another shake
    # measured against the unshaken view through the same crop margin
    poses = camera_path("shake", amount, n, (W, H), seed=5)
    import cv2
    ref = cv2.warpAffine(still, pose_matrix(Pose(), (W, H), crop_margin(poses, (W, H)))[:2], (W, H),
                         flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    off = np.array([motion_pair(ref, f)[:2] for f in a])
    rms = float(np.sqrt((off ** 2).mean()))
    want = amount * 0.1 * H * math.sqrt(2)           # RMS per axis is amount * 10% of the short side
    print("shake rms", rms, "want", want, "mean", off.mean(axis=0))
    assert 0.7 * want < rms < 1.3 * want
    assert np.all(np.abs(off.mean(axis=0)) < 0.15 * rms)      # averages to no motion
    steps = np.diff(off, axis=0)
    assert np.sqrt((steps ** 2).mean()) < 0.5 * rms            # smooth: small frame-to-frame steps
    for f in a:
        assert f[0].min() >= 25 and f[-1].min() >= 25 and f[:, 0].min() >= 25 and f[:, -1].min() >= 25


def test_margin_grows_with_the_move(texture):
    size = (W, H)
    pan = [crop_margin(camera_path("pan-left", a, 9, size), size) for a in (0.1, 0.2, 0.4)]
    # a pan of a fifth of the width needs exactly a fifth more picture
    assert [round(k, 4) for k in pan] == [1.1, 1.2, 1.4]
    assert crop_margin(camera_path("push-in", 0.5, 9, size), size) == 1.0   # zooming in needs none
    roll = crop_margin(camera_path("roll", 0.2, 9, size), size)
    # +-4.5 degrees of a 16:9 frame: cos + (W / H) sin
    assert abs(roll - (math.cos(math.radians(4.5)) + W / H * math.sin(math.radians(4.5)))) < 1e-3


def test_amount_zero_is_still(cam, texture):
    still = texture(W, H, seed=4)
    out = cam.move_frames(np.stack([still] * 3), "pan-left", 0.0)
    assert np.abs(out.astype(int) - still).max() <= 1


@pytest.mark.parametrize("move, amount, ease, message", [
    ("zoom-in", 0.2, "linear", "unknown (choose from: pan-left"),
    ("pan-left", 1.5, "linear", "amount 1.5 out of range 0..1"),
    ("pan-left", -0.1, "linear", "out of range"),
    ("roll", 0.2, "bounce", "ease 'bounce' unknown"),
])
def test_bad_moves(move, amount, ease, message):
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_move(move, amount, ease)


def test_bad_frames(cam):
    with pytest.raises(BadInput, match="need uint8"):
        cam.move_frames(np.zeros((3, 10, 10), np.uint8), "pan-left")
    with pytest.raises(BadInput, match="need uint8"):
        cam.move_frames(np.zeros((3, 10, 10, 3), np.float32), "pan-left")
    with pytest.raises(BadInput, match="at least 1"):
        cam.move_still(np.zeros((20, 20, 3), np.uint8), 0, "pan-left")


def test_render_step_without_a_project_moves_the_clip(texture, motion):
    from storyloom.model import CameraMove
    from storyloom.render.steps import Clip, StepContext, step_for
    still = texture(W, H, seed=5)
    op = CameraMove(move="pan-right", amount=A, ease="linear")
    ctx = StepContext()
    out = step_for(op)(op, Clip(np.stack([still] * N), 24.0), ctx)
    assert len(out) == N and out.fps == 24.0 and ctx.provenance["engine"] == "warp@3"
    assert ctx.provenance["parallax_layers"] == 0
    dx = motion(out.frames)[0]
    assert abs(dx + A * W * STEP) < 0.15 * A * W * STEP
    bad = CameraMove(move="pan-right", amount=4.0)      # the model allows 5, a pan at most 1
    with pytest.raises(BadInput, match="out of range 0..1"):
        step_for(bad)(bad, Clip(np.stack([still] * 2), 24.0), StepContext())

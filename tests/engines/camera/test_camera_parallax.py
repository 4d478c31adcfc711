"""Parallax: near layers move more than far ones — on given layers, on a still whose subject the
engine finds itself ("make the photo move"), and on a layered shot rendered through a Library."""
import math

import cv2
import numpy as np
import pytest

from storyloom.engines import resolve
from storyloom.engines.camera import MOVES, LayerPicture
from storyloom.engines.camera.fill import fill_behind
from storyloom.engines.subject import find_subject
from storyloom.model import CameraMove
from storyloom.model.document import AssetSource, Layer, Project
from storyloom.render import render_shot
from storyloom.store import Library

from camera_media import salient_still

W, H, N, A = 192, 108, 12, 0.2


def magenta_square(side=36):
    """Straight-alpha RGBA W x H: a magenta checker square at the centre, clear elsewhere."""
    img = np.zeros((H, W, 4), np.uint8)
    y0, x0 = (H - side) // 2, (W - side) // 2
    yy, xx = np.mgrid[0:side, 0:side]
    sq = np.zeros((side, side, 3), np.uint8)
    sq[...] = (255, 0, 255)
    sq[(yy // 6 + xx // 6) % 2 == 0] = (255, 0, 170)
    img[y0:y0 + side, x0:x0 + side, :3] = sq
    img[y0:y0 + side, x0:x0 + side, 3] = 255
    return img


def fg_mask(frame):
    """Where the magenta foreground shows (the background texture keeps every channel >= 50)."""
    return (frame[..., 0] > 200) & (frame[..., 1] < 45)


def centroid(mask):
    ys, xs = np.nonzero(mask)
    return xs.mean(), ys.mean()


def mean_step(xs):
    """Average change per frame (a thresholded mask's centroid steps in whole pixels)."""
    return (xs[-1] - xs[0]) / (len(xs) - 1)


def bg_motion(frames, masks, motion_pair):
    """Median background motion with the foreground (both frames', widened) left out."""
    out = []
    for a, b, ma, mb in zip(frames, frames[1:], masks, masks[1:]):
        keep = ~cv2.dilate((ma | mb).astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
        out.append(motion_pair(a, b, keep))
    return np.median(np.array(out), axis=0)


@pytest.fixture(scope="module")
def cam():
    with resolve("camera").engine() as e:
        yield e


def _layers(texture):
    bg = texture(W, H, seed=7)
    fg = magenta_square()
    from storyloom.imaging.alpha import premultiply
    return [LayerPicture(bg, np.eye(3), 0.0), LayerPicture(premultiply(fg), np.eye(3), 1.0)]


@pytest.mark.parametrize("move", ["pan-left", "tilt-down", "crane-up", "orbit-right"])
def test_near_layer_slides_faster(cam, texture, motion_pair, move):
    layers = _layers(texture)
    frames = cam.move_layers([layers] * N, N, (W, H), move, A, "linear")
    masks = [fg_mask(f) for f in frames]
    c = np.array([centroid(m) for m in masks])
    fg_step = (c[-1] - c[0]) / (len(c) - 1)
    bx, by, _, _ = bg_motion(frames, masks, motion_pair)
    axis = 0 if move.startswith(("pan", "orbit")) else 1
    fg, bg = fg_step[axis], (bx, by)[axis]
    want = 1 + MOVES[move].parallax
    print(move, "fg", fg_step, "bg", (bx, by), "ratio", fg / bg, "want", want)
    assert math.copysign(1, fg) == math.copysign(1, bg)
    assert abs(fg) > abs(bg) * 1.2
    assert abs(fg / bg - want) < 0.2 * want


def test_push_in_grows_the_near_layer_faster(cam, texture, motion_pair):
    layers = _layers(texture)
    frames = cam.move_layers([layers] * N, N, (W, H), "push-in", A, "linear")
    masks = [fg_mask(f) for f in frames]
    fg_growth = math.sqrt(masks[-1].sum() / masks[0].sum())
    _, _, bg_zoom, _ = bg_motion(frames, masks, motion_pair)
    bg_growth = bg_zoom ** (N - 1)
    print("fg", fg_growth, "bg", bg_growth)
    assert abs(bg_growth - (1 + A)) < 0.03
    assert abs(fg_growth - (1 + A) ** 2) < 0.06          # twice the log-zoom of the far layer


def test_dolly_zoom_keeps_the_subject_size(cam, texture, motion_pair):
    layers = _layers(texture)
    frames = cam.move_layers([layers] * N, N, (W, H), "dolly-zoom", A, "linear")
    masks = [fg_mask(f) for f in frames]
    assert abs(masks[-1].sum() / masks[0].sum() - 1) < 0.03
    _, _, bg_zoom, _ = bg_motion(frames, masks, motion_pair)
    assert abs(bg_zoom ** (N - 1) - (1 + A)) < 0.03


def test_find_subject_and_fill_behind():
    img, truth = salient_still()
    alpha, how = find_subject(img)
    assert how == "saliency"
    got = alpha > 0.5
    iou = (got & truth).sum() / (got | truth).sum()
    assert iou > 0.85, iou
    # the same picture gives the same cut, whatever OpenCV's random generator went through since
    cv2.randu(np.zeros((4, 4), np.float32), 0, 1)
    assert np.array_equal(find_subject(img)[0], alpha)
    bg = fill_behind(img, alpha)
    # nothing of the subject is left in the filled background, and the rest is untouched
    assert fg_mask(bg).sum() == 0
    far = ~cv2.dilate(truth.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    assert np.abs(bg[far].astype(int) - img[far]).max() <= 2
    # the fill continues the surroundings: its mean colour is near theirs, not black or magenta
    ring = cv2.dilate(truth.astype(np.uint8), np.ones((21, 21), np.uint8)).astype(bool) & far
    assert np.abs(bg[truth].mean(axis=0) - img[ring].mean(axis=0)).max() < 25


def test_photo_move_separates_subject(cam, motion_pair):
    img, truth = salient_still()
    frames, note = cam.move_still(img, N, "pan-right", A, "linear", parallax=True)
    assert note["subject"] == "saliency" and abs(note["coverage"] - truth.mean()) < 0.03
    masks = [fg_mask(f) for f in frames]
    fg_dx = mean_step([centroid(m)[0] for m in masks])
    bg_dx = bg_motion(frames, masks, motion_pair)[0]
    print("photo move fg", fg_dx, "bg", bg_dx)
    assert fg_dx < 0 and bg_dx < 0 and abs(fg_dx) > 1.25 * abs(bg_dx)
    for f in frames:   # no black border, no black hole where the subject was
        assert f[0].min() >= 25 and f[-1].min() >= 25 and f[:, 0].min() >= 25 and f[:, -1].min() >= 25
    # without parallax the subject stays glued to the background
    flat, note = cam.move_still(img, N, "pan-right", A, "linear", parallax=False)
    assert note["subject"] is None
    masks = [fg_mask(f) for f in flat]
    fg_dx = mean_step([centroid(m)[0] for m in masks])
    bg_dx = bg_motion(flat, masks, motion_pair)[0]
    assert abs(fg_dx / bg_dx - 1) < 0.1


def test_flat_picture_falls_back_to_a_plain_move(cam, texture):
    flat = np.full((H, W, 3), 120, np.uint8)
    frames, note = cam.move_still(flat, 4, "push-in", A)
    assert note["subject"] is None and frames.shape == (4, H, W, 3)


# ------------------------------------------------------------ through the renderer
def _png(path, rgba):
    cv2.imwrite(str(path), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA if rgba.shape[2] == 4 else cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture
def layered(tmp_path, texture):
    lib = Library.open(tmp_path / "lib")
    bg_ref, _ = lib.import_asset(_png(tmp_path / "bg.png", texture(W, H, seed=7)))
    fg_ref, _ = lib.import_asset(_png(tmp_path / "fg.png", magenta_square()))
    p = Project(title="t", fps=12)
    p.size.width, p.size.height = W, H
    scene = p.add_scene("s")
    return lib, p, scene, bg_ref, fg_ref


def test_layered_shot_moves_with_parallax(layered, motion_pair):
    lib, p, scene, bg_ref, fg_ref = layered
    shot = scene.add_shot(duration=1.0)
    shot.add_layer(Layer(source=AssetSource(asset=bg_ref)))
    shot.add_layer(Layer(source=AssetSource(asset=fg_ref)))
    shot.add_operation(CameraMove(move="pan-left", amount=A, ease="linear"))
    frames = render_shot(lib, p, shot).frames
    assert frames.shape == (12, H, W, 3)
    masks = [fg_mask(f) for f in frames]
    fg_dx = mean_step([centroid(m)[0] for m in masks])
    bg_dx = bg_motion(frames, masks, motion_pair)[0]
    print("layered fg", fg_dx, "bg", bg_dx)
    assert abs(bg_dx - A * W / 11) < 0.15 * A * W / 11          # the far layer: as asked
    assert abs(fg_dx / bg_dx - (1 + MOVES["pan-left"].parallax)) < 0.1
    for f in frames:
        assert f[0].min() >= 25 and f[-1].min() >= 25 and f[:, 0].min() >= 25 and f[:, -1].min() >= 25

    # the same move after another shot operation acts on the flat picture: no parallax
    flat_shot = scene.add_shot(duration=1.0)
    flat_shot.add_layer(Layer(source=AssetSource(asset=bg_ref)))
    flat_shot.add_layer(Layer(source=AssetSource(asset=fg_ref)))
    flat_shot.add_operation(CameraMove(move="pan-left", amount=0.0, ease="linear"))
    flat_shot.add_operation(CameraMove(move="pan-left", amount=A, ease="linear"))
    frames = render_shot(lib, p, flat_shot).frames
    masks = [fg_mask(f) for f in frames]
    fg_dx = mean_step([centroid(m)[0] for m in masks])
    bg_dx = bg_motion(frames, masks, motion_pair)[0]
    assert abs(fg_dx / bg_dx - 1) < 0.1


def test_single_layer_shot_is_warped_flat(layered, motion_pair):
    lib, p, scene, bg_ref, _ = layered
    shot = scene.add_shot(duration=1.0)
    shot.add_layer(Layer(source=AssetSource(asset=bg_ref)))
    shot.add_operation(CameraMove(move="tilt-up", amount=A, ease="linear"))
    frames = render_shot(lib, p, shot).frames
    dys = [motion_pair(a, b)[1] for a, b in zip(frames, frames[1:])]
    assert abs(np.median(dys) - A * H / 11) < 0.15 * A * H / 11
    # recorded provenance names the engine
    metas = list((lib.cache_dir / "steps").rglob("*.json"))
    assert metas and any("warp@3" in m.read_text() for m in metas)


def test_person_is_cut_out_by_selfie_segmentation():
    pytest.importorskip("mediapipe")
    from skimage import data
    img = cv2.resize(data.astronaut(), (256, 256), interpolation=cv2.INTER_AREA)
    alpha, how = find_subject(img)
    assert how == "person"
    assert 0.3 < alpha.mean() < 0.7
    # her face (about x 224, y 96 in the 512 px original) is subject; the flag's corner is not
    assert alpha[40:56, 104:120].mean() > 0.95 and alpha[:20, :20].max() < 0.05


@pytest.mark.parametrize("move", ["crane-up", "orbit-left", "tilt-down"])
def test_subject_standing_on_the_frame_edge_never_shows_past_it(texture, move):
    """A near layer cut off by the bottom of the frame (a person shown from the chest up)
    moves further than the background; the margin must cover that, or the frame shows the
    empty space below the layer's edge (a band of bare background, or black)."""
    bg = texture(W, H, seed=1)
    fg = np.zeros((H, W, 4), np.uint8)
    fg[40:, 60:140, :3] = (255, 0, 255)      # magenta torso reaching the bottom edge
    fg[40:, 60:140, 3] = 255
    from storyloom.imaging.alpha import premultiply
    layers = [LayerPicture(bg, np.eye(3), 0.0), LayerPicture(premultiply(fg), np.eye(3), 1.0)]
    cam = resolve("camera").engine()
    frames = cam.move_layers([layers] * N, N, (W, H), move, A, "linear")
    for i, f in enumerate(frames):
        # the bottom rows below the torso's columns stay magenta: its edge never rises into view
        cols = fg_mask(f[-2:]).any(axis=0)
        assert cols.sum() >= 20, (i, cols.sum())
        below = fg_mask(f[-3:])[:, cols]
        assert below.mean() > 0.95, (i, below.mean())


def test_fill_behind_continues_the_surroundings_at_the_subjects_edge():
    """What a parallax move reveals first is the band just inside the subject's outline:
    the plate there must continue the picture around it, without torn seams or objects
    copied in from elsewhere (a patch-shift fill scored ~28 grey levels here)."""
    import skimage.data as skd
    rgb = np.ascontiguousarray(cv2.resize(skd.astronaut(), (320, 320))[40:220])
    alpha, how = find_subject(rgb)
    assert alpha is not None and 0.2 < alpha.mean() < 0.6
    bg = fill_behind(rgb, alpha).astype(np.float32)
    hole = cv2.dilate((alpha > 0.02).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    band = hole & (1 - cv2.erode(hole, np.ones((7, 7), np.uint8)))
    outside = cv2.blur(np.where(hole[..., None] > 0, 0, rgb).astype(np.float32), (11, 11))
    weight = cv2.blur((1 - hole).astype(np.float32), (11, 11))[..., None]
    err = float(np.abs(bg - outside / np.maximum(weight, 1e-3))[band > 0].mean())
    assert err < 12, err

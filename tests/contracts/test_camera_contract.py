"""Every ``camera`` engine keeps the ``CameraEngine`` contract (DESIGN §3): it says who it
is and whether it can run (with the reason when not, and refuses with that reason), moves a
tiny clip, a still and a stack of layers into uint8 frames of the same size, the same
answer twice, every named move up to its limit and none past it, and ``close()`` twice.

The ``CameraMove`` operation itself: a bad move or amount is refused when it is added (the
Python API raises BadInput, the studio API answers 400, both with one line naming what is
valid; the file CLI ``storyloom camera`` exits 2, see tests/engines/camera/test_camera_cli.py),
and its ``seed`` picks the shake of each shot."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from storyloom.engines import engines, resolve
from storyloom.engines.base import Availability
from storyloom.engines.camera import MOVES, CameraEngine, LayerPicture
from storyloom.errors import BadInput, EngineUnavailable
from storyloom.model import CameraMove

CAMERAS = engines("camera")
W, H = 96, 54


def _texture(seed: int, w: int = W, h: int = H) -> np.ndarray:
    """Smooth random colour texture: features everywhere, so any motion shows."""
    rng = np.random.default_rng(seed)
    small = rng.random((9, 16, 3)).astype(np.float32)
    return (cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 255).astype(np.uint8)


def _gray(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)


@pytest.fixture(scope="module")
def still_clip():
    """6 identical frames: all motion in the output is the camera's."""
    return np.stack([_texture(3)] * 6)


@pytest.fixture
def engine_cls(request):
    cls = request.param
    a = cls.is_available()
    if not a:
        pytest.skip(f"{cls.NAME}: {a.reason}")
    return cls


def _each(indirect: bool = True):
    return pytest.mark.parametrize("engine_cls" if indirect else "cls", CAMERAS, ids=[c.NAME for c in CAMERAS],
                                   indirect=indirect)


def test_there_is_a_camera_engine():
    assert CAMERAS and any(c.is_available() for c in CAMERAS)


@_each(indirect=False)
def test_engine_says_who_it_is_and_whether_it_can_run(cls):
    assert issubclass(cls, CameraEngine) and cls.CAPABILITY == "camera"
    assert cls.NAME and cls.VERSION and cls.identity() == f"{cls.NAME}@{cls.VERSION}"
    assert cls.DESCRIPTION.strip() and "\n" not in cls.DESCRIPTION
    a = cls.is_available()
    assert isinstance(a, Availability)
    assert a.ok or a.reason.strip(), f"{cls.NAME}: unavailable without a reason"


@_each(indirect=False)
def test_unavailable_engine_refuses_with_its_reason(cls, still_clip):
    a = cls.is_available()
    if a:
        pytest.skip(f"{cls.NAME} can run here")
    with pytest.raises(EngineUnavailable, match=re.escape(a.reason)):
        resolve("camera", cls.NAME)
    with cls() as eng, pytest.raises(EngineUnavailable, match=re.escape(a.reason)):
        eng.move_frames(still_clip, "pan-left", 0.2)


@_each()
def test_move_frames_shape_progress_and_same_answer_twice(engine_cls, still_clip):
    seen = []
    with engine_cls() as eng:
        a = eng.move_frames(still_clip, "pan-left", 0.3, "linear", progress=lambda f, m="": seen.append(f))
        b = eng.move_frames(still_clip, "pan-left", 0.3, "linear")
    assert a.shape == still_clip.shape and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert seen and all(0.0 <= f <= 1.0 for f in seen) and seen[-1] == pytest.approx(1.0)
    # pan-left: the picture slides right by amount x width over the move
    (dx, dy), _ = cv2.phaseCorrelate(_gray(a[0]), _gray(a[-1]))
    assert dx == pytest.approx(0.3 * W, abs=2.0) and abs(dy) < 1.0


@_each()
def test_every_move_up_to_its_limit_and_none_past_it(engine_cls, still_clip):
    clip = still_clip[:3]
    with engine_cls() as eng:
        for m in MOVES.values():
            out = eng.move_frames(clip, m.name, m.max_amount)
            assert out.shape == clip.shape and out.dtype == np.uint8, m.name
            with pytest.raises(BadInput, match=f"out of range 0..{m.max_amount:g}"):
                eng.move_frames(clip, m.name, m.max_amount + 0.5)
        with pytest.raises(BadInput, match="choose from: pan-left, "):
            eng.move_frames(clip, "spin", 0.2)


@_each()
def test_shake_follows_its_seed(engine_cls, still_clip):
    with engine_cls() as eng:
        a = eng.move_frames(still_clip, "shake", 1.0, seed=1)
        b = eng.move_frames(still_clip, "shake", 1.0, seed=1)
        c = eng.move_frames(still_clip, "shake", 1.0, seed=2)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(np.int16) - c).mean() > 3


def _square_at(frames: np.ndarray) -> list[tuple[float, float, int]]:
    """Centre x, y and area of the magenta square (green near 0) in each frame."""
    out = []
    for f in frames:
        ys, xs = np.nonzero((f[..., 1] < 30) & (f[..., 0] > 120) & (f[..., 2] > 120))
        out.append((float(xs.mean()), float(ys.mean()), len(xs)))
    return out


@_each()
def test_still_and_layers_give_frames_of_the_frame_size(engine_cls):
    still = _texture(4)
    back = np.full((H, W, 3), 60, np.uint8)
    # a premultiplied opaque 12x12 magenta square, placed at the frame centre, before a grey wall
    fg = np.zeros((20, 20, 4), np.uint8)
    fg[4:16, 4:16] = (200, 0, 200, 255)
    place = np.array([[1.0, 0, W / 2 - 10], [0, 1.0, H / 2 - 10], [0, 0, 1.0]])
    layers = [LayerPicture(back, np.eye(3), 0.0), LayerPicture(fg, place, 1.0)]
    with engine_cls() as eng:
        f1, note = eng.move_still(still, 4, "push-in", 0.3)
        f2, _ = eng.move_still(still, 4, "push-in", 0.3)
        push = eng.move_layers((layers for _ in range(4)), 4, (W, H), "push-in", 0.3)
        orbit = eng.move_layers((layers for _ in range(4)), 4, (W, H), "orbit-left", 0.3)
        again = eng.move_layers((layers for _ in range(4)), 4, (W, H), "orbit-left", 0.3)
    assert f1.shape == push.shape == orbit.shape == (4, H, W, 3) and f1.dtype == orbit.dtype == np.uint8
    assert isinstance(note, dict)
    assert np.array_equal(f1, f2) and np.array_equal(orbit, again)
    # push-in: the centred square stays centred and grows
    sq = _square_at(push)
    assert all(abs(x - (W - 1) / 2) < 1 and abs(y - (H - 1) / 2) < 1 for x, y, _ in sq)
    assert sq[0][2] < sq[1][2] < sq[2][2] < sq[3][2]
    # orbit-left: the near layer slides right, further than a flat 0.3 pan would take it
    xs = [x for x, _, _ in _square_at(orbit)]
    assert xs == sorted(xs) and xs[-1] - xs[0] > 0.3 * W * 1.2


@_each()
def test_close_is_safe_twice(engine_cls, still_clip):
    eng = engine_cls()
    assert eng.move_frames(still_clip[:2], "tilt-up", 0.1).shape == still_clip[:2].shape
    eng.close()
    eng.close()


# ------------------------------------------------------------ the CameraMove operation
def _one_line_listing_moves(message: str) -> None:
    assert "\n" not in message and all(name in message for name in MOVES)


def test_python_api_refuses_a_bad_move_when_it_is_added(tmp_path):
    from storyloom import Project
    film = Project.create(tmp_path / "lib", size=f"{W}x{H}", fps=12)
    shot = film.add_scene("s").add_shot(title="a", duration=0.5)
    shot.add_layer(color="#336699")
    revisions = len(film.history())
    with pytest.raises(BadInput) as e:
        shot.add_operation(CameraMove(move="spin"))
    _one_line_listing_moves(str(e.value))
    # pan-left goes up to 1, push-in up to 3: the limit is the move's own
    with pytest.raises(BadInput, match=r"pan-left: amount 1.5 out of range 0..1$"):
        shot.add_operation(CameraMove(move="pan-left", amount=1.5))
    assert len(film.history()) == revisions and shot.doc.operations == []
    shot.add_operation(CameraMove(move="push-in", amount=1.5, seed=7))
    assert [(o.move, o.amount, o.seed) for o in shot.doc.operations] == [("push-in", 1.5, 7)]
    assert len(film.history()) == revisions + 1


def test_studio_api_answers_400_for_a_bad_move(tmp_path):
    from fastapi.testclient import TestClient

    from storyloom.api import create_app
    with TestClient(create_app(tmp_path / "lib", render_workers=0), base_url="http://127.0.0.1") as client:
        def ok(r):
            assert r.status_code == 200, r.text
            return r.json()
        p = ok(client.post("/api/projects", json={"title": "t", "width": W, "height": H, "fps": 12}))
        pid = p["id"]
        s = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": p["revision"]}))
        shot = ok(client.post(f"/api/projects/{pid}/scenes/{s['id']}/shots", json={"base_revision": s["revision"]}))
        url = f"/api/projects/{pid}/shots/{shot['id']}/operations"
        rev = shot["revision"]
        r = client.post(url, json={"base_revision": rev, "operation": {"schema": "CameraMove", "move": "spin"}})
        assert r.status_code == 400
        _one_line_listing_moves(r.json()["detail"])
        r = client.post(url, json={"base_revision": rev,
                                   "operation": {"schema": "CameraMove.1", "move": "tilt-up", "amount": 2}})
        assert r.status_code == 400 and r.json()["detail"].endswith("tilt-up: amount 2 out of range 0..1")
        assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev     # nothing saved
        done = ok(client.post(url, json={"base_revision": rev, "operation": {
            "schema": "CameraMove", "move": "shake", "amount": 2, "seed": 3}}))
        op = done["project"]["scenes"][0]["shots"][0]["takes"][0]["operations"][0]
        assert (op["schema"], op["move"], op["amount"], op["seed"]) == ("CameraMove.1", "shake", 2, 3)


def test_documents_without_a_seed_still_load():
    from storyloom.model.operations import load_operation
    old = load_operation({"schema": "CameraMove.1", "move": "shake", "amount": 0.5})
    assert old == CameraMove(move="shake", amount=0.5, seed=0)
    saved = CameraMove(move="shake", seed=9).model_dump()
    assert saved["schema"] == "CameraMove.1" and load_operation(saved).seed == 9


def test_each_shot_shakes_by_its_own_seed(tmp_path):
    """Rendered through a Library: the same seed, the same shake; another seed, another."""
    from storyloom.model import AssetSource, Layer, Project
    from storyloom.render import render_shot
    from storyloom.store import Library
    lib = Library.open(tmp_path / "lib")
    png = tmp_path / "tex.png"
    cv2.imwrite(str(png), _texture(5)[:, :, ::-1])
    ref, _ = lib.import_asset(png)
    p = Project(title="t", fps=12)
    p.size.width, p.size.height = W, H
    scene = p.add_scene("s")

    def shaken(seed: int) -> np.ndarray:
        shot = scene.add_shot(duration=0.5)
        shot.add_layer(Layer(name="tex", source=AssetSource(asset=ref)))
        shot.add_operation(CameraMove(move="shake", amount=1.0, seed=seed))
        return render_shot(lib, p, shot).frames

    a, again, b = shaken(4), shaken(4), shaken(5)
    assert a.shape == (6, H, W, 3)
    assert np.array_equal(a, again)
    assert np.abs(a.astype(np.int16) - b).mean() > 3
    # a shake moves the picture from frame to frame
    (dx, dy), _ = cv2.phaseCorrelate(_gray(a[0]), _gray(a[3]))
    assert np.hypot(dx, dy) > 0.5

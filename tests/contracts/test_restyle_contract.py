"""Every ``restyle`` engine keeps the ``Restyler`` contract (DESIGN §3): it says who it is
and whether it can run (with the reason when not, and refuses with that reason), restyles a
tiny clip into uint8 frames of the same shape, the same answer twice for a seed, the input
back at strength 0, BadInput naming the styles for an unknown one, and ``close()`` twice.
``diffusers`` runs with a tiny random-weight pipeline built here when it has no model
(shape contract only: random weights draw noise).

The ``Restyle`` operation itself: an unknown style is refused when it is added (the Python
API raises BadInput, the studio API answers 400, both with one line naming the styles; the
file CLI ``storyloom restyle`` exits 2, see tests/engines/restyle/test_restyle_cli.py)."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from storyloom.engines import engines, resolve
from storyloom.engines.base import Availability
from storyloom.engines.restyle import Restyler, style_names
from storyloom.errors import BadInput, EngineUnavailable
from storyloom.model import Restyle

RESTYLERS = engines("restyle")
W, H = 64, 40


def _clip(n: int = 3) -> np.ndarray:
    """``n`` frames panning 2 px a frame over a smooth random colour texture."""
    rng = np.random.default_rng(1)
    tex = cv2.resize(rng.random((10, 14, 3)).astype(np.float32), (W + 2 * n, H), interpolation=cv2.INTER_CUBIC)
    tex = (tex.clip(0, 1) * 255).astype(np.uint8)
    return np.stack([tex[:, 2 * i:2 * i + W] for i in range(n)])


@pytest.fixture(scope="module")
def clip():
    return _clip()


@pytest.fixture(scope="module")
def tiny_diffusers_model(tmp_path_factory):
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    from engines.restyle.test_restyle_diffusers import build_tiny_pipeline
    return build_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture
def engine_cls(request, monkeypatch):
    cls = request.param
    if cls.NAME == "diffusers" and not cls.is_available():
        model = request.getfixturevalue("tiny_diffusers_model")
        monkeypatch.setenv("STORYLOOM_DIFFUSERS_MODEL", str(model))
        monkeypatch.setenv("STORYLOOM_DIFFUSERS_STEPS", "2")
        request.node.random_weights = True
    a = cls.is_available()
    if not a:
        pytest.skip(f"{cls.NAME}: {a.reason}")
    return cls


def _each(indirect: bool = True):
    return pytest.mark.parametrize("engine_cls" if indirect else "cls", RESTYLERS,
                                   ids=[c.NAME for c in RESTYLERS], indirect=indirect)


def test_there_is_a_restyle_engine():
    assert RESTYLERS and any(c.is_available() for c in RESTYLERS)


@_each(indirect=False)
def test_engine_says_who_it_is_and_whether_it_can_run(cls):
    assert issubclass(cls, Restyler) and cls.CAPABILITY == "restyle"
    assert cls.NAME and cls.VERSION and cls.identity() == f"{cls.NAME}@{cls.VERSION}"
    assert cls.DESCRIPTION.strip() and "\n" not in cls.DESCRIPTION
    a = cls.is_available()
    assert isinstance(a, Availability)
    assert a.ok or a.reason.strip(), f"{cls.NAME}: unavailable without a reason"
    offered = [s.name for s in cls().styles()]
    assert offered and set(offered) <= set(style_names())


@_each(indirect=False)
def test_unavailable_engine_refuses_with_its_reason(cls, clip):
    a = cls.is_available()
    if a:
        pytest.skip(f"{cls.NAME} can run here")
    with pytest.raises(EngineUnavailable, match=re.escape(a.reason)):
        resolve("restyle", cls.NAME)
    with cls() as eng, pytest.raises(EngineUnavailable, match=re.escape(a.reason)):
        eng.restyle(clip, "ukiyo-e")


@_each()
def test_restyle_shape_progress_and_same_answer_twice(engine_cls, clip):
    seen = []
    with engine_cls() as eng:
        a = eng.restyle(clip, "ukiyo-e", seed=3, progress=lambda f, m="": seen.append(f))
        b = eng.restyle(clip, "ukiyo-e", seed=3)
        none = eng.restyle(clip, "ukiyo-e", strength=0.0, seed=3)
        half = eng.restyle(clip, "ukiyo-e", strength=0.5, seed=3)
    assert a.shape == clip.shape and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.array_equal(none, clip)
    # a look is a change: strength 1 is far from the input, strength 0.5 in between
    full_change = np.abs(a.astype(np.float32) - clip).mean()
    half_change = np.abs(half.astype(np.float32) - clip).mean()
    assert full_change > 5 and 0.2 * full_change < half_change < 0.8 * full_change
    assert seen and all(0.0 <= f <= 1.0 for f in seen) and seen[-1] == pytest.approx(1.0)


@_each()
def test_bad_style_or_strength_is_bad_input(engine_cls, clip):
    with engine_cls() as eng:
        with pytest.raises(BadInput) as e:
            eng.restyle(clip, "cubism")
        assert "\n" not in str(e.value) and all(n in str(e.value) for n in style_names())
        with pytest.raises(BadInput, match="0..1"):
            eng.restyle(clip, "sepia", strength=1.5)


@_each()
def test_every_offered_style_restyles(engine_cls, clip, request):
    if getattr(request.node, "random_weights", False):
        pytest.skip("random test weights: one style is enough for the shape contract")
    small = clip[:2]
    with engine_cls() as eng:
        for info in eng.styles():
            out = eng.restyle(small, info.name, seed=1)
            assert out.shape == small.shape and out.dtype == np.uint8, info.name
            assert np.abs(out.astype(np.float32) - small).mean() > 3, info.name


@_each()
def test_close_is_safe_twice(engine_cls, clip):
    eng = engine_cls()
    assert eng.restyle(clip[:1], "sepia").shape == clip[:1].shape
    eng.close()
    eng.close()


# ------------------------------------------------------------ the Restyle operation
def _one_line_listing_styles(message: str) -> None:
    assert "\n" not in message and all(name in message for name in style_names())


def test_python_api_refuses_an_unknown_style_when_it_is_added(tmp_path):
    from storyloom import Project
    film = Project.create(tmp_path / "lib", size=f"{W}x{H}", fps=12)
    shot = film.add_scene("s").add_shot(title="a", duration=0.5)
    shot.add_layer(color="#336699")
    revisions = len(film.history())
    with pytest.raises(BadInput) as e:
        shot.add_operation(Restyle(style="cubism"))
    _one_line_listing_styles(str(e.value))
    assert len(film.history()) == revisions and shot.doc.operations == []
    shot.add_operation(Restyle(style="monet", strength=0.5))     # an alias of impressionist
    assert [o.style for o in shot.doc.operations] == ["monet"]


def test_studio_api_answers_400_for_an_unknown_style(tmp_path):
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
        layer = ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/layers", json={
            "base_revision": shot["revision"], "source": {"kind": "color", "color": "#ff0000"}}))
        url = f"/api/projects/{pid}/shots/{shot['id']}/operations"
        rev = layer["revision"]
        for where in ({}, {"layer_id": layer["id"]}):      # on the shot, and on one layer
            r = client.post(url, json={"base_revision": rev, **where,
                                       "operation": {"schema": "Restyle", "style": "cubism"}})
            assert r.status_code == 400
            _one_line_listing_styles(r.json()["detail"])
        assert ok(client.get(f"/api/projects/{pid}"))["revision"] == rev     # nothing saved
        done = ok(client.post(url, json={"base_revision": rev, "operation": {"schema": "Restyle.1",
                                                                              "style": "film-noir"}}))
        ops = done["project"]["scenes"][0]["shots"][0]["takes"][0]["operations"]
        assert [(o["schema"], o["style"]) for o in ops] == [("Restyle.1", "film-noir")]

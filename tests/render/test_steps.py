"""Each operation's render step, the check of its values and its form's examples live in
one module (storyloom.render.steps.<operation>): every door refuses a bad value when the
operation is added, with the same rule."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyloom.api import create_app
from storyloom.errors import BadInput
from storyloom.model import CameraMove, Interpolate, Restyle, Upscale, operation_types
from storyloom.render.steps import STEP_MODULES, field_examples, registered_steps, validate_operation


@pytest.mark.parametrize("op, message", [
    (Upscale(scale=3), "scale 3: must be 2 or 4"),
    (Restyle(style="vaporwave"), "style 'vaporwave': unknown"),
    (CameraMove(move="spin"), "camera move 'spin': unknown"),
    (CameraMove(move="pan-left", amount=2.0), "out of range 0..1"),
    (Interpolate.model_construct(factor=9, fps=None, engine=None), "factor 9: must be 2..8"),
])
def test_validate_operation_refuses_values_the_step_cannot_use(op, message):
    with pytest.raises(BadInput, match=message):
        validate_operation(op)


@pytest.mark.parametrize("op", [Upscale(scale=2), Upscale(scale=4, denoise=0.5), Restyle(style="monet"),
                                CameraMove(move="pan-left", amount=0.0), Interpolate(fps=60, factor=None)])
def test_validate_operation_passes_good_values(op):
    assert validate_operation(op) is op


def test_every_step_module_is_listed_and_registers_its_operation():
    steps = registered_steps()     # (other tests register steps of their own test operations)
    ours = {name for name, step in steps.items() if step.run.__module__.startswith("storyloom.render.steps.")}
    assert ours == set(STEP_MODULES) and ours <= set(operation_types())
    for name, module in STEP_MODULES.items():
        assert steps[name].run.__module__ == f"storyloom.render.steps.{module}"


def test_free_text_fields_offer_their_values():
    assert "pan-left" in list(field_examples("CameraMove")["move"]())
    assert "ukiyo-e" in list(field_examples("Restyle")["style"]())
    assert field_examples("Remove") == {}


def test_the_api_refuses_upscale_by_3_when_it_is_added(tmp_path):
    with TestClient(create_app(tmp_path / "lib", render_workers=0), base_url="http://127.0.0.1") as client:
        p = client.post("/api/projects", json={"title": "T", "width": 64, "height": 36}).json()
        pid, rev = p["id"], p["revision"]
        scene = client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev}).json()
        shot = client.post(f"/api/projects/{pid}/scenes/{scene['id']}/shots",
                           json={"base_revision": scene["revision"]}).json()
        r = client.post(f"/api/projects/{pid}/shots/{shot['id']}/operations",
                        json={"base_revision": shot["revision"], "operation": {"schema": "Upscale", "scale": 3}})
        assert r.status_code == 400 and "scale 3: must be 2 or 4" in r.json()["detail"]
        assert client.get(f"/api/projects/{pid}").json()["revision"] == shot["revision"]   # nothing saved

"""Operations list (schemas, availability from the registry), adding/removing them; engines."""
from types import SimpleNamespace

from api_helpers import new_project, ok
from storyloom.engines.base import engines
from storyloom.model.operations import operation_types
from storyloom.render.steps import step_for


def test_operations_list_every_type_with_user_schema_and_availability(client):
    ops = {o["name"]: o for o in ok(client.get("/api/operations"))}
    engines()
    assert set(ops) == set(operation_types())
    for name, cls in operation_types().items():
        o = ops[name]
        assert o["capability"] == cls.capability and o["target"] == cls.target
        props = o["schema"]["properties"]
        assert "engine" not in props and "schema" not in props
        assert set(props) == set(cls.model_fields) - {"engine"}
        backends = engines(cls.capability) if cls.capability else []
        try:
            step_for(SimpleNamespace(schema_name=name))
            has_step = True
        except Exception:
            has_step = False
        expected = has_step and (not cls.capability or any(e.is_available() for e in backends))
        assert o["available"] is expected, (name, o["reason"])
        assert [e["name"] for e in o["engines"]] == [e.NAME for e in backends]
        if cls.capability and not backends:
            assert o["reason"] == f"no engine for {cls.capability} yet"
    assert ops["Restyle"]["schema"]["required"] == ["style"]
    assert ops["CameraMove"]["label"] == "Camera move"


def test_add_and_remove_operations(client):
    pid, rev, _ = new_project(client)
    s = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev}))
    shot = ok(client.post(f"/api/projects/{pid}/scenes/{s['id']}/shots", json={"base_revision": s["revision"],
                                                                                "title": "Sky"}))
    layer = ok(client.post(f"/api/projects/{pid}/shots/{shot['id']}/layers",
                           json={"base_revision": shot["revision"], "source": {"kind": "color", "color": "#ff0000"}}))
    url = f"/api/projects/{pid}/shots/{shot['id']}/operations"
    a = ok(client.post(url, json={"base_revision": layer["revision"],
                                  "operation": {"schema": "Upscale.1", "scale": 2, "sharpen": 0.5}}))
    b = ok(client.post(url, json={"base_revision": a["revision"], "operation": {"schema": "Restyle", "style": "monet"}}))
    ops = b["project"]["scenes"][0]["shots"][0]["takes"][0]["operations"]
    assert [(o["schema"], o.get("scale"), o.get("style")) for o in ops] == [
        ("Upscale.1", 2, None), ("Restyle.1", None, "monet")]
    hist = ok(client.get(f"/api/projects/{pid}/history"))
    assert hist[0]["summary"] == "restyle monet on shot 'Sky'"

    r = client.post(url, json={"base_revision": b["revision"], "operation": {"schema": "Cutout.1", "frame": 0}})
    assert r.status_code == 400 and "layer" in r.json()["detail"]
    c = ok(client.post(url, json={"base_revision": b["revision"], "layer_id": layer["id"],
                                  "operation": {"schema": "Cutout.1", "clicks": [{"x": 10, "y": 5}]}}))
    lay = c["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"][0]
    assert lay["operations"][0]["clicks"][0]["x"] == 10
    assert client.post(url, json={"base_revision": c["revision"], "operation": {"schema": "Nope.1"}}).status_code == 400
    assert client.post(url, json={"base_revision": c["revision"],
                                  "operation": {"schema": "Upscale.1", "scale": 9}}).status_code == 422

    d = ok(client.delete(f"{url}/0", params={"base_revision": c["revision"]}))
    assert [o["schema"] for o in d["project"]["scenes"][0]["shots"][0]["takes"][0]["operations"]] == ["Restyle.1"]
    e = ok(client.delete(f"{url}/0", params={"base_revision": d["revision"], "layer_id": layer["id"]}))
    assert e["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"][0]["operations"] == []
    assert client.delete(f"{url}/5", params={"base_revision": e["revision"]}).status_code == 404


def test_engines_listed_with_availability(client):
    listed = ok(client.get("/api/engines"))
    assert [(e["capability"], e["name"]) for e in listed] == [(c.CAPABILITY, c.NAME) for c in engines()]
    for e, cls in zip(listed, engines()):
        assert e["available"] is bool(cls.is_available()) and e["neural"] is cls.NEURAL
        assert e["priority"] == cls.PRIORITY and e["reason"]

"""Projects, scenes, shots, takes, layers, characters through the API: every edit one
revision with a clear summary, 409 on a stale base revision with nothing changed."""

from api_helpers import new_project, ok


def _history(client, pid):
    return ok(client.get(f"/api/projects/{pid}/history"))


def test_project_crud_history_undo_redo(client):
    pid, rev, project = new_project(client)
    assert rev == 1 and project["title"] == "Trip" and project["size"]["width"] == 160
    listed = ok(client.get("/api/projects"))
    assert [(p["id"], p["revision"], p["shots"], p["duration"]) for p in listed] == [(pid, 1, 0, 0)]

    body = ok(client.patch(f"/api/projects/{pid}", json={"base_revision": 1, "title": "Road trip", "fps": 25}))
    assert body["revision"] == 2 and body["project"]["title"] == "Road trip" and body["project"]["fps"] == 25
    got = ok(client.get(f"/api/projects/{pid}"))
    assert got["revision"] == 2 and got["project"]["title"] == "Road trip"
    hist = _history(client, pid)
    assert [h["number"] for h in hist] == [2, 1] and hist[0]["current"]
    assert hist[0]["summary"] == "rename project to 'Road trip', 25 fps"

    undone = ok(client.post(f"/api/projects/{pid}/undo"))
    assert undone["revision"] == 1 and undone["project"]["title"] == "Trip"
    r = client.post(f"/api/projects/{pid}/undo")
    assert r.status_code == 400 and "nothing to undo" in r.json()["detail"]
    redone = ok(client.post(f"/api/projects/{pid}/redo"))
    assert redone["revision"] == 2 and redone["project"]["title"] == "Road trip"

    assert client.delete(f"/api/projects/{pid}").status_code == 204
    r = client.get(f"/api/projects/{pid}")
    assert r.status_code == 404 and isinstance(r.json()["detail"], str)
    assert ok(client.get("/api/projects")) == []


def test_stale_base_revision_is_409_and_changes_nothing(client):
    pid, _, _ = new_project(client)
    scene = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": 1, "title": "Arrival"}))
    assert scene["revision"] == 2
    before = ok(client.get(f"/api/projects/{pid}"))
    for method, url, kw in [
        ("patch", f"/api/projects/{pid}", {"json": {"base_revision": 1, "title": "Lost"}}),
        ("post", f"/api/projects/{pid}/scenes", {"json": {"base_revision": 1}}),
        ("delete", f"/api/projects/{pid}/scenes/{scene['id']}", {"params": {"base_revision": 1}}),
    ]:
        r = getattr(client, method)(url, **kw)
        assert r.status_code == 409, r.text
        assert r.json()["revision"] == 2 and "changed elsewhere" in r.json()["detail"]
    assert ok(client.get(f"/api/projects/{pid}")) == before
    assert len(_history(client, pid)) == 2


def test_scenes_add_at_index_patch_move_delete(client):
    pid, rev, _ = new_project(client)
    a = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "A"}))
    b = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": a["revision"], "title": "B"}))
    c = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": b["revision"], "title": "C",
                                                            "index": 0}))
    assert [s["title"] for s in c["project"]["scenes"]] == ["C", "A", "B"]
    p = ok(client.patch(f"/api/projects/{pid}/scenes/{a['id']}",
                        json={"base_revision": c["revision"], "collapsed": True, "description": "dawn"}))
    scene_a = p["project"]["scenes"][1]
    assert scene_a["collapsed"] is True and scene_a["description"] == "dawn"
    m = ok(client.post(f"/api/projects/{pid}/scenes/{c['id']}/move", json={"base_revision": p["revision"], "index": 2}))
    assert [s["title"] for s in m["project"]["scenes"]] == ["A", "B", "C"]
    d = ok(client.delete(f"/api/projects/{pid}/scenes/{b['id']}", params={"base_revision": m["revision"]}))
    assert [s["title"] for s in d["project"]["scenes"]] == ["A", "C"]
    assert [h["summary"] for h in _history(client, pid)][:3] == [
        "delete scene 'B' (0 shots)", "move scene 'C' to position 3", "describe scene 'A'; collapse scene 'A'"]
    assert client.patch(f"/api/projects/{pid}/scenes/nope", json={"base_revision": d["revision"]}).status_code == 404


def _two_scenes_with_shots(client):
    pid, rev, _ = new_project(client)
    s1 = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Scene 1"}))
    s2 = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": s1["revision"], "title": "Scene 2"}))
    rev, ids = s2["revision"], {}
    for title in ("Sky", "Road", "Sea"):
        r = ok(client.post(f"/api/projects/{pid}/scenes/{s1['id']}/shots",
                           json={"base_revision": rev, "title": title, "duration": 1.5}))
        rev, ids[title] = r["revision"], r["id"]
    return pid, rev, s1["id"], s2["id"], ids


def test_insert_blank_shot_at_index_and_move_between_scenes(client):
    pid, rev, s1, s2, ids = _two_scenes_with_shots(client)
    r = ok(client.post(f"/api/projects/{pid}/scenes/{s1}/shots",
                       json={"base_revision": rev, "index": 1, "title": "Gap", "duration": 2}))
    shots = r["project"]["scenes"][0]["shots"]
    assert [s["title"] for s in shots] == ["Sky", "Gap", "Road", "Sea"]
    gap = shots[1]
    assert gap["id"] == r["id"] and gap["duration"] == 2 and gap["takes"][0]["layers"] == []

    m = ok(client.post(f"/api/projects/{pid}/shots/{ids['Sky']}/move",
                       json={"base_revision": r["revision"], "scene_id": s2, "index": 0}))
    scenes = m["project"]["scenes"]
    assert [s["title"] for s in scenes[0]["shots"]] == ["Gap", "Road", "Sea"]
    assert [s["id"] for s in scenes[1]["shots"]] == [ids["Sky"]]
    assert _history(client, pid)[0]["summary"] == "move shot 'Sky' to Scene 2"

    # within a scene, the index counts after taking the shot out
    m2 = ok(client.post(f"/api/projects/{pid}/shots/{ids['Sea']}/move",
                        json={"base_revision": m["revision"], "scene_id": s1, "index": 0}))
    assert [s["title"] for s in m2["project"]["scenes"][0]["shots"]] == ["Sea", "Gap", "Road"]
    assert _history(client, pid)[0]["summary"] == "move shot 'Sea' to position 1 in Scene 1"

    # undo puts Sea back; one undo per edit
    back = ok(client.post(f"/api/projects/{pid}/undo"))
    assert [s["title"] for s in back["project"]["scenes"][0]["shots"]] == ["Gap", "Road", "Sea"]


def test_shot_patch_duplicate_delete(client):
    pid, rev, s1, _, ids = _two_scenes_with_shots(client)
    p = ok(client.patch(f"/api/projects/{pid}/shots/{ids['Road']}", json={
        "base_revision": rev, "duration": 2.5, "description": "dusty", "transition": {"kind": "crossfade",
                                                                                     "duration": 0.5}}))
    road = p["project"]["scenes"][0]["shots"][1]
    assert road["duration"] == 2.5 and road["description"] == "dusty"
    assert road["transition"]["kind"] == "crossfade" and road["transition"]["duration"] == 0.5
    bad = client.patch(f"/api/projects/{pid}/shots/{ids['Road']}", json={"base_revision": p["revision"],
                                                                        "duration": -1})
    assert bad.status_code == 422 and "duration" in bad.json()["detail"]

    d = ok(client.post(f"/api/projects/{pid}/shots/{ids['Road']}/duplicate", json={"base_revision": p["revision"]}))
    shots = d["project"]["scenes"][0]["shots"]
    assert [s["title"] for s in shots] == ["Sky", "Road", "Road", "Sea"]
    copy = shots[2]
    assert copy["id"] == d["id"] != ids["Road"] and copy["duration"] == 2.5
    assert copy["takes"][0]["id"] != shots[1]["takes"][0]["id"]

    x = ok(client.delete(f"/api/projects/{pid}/shots/{ids['Sky']}", params={"base_revision": d["revision"]}))
    assert [s["title"] for s in x["project"]["scenes"][0]["shots"]] == ["Road", "Road", "Sea"]
    assert _history(client, pid)[0]["summary"] == "delete shot 'Sky' from Scene 1"
    assert client.delete(f"/api/projects/{pid}/shots/{ids['Sky']}",
                         params={"base_revision": x["revision"]}).status_code == 404


def test_takes_and_layers(client):
    pid, rev, _, _, ids = _two_scenes_with_shots(client)
    url = f"/api/projects/{pid}/shots/{ids['Sky']}"
    sky = ok(client.post(f"{url}/layers", json={"base_revision": rev, "source": {"kind": "color", "color": "#3366ff"},
                                                "role": "background"}))
    title = ok(client.post(f"{url}/layers", json={"base_revision": sky["revision"], "name": "title",
                                                  "source": {"kind": "text", "text": "Arrival", "size": 20}}))
    layers = title["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]
    assert [l["name"] for l in layers] == ["#3366ff", "title"] and layers[1]["source"]["text"] == "Arrival"

    p = ok(client.patch(f"{url}/layers/{title['id']}", json={"base_revision": title["revision"], "opacity": 0.5,
                                                            "blend": "screen", "visible": False}))
    layer = p["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"][1]
    assert layer["transform"]["opacity"]["value"] == 0.5 and layer["blend"] == "screen" and not layer["visible"]
    m = ok(client.post(f"{url}/layers/{title['id']}/move", json={"base_revision": p["revision"], "index": 0}))
    assert [l["name"] for l in m["project"]["scenes"][0]["shots"][0]["takes"][0]["layers"]] == ["title", "#3366ff"]

    t2 = ok(client.post(f"{url}/takes", json={"base_revision": m["revision"], "name": "Alt",
                                              "copy_from": m["project"]["scenes"][0]["shots"][0]["takes"][0]["id"]}))
    shot = t2["project"]["scenes"][0]["shots"][0]
    assert shot["selected_take"] == t2["id"] and len(shot["takes"]) == 2
    assert [l["name"] for l in shot["takes"][1]["layers"]] == ["title", "#3366ff"]
    assert {l["id"] for l in shot["takes"][1]["layers"]}.isdisjoint({l["id"] for l in shot["takes"][0]["layers"]})
    # layer edits go to the selected take only
    d = ok(client.delete(f"{url}/layers/{shot['takes'][1]['layers'][0]['id']}",
                         params={"base_revision": t2["revision"]}))
    shot = d["project"]["scenes"][0]["shots"][0]
    assert len(shot["takes"][0]["layers"]) == 2 and len(shot["takes"][1]["layers"]) == 1
    s = ok(client.post(f"{url}/takes/{shot['takes'][0]['id']}/select", json={"base_revision": d["revision"]}))
    assert s["project"]["scenes"][0]["shots"][0]["selected_take"] == shot["takes"][0]["id"]
    assert _history(client, pid)[0]["summary"] == "select take 'Take 1' of shot 'Sky'"

    missing = client.post(f"{url}/layers", json={"base_revision": s["revision"],
                                                 "source": {"kind": "asset", "asset": {"sha256": "0" * 64}}})
    assert missing.status_code == 404
    bad = client.post(f"{url}/layers", json={"base_revision": s["revision"], "source": {"kind": "color",
                                                                                      "color": "blue"}})
    assert bad.status_code == 422


def test_characters(client):
    pid, rev, _ = new_project(client)
    a = ok(client.post(f"/api/projects/{pid}/characters", json={"base_revision": rev, "name": "Ada",
                                                                "description": "pilot"}))
    assert a["project"]["cast"][0]["name"] == "Ada" and a["project"]["cast"][0]["id"] == a["id"]
    dup = client.post(f"/api/projects/{pid}/characters", json={"base_revision": a["revision"], "name": "ada"})
    assert dup.status_code == 400 and "already" in dup.json()["detail"]
    p = ok(client.patch(f"/api/projects/{pid}/characters/{a['id']}",
                        json={"base_revision": a["revision"], "name": "Ada L.", "voice": {"rate": 1.2}}))
    c = p["project"]["cast"][0]
    assert c["name"] == "Ada L." and c["voice"]["rate"] == 1.2 and c["voice"]["voice"] == "en"
    d = ok(client.delete(f"/api/projects/{pid}/characters/{a['id']}", params={"base_revision": p["revision"]}))
    assert d["project"]["cast"] == []
    assert [h["summary"] for h in _history(client, pid)][:3] == [
        "delete character 'Ada L.'", "rename character 'Ada' to 'Ada L.'; set the voice of 'Ada L.'",
        "add character 'Ada'"]


def test_validation_errors_are_one_line(client):
    r = client.post("/api/projects", json={"title": "x", "width": 3})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and "width" in r.json()["detail"]
    r = client.post("/api/projects", json={"title": "x", "width": 161})
    assert r.status_code == 422 and "even" in r.json()["detail"]


def test_untitled_shots_are_named_by_their_number_in_history(client):
    """History is read by people: an untitled shot is "shot 2" (as on the page), never its id."""
    pid, rev, _ = new_project(client)
    scene = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": rev, "title": "Night"}))
    a = ok(client.post(f"/api/projects/{pid}/scenes/{scene['id']}/shots", json={"base_revision": scene["revision"],
                                                                              "title": "Sky"}))
    b = ok(client.post(f"/api/projects/{pid}/scenes/{scene['id']}/shots", json={"base_revision": a["revision"]}))
    d = ok(client.post(f"/api/projects/{pid}/shots/{b['id']}/duplicate", json={"base_revision": b["revision"]}))
    gone = ok(client.delete(f"/api/projects/{pid}/shots/{d['id']}", params={"base_revision": d["revision"]}))
    assert gone["revision"] == 6
    summaries = [h["summary"] for h in _history(client, pid)][:3]
    assert summaries == ["delete shot 3 from Night", "duplicate shot 2", "add a blank shot at position 2 of Night"]
    assert not any(b["id"] in s or d["id"] in s for s in summaries)


def test_answers_say_what_undo_and_redo_would_do(client):
    """Every answer with the project carries ``steps``: the summaries undo and redo would
    take back or bring back (None when there is nothing), for the page's buttons."""
    created = ok(client.post("/api/projects", json={"title": "Trip"}))
    assert created["steps"] == {"undo": None, "redo": None}
    pid = created["id"]
    assert ok(client.get(f"/api/projects/{pid}"))["steps"] == {"undo": None, "redo": None}
    a = ok(client.post(f"/api/projects/{pid}/scenes", json={"base_revision": 1, "title": "Dawn"}))
    assert a["steps"] == {"undo": "add scene 'Dawn'", "redo": None}
    b = ok(client.patch(f"/api/projects/{pid}/scenes/{a['id']}", json={"base_revision": a["revision"], "title": "Dusk"}))
    assert b["steps"]["undo"] == "rename scene 'Dawn' to 'Dusk'"
    undone = ok(client.post(f"/api/projects/{pid}/undo"))
    assert undone["steps"] == {"undo": "add scene 'Dawn'", "redo": "rename scene 'Dawn' to 'Dusk'"}
    again = ok(client.post(f"/api/projects/{pid}/undo"))
    assert again["steps"] == {"undo": None, "redo": "add scene 'Dawn'"}
    redone = ok(client.post(f"/api/projects/{pid}/redo"))
    assert redone["steps"] == {"undo": "add scene 'Dawn'", "redo": "rename scene 'Dawn' to 'Dusk'"}

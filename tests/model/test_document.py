import json
from pathlib import Path

import pytest

from storyloom.errors import BadInput, NotFound
from storyloom.model import (AssetRef, AssetSource, CameraMove, Character, ColorSource, Cutout, Click,
                             Key, Layer, NewerSchemaError, Param, Project, Restyle, Shot, Size,
                             TextSource, Transition)

FIXTURES = Path(__file__).parent / "fixtures"


def make_project() -> Project:
    p = Project(title="Round trip", size=Size(width=640, height=360), fps=25)
    s1 = p.add_scene("Opening")
    s2 = p.add_scene("Ending")
    sha = "a" * 64
    shot = s1.add_shot(title="Wide", duration=2.5, transition=Transition(kind="crossfade", duration=0.5))
    bg = shot.add_layer(Layer(name="bg", role="background",
                              source=AssetSource(asset=AssetRef(sha256=sha, name="bg.mp4"), in_point=1.0)))
    bg.transform.x = Param(keys=[Key(t=0, v=-10), Key(t=2, v=10, ease="ease-in-out")])
    shot.add_layer(Layer(name="title", role="title", source=TextSource(text="Hello", size=48), blend="screen"))
    shot.take.layers[0].operations.append(Cutout(clicks=[Click(x=10, y=20)]))
    shot.add_operation(Restyle(style="ukiyo-e", strength=0.7))
    shot.add_operation(CameraMove(move="push-in", amount=0.3))
    s2.add_shot(title="Close", duration=1.0)
    p.cast.append(Character(name="Ada", description="an engineer"))
    return p


def test_round_trip_keeps_everything_and_tags_every_object():
    p = make_project()
    data = json.loads(p.model_dump_json())
    assert data["schema"] == "Project.2"
    assert data["scenes"][0]["shots"][0]["takes"][0]["layers"][0]["source"]["schema"] == "AssetSource.1"
    assert data["scenes"][0]["shots"][0]["takes"][0]["operations"][0]["schema"] == "Restyle.1"
    q = Project.model_validate(data)
    assert q == p
    shot = q.scenes[0].shots[0]
    assert isinstance(shot.operations[0], Restyle) and shot.operations[0].style == "ukiyo-e"
    assert isinstance(shot.layers[0].operations[0], Cutout)
    assert q.asset_hashes() == {"a" * 64}


def test_keyframes_interpolate_with_easing():
    p = Param(keys=[Key(t=0, v=0), Key(t=2, v=100)])
    assert p.at(-1) == 0 and p.at(1) == pytest.approx(50) and p.at(3) == 100
    eased = Param(keys=[Key(t=0, v=0), Key(t=2, v=100, ease="ease-in-out")])
    assert eased.at(1) == pytest.approx(50) and eased.at(0.5) < 25
    assert Param(keys=[Key(t=0, v=0), Key(t=1, v=10, ease="ease-in")]).at(0.5) == pytest.approx(2.5)


def test_version_1_file_is_upgraded():
    data = json.loads((FIXTURES / "project_v1.json").read_text())
    p = Project.model_validate(data)
    assert (p.size.width, p.size.height) == (640, 360)
    assert p.scenes[0].shots[0].operations[0] == Restyle(style="watercolor", strength=0.5)
    assert json.loads(p.model_dump_json())["schema"] == "Project.2"


def test_newer_file_is_refused_clearly():
    with pytest.raises(NewerSchemaError, match="newer Storyloom"):
        Project.model_validate({"schema": "Project.99", "title": "future"})


def test_moving_shots_between_scenes():
    p = make_project()
    wide = p.scenes[0].shots[0]
    p.move_shot(wide.id, p.scenes[1].id, 1)
    assert [s.title for s in p.scenes[1].shots] == ["Close", "Wide"] and not p.scenes[0].shots
    with pytest.raises(NotFound):
        p.find_shot("nope")


def test_size_parsing_and_validation():
    assert str(Size.parse("1280x720")) == "1280x720"
    with pytest.raises(BadInput, match="WIDTHxHEIGHT"):
        Size.parse("big")
    with pytest.raises(BadInput, match="even"):
        Size.parse("641x360")


def test_operations_are_immutable_values():
    op = Restyle(style="monet")
    with pytest.raises(Exception):
        op.style = "noir"
    assert Restyle(style="monet") == op and op.label() == "restyle monet"

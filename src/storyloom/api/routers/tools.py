"""The layer tools of the studio's tool panel, run as jobs: cut an object out of a shot as
its own layer, correct a cutout layer with more clicks, and replace a scene's background
(``storyloom.studio.cutout`` and ``storyloom.studio.background``).

Requests are checked completely before the job starts (404 unknown shot/scene/layer/asset,
409 stale ``base_revision``, 400 a prompt outside the frame, 503 an engine that cannot run
here); the job then saves exactly one revision and its result holds ``revision``.
"""
from __future__ import annotations

from typing import Optional, Union

from fastapi import APIRouter
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, LayerId, LibraryDep, Pid, RunnerDep, SceneId, ShotId, load_at
from storyloom.engines.base import resolve
from storyloom.errors import BadInput
from storyloom.model import ShotSource
from storyloom.studio.background import check_background, stored_background
from storyloom.studio.board import scene_by_id
from storyloom.studio.cutout import build_cutout_layer, check_refine
from storyloom.studio.jobs import background_params

router = APIRouter(prefix="/api/projects/{pid}", tags=["layers"])

Point = tuple[float, float]
Box = tuple[float, float, float, float]
#: a click: x, y, positive, and optionally the shot frame it is on
ClickIn = Union[tuple[float, float, bool, int], tuple[float, float, bool]]


class ExtractIn(BaseModel):
    base_revision: int
    layer_id: Optional[str] = Field(None, pattern=ID_PATTERN,
                                    description="the layer to cut from; default: the bottom picture layer")
    point: Optional[Point] = Field(None, description="a click on the object, in frame pixels")
    box: Optional[Box] = Field(None, description="x0, y0, x1, y1 around the object, in frame pixels")
    clicks: list[ClickIn] = Field(default_factory=list, max_length=50,
                                  description="[x, y, positive] or [x, y, positive, frame] clicks, in frame "
                                              "pixels (default frame: ``frame``)")
    frame: int = Field(0, ge=0, description="the shot frame the prompt is on")
    engine: Optional[str] = Field(None, max_length=64, description="a segment engine; default: the best here")


class RefineIn(BaseModel):
    base_revision: int
    clicks: list[ClickIn] = Field(..., min_length=1, max_length=50,
                                  description="[x, y, positive] or [x, y, positive, frame] correcting clicks, in "
                                              "frame pixels: positive adds a missed part, negative removes a wrong one")
    frame: int = Field(0, ge=0, description="the shot frame of clicks given without one")


class AssetIn(BaseModel):
    sha256: str = Field(..., pattern=r"^[0-9a-f]{64}$")
    name: str = Field("", max_length=200)
    kind: Optional[str] = None  # ignored: the server knows the kind from its own probe


class BackgroundIn(BaseModel):
    base_revision: int
    color: Optional[str] = Field(None, description="#rrggbb")
    asset: Optional[AssetIn] = None
    shot_id: Optional[str] = Field(None, pattern=ID_PATTERN, description="another scene's shot, rendered")
    harmonize: bool = False
    strength: float = Field(0.6, ge=0, le=1, description="how far harmonize moves the foreground colours")
    engine: Optional[str] = Field(None, max_length=64,
                                  description="segment engine for shots that need their subject cut out")


def _check_engine(name: Optional[str]) -> None:
    """An explicit segment engine must exist (400) and be able to run here (503)."""
    if name is not None:
        resolve("segment", name)


def _submit_once(runner, pid: str, kind: str, params: dict) -> dict:
    """Start the job, or answer with the one already under way for exactly this request
    (a double click)."""
    for active in runner.active(pid, kind):
        if all(active.params.get(k) == params.get(k) for k in ("request", "shot_id", "scene_id", "layer_id")):
            return {"job_id": active.id}
    return {"job_id": runner.submit(kind, pid, params)}


@router.post("/shots/{shot_id}/extract")
def extract(body: ExtractIn, pid: Pid, shot_id: ShotId, lib: LibraryDep, runner: RunnerDep) -> dict:
    """Cut an object out of the shot as a new foreground layer, above the layer it comes
    from (a job; its result is ``{revision, layer_id, shot_id}``). Prompt: ``point``,
    ``box`` and/or ``clicks`` in frame pixels on shot frame ``frame``."""
    doc = load_at(lib, pid, body.base_revision)
    _, shot = doc.find_shot(shot_id)
    source = shot.layer(body.layer_id) if body.layer_id else None
    _check_engine(body.engine)
    # the prompt is checked now (a quick check, no engine runs): a bad one is a 400, not a failed job
    build_cutout_layer(lib, doc, shot, source, point=body.point, box=body.box, clicks=body.clicks,
                       frame=body.frame, engine=body.engine)
    params = {"shot_id": shot_id, "layer_id": body.layer_id, "base_revision": body.base_revision,
              "request": body.model_dump(mode="json"), "point": body.point, "box": body.box,
              "clicks": [list(c) for c in body.clicks], "frame": body.frame, "engine": body.engine}
    return _submit_once(runner, pid, "extract", params)


@router.post("/shots/{shot_id}/layers/{layer_id}/refine")
def refine(body: RefineIn, pid: Pid, shot_id: ShotId, layer_id: LayerId, lib: LibraryDep, runner: RunnerDep) -> dict:
    """Correct a cutout layer with more clicks on any shot frames, in frame pixels (a job; its
    result is ``{revision, layer_id, shot_id, emptied}``, ``emptied`` the shot frames where the
    cutout held something before and nothing now). One revision; refused (nothing saved)
    when the correction leaves nothing of the cutout."""
    doc = load_at(lib, pid, body.base_revision)
    _, shot = doc.find_shot(shot_id)
    layer = shot.layer(layer_id)
    # the clicks are checked now (no engine runs): a bad one is a 400, not a failed job
    check_refine(lib, doc, shot, layer, body.clicks, body.frame)
    params = {"shot_id": shot_id, "layer_id": layer.id, "base_revision": body.base_revision,
              "request": body.model_dump(mode="json"), "clicks": [list(c) for c in body.clicks], "frame": body.frame}
    return _submit_once(runner, pid, "refine", params)


@router.post("/scenes/{sid}/background")
def background(body: BackgroundIn, pid: Pid, sid: SceneId, lib: LibraryDep, runner: RunnerDep) -> dict:
    """Put a new background (``color``, an uploaded ``asset`` or another scene's ``shot_id``)
    behind every shot of the scene, cutting each shot's subject out first where it has no
    foreground layer; ``harmonize`` shifts the foregrounds' colours toward it (a job; its
    result is ``{revision, scene_id, shots, extracted: [{shot_id, how}]}``)."""
    doc = load_at(lib, pid, body.base_revision)
    scene = scene_by_id(doc, sid)
    given = [k for k in ("color", "asset", "shot_id") if getattr(body, k) is not None]
    if len(given) != 1:
        raise BadInput("background: give exactly one of color, asset or shot_id"
                       + (f" (got {', '.join(given)})" if given else ""))
    if body.asset is not None:
        source = stored_background(lib, body.asset.sha256, body.asset.name)   # 404 when unknown
    elif body.shot_id is not None:
        source = ShotSource(shot_id=doc.find_shot(body.shot_id)[1].id)        # 404 when unknown
    elif not body.color.startswith("#"):
        raise BadInput(f"colour {body.color!r}: expected #rrggbb")
    else:
        source = body.color
    source = check_background(lib, doc, scene, source)
    _check_engine(body.engine)
    params = {"scene_id": sid, "background": source.kind, "harmonize": body.harmonize,
              "base_revision": body.base_revision, "request": body.model_dump(mode="json"),
              "strength": body.strength, "engine": body.engine, **background_params(source)}
    return _submit_once(runner, pid, "background", params)

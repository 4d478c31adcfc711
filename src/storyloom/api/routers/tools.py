"""The layer tools of the studio's tool panel, run as jobs: cut an object out of a shot as
its own layer, correct a cutout layer with more clicks, and replace a scene's background
(``storyloom.layers``).

Requests are checked completely before the job starts (404 unknown shot/scene/layer/asset,
409 stale ``base_revision``, 400 a prompt outside the frame, 503 an engine that cannot run
here); the job then saves exactly one revision and its result holds ``revision``.
"""
from __future__ import annotations

import re
from typing import Optional, Union

from fastapi import APIRouter, Depends, Path as PathParam
from pydantic import BaseModel, Field

from storyloom.api.deps import ID_PATTERN, get_lib, get_runner, load_at
from storyloom.errors import BadInput, EngineUnavailable, NotFound

router = APIRouter(prefix="/api/projects/{pid}", tags=["layers"])
Pid = PathParam(..., pattern=ID_PATTERN)
ShotId = PathParam(..., pattern=ID_PATTERN)
Sid = PathParam(..., pattern=ID_PATTERN)
LayerId = PathParam(..., pattern=ID_PATTERN)

Point = tuple[float, float]
Box = tuple[float, float, float, float]
#: a click: x, y, positive, and optionally the shot frame it is on
ClickIn = Union[tuple[float, float, bool, int], tuple[float, float, bool]]
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


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
    if name is None:
        return
    from storyloom.engines.base import engines
    found = {e.NAME: e for e in engines("segment")}
    if name not in found:
        raise BadInput(f"engine {name!r}: not a segment engine (one of {', '.join(sorted(found)) or 'none'})")
    ok = found[name].is_available()
    if not ok:
        raise EngineUnavailable(f"engine {name}: cannot run here: {ok.reason}")


def _same_request(runner, pid: str, kind: str, params: dict) -> Optional[str]:
    """The job already under way for exactly this request (a double click), if any."""
    for job in runner.active(pid, kind):
        if job.params.get("request") == params["request"] and job.params.get("shot_id") == params.get("shot_id") \
                and job.params.get("scene_id") == params.get("scene_id") \
                and job.params.get("layer_id") == params.get("layer_id"):
            return job.id
    return None


@router.post("/shots/{shot_id}/extract")
def extract(body: ExtractIn, pid: str = Pid, shot_id: str = ShotId, lib=Depends(get_lib),
            runner=Depends(get_runner)) -> dict:
    """Cut an object out of the shot as a new foreground layer, above the layer it comes
    from (a job; its result is ``{revision, layer_id, shot_id}``). Prompt: ``point``,
    ``box`` and/or ``clicks`` in frame pixels on shot frame ``frame``."""
    from storyloom.api.work import extract_job
    from storyloom.layers import build_cutout_layer
    doc = load_at(lib, pid, body.base_revision)
    _, shot = doc.find_shot(shot_id)
    source = shot.layer(body.layer_id) if body.layer_id else None
    _check_engine(body.engine)
    # the prompt is checked now (a quick check, no engine runs): a bad one is a 400, not a failed job
    build_cutout_layer(lib, doc, shot, source, point=body.point, box=body.box, clicks=body.clicks,
                       frame=body.frame, engine=body.engine)
    params = {"shot_id": shot_id, "layer_id": body.layer_id, "base_revision": body.base_revision,
              "request": body.model_dump(mode="json")}
    same = _same_request(runner, pid, "extract", params)
    if same:
        return {"job_id": same}
    job_id = runner.submit("extract", pid, params,
                           extract_job(lib, pid, shot_id, body.layer_id, body.point, body.box, body.clicks,
                                       body.frame, body.engine))
    return {"job_id": job_id}


@router.post("/shots/{shot_id}/layers/{layer_id}/refine")
def refine(body: RefineIn, pid: str = Pid, shot_id: str = ShotId, layer_id: str = LayerId, lib=Depends(get_lib),
           runner=Depends(get_runner)) -> dict:
    """Correct a cutout layer with more clicks on any shot frames, in frame pixels (a job; its
    result is ``{revision, layer_id, shot_id, emptied}``, ``emptied`` the shot frames where the
    cutout held something before and nothing now). One revision; refused (nothing saved)
    when the correction leaves nothing of the cutout."""
    from storyloom.api.work import refine_job
    from storyloom.layers import check_refine
    doc = load_at(lib, pid, body.base_revision)
    _, shot = doc.find_shot(shot_id)
    layer = shot.layer(layer_id)
    # the clicks are checked now (no engine runs): a bad one is a 400, not a failed job
    check_refine(lib, doc, shot, layer, body.clicks, body.frame)
    params = {"shot_id": shot_id, "layer_id": layer_id, "base_revision": body.base_revision,
              "request": body.model_dump(mode="json")}
    same = _same_request(runner, pid, "refine", params)
    if same:
        return {"job_id": same}
    job_id = runner.submit("refine", pid, params,
                           refine_job(lib, pid, shot_id, layer.id, [list(c) for c in body.clicks], body.frame))
    return {"job_id": job_id}


@router.post("/scenes/{sid}/background")
def background(body: BackgroundIn, pid: str = Pid, sid: str = Sid, lib=Depends(get_lib),
               runner=Depends(get_runner)) -> dict:
    """Put a new background (``color``, an uploaded ``asset`` or another scene's ``shot_id``)
    behind every shot of the scene, cutting each shot's subject out first where it has no
    foreground layer; ``harmonize`` shifts the foregrounds' colours toward it (a job; its
    result is ``{revision, scene_id, shots, extracted: [{shot_id, how}]}``)."""
    from storyloom.api.work import background_job
    from storyloom.model.document import AssetRef, AssetSource, ColorSource, ShotSource
    doc = load_at(lib, pid, body.base_revision)
    scene = next((s for s in doc.scenes if s.id == sid), None)
    if scene is None:
        raise NotFound(f"project {doc.title!r}: no scene {sid!r}")
    given = [k for k in ("color", "asset", "shot_id") if getattr(body, k) is not None]
    if len(given) != 1:
        raise BadInput("background: give exactly one of color, asset or shot_id"
                       + (f" (got {', '.join(given)})" if given else ""))
    label = scene.title or f"scene {sid}"
    if not scene.shots:
        raise BadInput(f"{label}: has no shots to put a background behind")
    if body.color is not None:
        if not _HEX.match(body.color):
            raise BadInput(f"colour {body.color!r}: expected #rrggbb")
        source = ColorSource(color=body.color.lower())
    elif body.asset is not None:
        info = lib.asset_info(body.asset.sha256)  # 404 when unknown
        name = body.asset.name or body.asset.sha256[:12]
        if info.kind == "audio":
            raise BadInput(f"{name}: has no picture to use as a background")
        source = AssetSource(asset=AssetRef(sha256=body.asset.sha256, name=name, kind=info.kind),
                             loop=info.kind == "video")
    else:
        _, shown = doc.find_shot(body.shot_id)  # 404 when unknown
        if any(s.id == shown.id for s in scene.shots):
            raise BadInput(f"background shot {shown.title or shown.id!r}: is in {label} itself "
                           f"(a shot cannot be its own background)")
        source = ShotSource(shot_id=shown.id)
    _check_engine(body.engine)
    params = {"scene_id": sid, "background": source.kind, "harmonize": body.harmonize,
              "base_revision": body.base_revision, "request": body.model_dump(mode="json")}
    same = _same_request(runner, pid, "background", params)
    if same:
        return {"job_id": same}
    job_id = runner.submit("background", pid, params,
                           background_job(lib, pid, sid, source, body.harmonize, body.strength, body.engine))
    return {"job_id": job_id}

"""Layer commands on a project: extract (cut an object out as a layer), refine (correct a
cutout layer with more clicks), replace-background."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from storyloom.cli.app import app, parse_numbers
from storyloom.cli.project import open_project
from storyloom.errors import BadInput


@app.command()
def extract(path: Path = typer.Argument(..., help="the project's library folder", show_default=False),
            shot: str = typer.Argument(..., help="shot id, or its number in the film (1 = first)"),
            point: Optional[str] = typer.Option(None, "--point", help="X,Y on the object, in frame pixels"),
            box: Optional[str] = typer.Option(None, "--box", help="X0,Y0,X1,Y1 around the object"),
            click: Optional[List[str]] = typer.Option(
                None, "--click", help="X,Y[,FRAME][,+|-]: a correcting click on any shot frame (default "
                                      "--frame): + adds a part the cutout missed, - removes what it wrongly "
                                      "took (repeatable)"),
            frame: int = typer.Option(0, "--frame", help="the shot frame the prompt is on (0 = first)"),
            layer: Optional[str] = typer.Option(None, "--layer", help="layer to cut from (default: bottom picture)"),
            engine: Optional[str] = typer.Option(None, help="segmentation engine (see `storyloom engines`)"),
            project: Optional[str] = typer.Option(None, "--project", help="project id, when the library holds several")):
    """Cut an object out of a shot as its own layer (tracked through the shot); the shot's
    picture stays below it as the background. One undoable edit."""
    from storyloom.cli.cutout import parse_click
    from storyloom.studio.board import find_shot
    from storyloom.studio.cutout import build_cutout_layer
    from storyloom.studio.resumable import run
    if frame < 0:
        raise BadInput(f"--frame {frame}: frames are counted from 0")
    pt = parse_numbers(point, 2, "--point") if point is not None else None
    bx = parse_numbers(box, 4, "--box") if box is not None else None
    extra = [(x, y, pos, f) for f, x, y, pos in (parse_click(c, frame) for c in click or [])]
    if pt is None and bx is None and not any(c[2] for c in extra):
        raise BadInput("extract: give --point X,Y or --box X0,Y0,X1,Y1 on the object (or a positive --click)")
    film = open_project(path, project)
    doc = film.doc    # the prompt is checked now (no engine runs): a bad one leaves no failed job behind
    _, target = find_shot(doc, shot)
    build_cutout_layer(film.library, doc, target, target.layer(layer) if layer else None, point=pt, box=bx,
                       clicks=extra, frame=frame, engine=engine)
    # a job (resumable: a matte finished before an interruption is read from the step cache)
    params = {"shot_id": shot, "layer_id": layer, "point": pt, "box": bx, "clicks": [list(c) for c in extra],
              "frame": frame, "engine": engine}
    layer_id = run(film.library, "extract", film.id, params)["layer_id"]
    doc = film.doc
    _, s = doc.find_shot(next(sh.id for sh in doc.shots() if any(lay.id == layer_id for lay in sh.layers)))
    new = s.layer(layer_id)
    typer.echo(f"added layer {new.name!r} ({new.operations[-1].label()}) to shot {s.title or s.id} [id {layer_id}]")



@app.command()
def refine(path: Path = typer.Argument(..., help="the project's library folder", show_default=False),
           shot: str = typer.Argument(..., help="shot id, or its number in the film (1 = first)"),
           layer: str = typer.Argument(..., help="the cutout layer: its id or name (as `extract` said)"),
           click: List[str] = typer.Option(
               ..., "--click", help="X,Y[,FRAME][,+|-] in frame pixels on any shot frame (default --frame): "
                                    "+ adds a part the cutout missed, - removes what it wrongly took (repeatable)"),
           frame: int = typer.Option(0, "--frame", help="the shot frame of clicks given without one"),
           project: Optional[str] = typer.Option(None, "--project", help="project id, when the library holds several")):
    """Correct a cutout layer (made by `extract`) with more clicks, carried through the shot.
    Refused when it would leave nothing of the cutout. One undoable edit."""
    from storyloom.cli.cutout import parse_click
    from storyloom.studio.board import find_shot
    from storyloom.studio.cutout import refine_cutout
    if frame < 0:
        raise BadInput(f"--frame {frame}: frames are counted from 0")
    clicks = [(x, y, pos, f) for f, x, y, pos in (parse_click(c, frame) for c in click)]
    film = open_project(path, project)
    emptied = film.apply(lambda doc: refine_cutout(film.library, doc, shot, layer, clicks, frame=frame)).result
    _, s = find_shot(film.doc, shot)
    new = s.layer(layer)
    typer.echo(f"refined layer {new.name!r} ({[o for o in new.operations if o.schema_name == 'Cutout'][-1].label()})"
               f" in shot {s.title or s.id}" + (f"; now empty on frames {', '.join(map(str, emptied))}" if emptied else ""))

@app.command("replace-background")
def replace_background_(path: Path = typer.Argument(..., help="the project's library folder", show_default=False),
                        scene: str = typer.Option(..., "--scene", help="scene number (1 = first), id or title"),
                        image: Optional[Path] = typer.Option(None, "--image", help="a still to put behind"),
                        video: Optional[Path] = typer.Option(None, "--video", help="a video to put behind (loops)"),
                        color: Optional[str] = typer.Option(None, "--color", help="a colour #rrggbb"),
                        shot: Optional[str] = typer.Option(None, "--shot", help="another shot's render (id or number)"),
                        harmonize: bool = typer.Option(False, "--harmonize", help="shift foreground colours toward the background"),
                        engine: Optional[str] = typer.Option(None, help="segmentation engine for subjects"),
                        project: Optional[str] = typer.Option(None, "--project", help="project id, when the library holds several")):
    """Put a new background behind every shot of a scene (cutting out each shot's subject)."""
    from storyloom.media import probe
    from storyloom.model import ShotSource
    from storyloom.studio.board import find_shot
    from storyloom.studio.project import SceneHandle
    given = [v for v in (image, video, color, shot) if v is not None]
    if len(given) != 1:
        raise BadInput("replace-background: give exactly one of --image, --video, --color, --shot")
    for f, kind in ((image, "image"), (video, "video")):
        if f is not None:
            if not f.is_file():
                raise BadInput(f"{f}: no such file")
            if probe(f).kind != kind:
                raise BadInput(f"{f.name}: is not {'an' if kind == 'image' else 'a'} {kind}")
    film = open_project(path, project)
    bg = given[0]   # a Path stays a file; a colour a string; a shot becomes a ShotSource
    if shot is not None:
        bg = ShotSource(shot_id=find_shot(film.doc, shot)[1].id)
    report = SceneHandle(film, scene).replace_background(bg, harmonize=harmonize, engine=engine)
    found = "".join(f"; cut out the subject of shot {sid} (found by {how})" for sid, how in report["extracted"])
    typer.echo(f"replaced the background of {report['shots']} shot(s){found} [revision {report['revision']}]")

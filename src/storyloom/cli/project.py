"""Project commands: new, import, info, render, export, undo, redo, history, gc, engines, demo."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from storyloom.cli.app import OPTIONAL_VALUES, app, progress_bar
from storyloom.errors import BadInput

LibraryDir = typer.Argument(..., help="the project's library folder", show_default=False)
ProjectOpt = typer.Option(None, "--project", help="project id, when the library holds several")


def open_project(path: Path, project: Optional[str]):
    """The project handle (``storyloom.studio.project.Project``) of the library at ``path``."""
    from storyloom.studio.project import Project
    return Project.open(path, project)


@app.command()
def new(path: Path = LibraryDir,
        title: str = typer.Option("Untitled", help="the film's title"),
        size: str = typer.Option("1280x720", help="frame size WIDTHxHEIGHT"),
        fps: float = typer.Option(24.0, help="frames per second")):
    """Create a project (and its library folder)."""
    from storyloom.studio.project import Project
    if fps <= 0 or fps > 240:
        raise BadInput(f"--fps {fps}: must be between 0 and 240")
    if (path / "library.sqlite").exists():
        raise BadInput(f"{path}: already holds a library; use another folder")
    film = Project.create(path, title=title, size=size, fps=fps)
    typer.echo(f"created project {title!r} ({size}, {fps:g} fps) in {path} [id {film.id}]")


@app.command("import")
def import_(path: Path = LibraryDir,
            media: List[Path] = typer.Argument(..., help="videos or stills to add"),
            split: bool = typer.Option(True, "--split/--no-split",
                                       help="split videos into shots and scenes (default) or keep one shot per file"),
            engine: Optional[str] = typer.Option(None, help="shot detection engine (see `storyloom engines`)"),
            scene: Optional[str] = typer.Option(None, help="add every shot to this scene (id or title)"),
            project: Optional[str] = ProjectOpt):
    """Add footage and stills: videos are split into shots, grouped into scenes (one
    revision; again after an interruption: the shots found before are not searched again)."""
    from storyloom.studio.resumable import run
    film = open_project(path, project)
    for file in media:  # check every file before changing anything
        if not file.exists():
            raise BadInput(f"{file}: no such file")
    scene_id = film.doc.scene(scene).id if scene else None
    params = {"paths": [str(f.resolve()) for f in media], "names": [f.name for f in media], "split": split,
              "engine": engine, "scene_id": scene_id}
    with progress_bar() as bar:
        task = bar.add_task(f"importing {', '.join(f.name for f in media)}", total=1.0)
        result = run(film.library, "import", film.id, params, progress=lambda f, m="": bar.update(task, completed=f))
        bar.update(task, completed=1.0)
    doc = film.doc
    for shot_id in result["shots"]:
        shot = doc.find_shot(shot_id)[1]
        typer.echo(f"added shot {shot.title!r} ({shot.duration:.2f} s) [id {shot.id}]")


@app.command()
def info(path: Path = LibraryDir, project: Optional[str] = ProjectOpt):
    """Show the scene / shot / layer tree."""
    from storyloom.model import AssetSource, ColorSource
    film = open_project(path, project)
    doc = film.doc
    typer.echo(f"{doc.title}  {doc.size} @ {doc.fps:g} fps  {doc.duration:.2f} s  "
               f"[revision {film.revision}]")
    for scene in doc.scenes:
        typer.echo(f"  {scene.title}  ({len(scene.shots)} shots, {scene.duration:.2f} s) [id {scene.id}]")
        for shot in scene.shots:
            extra = f", {shot.transition.kind} {shot.transition.duration:.2f} s" if shot.transition.kind != "cut" else ""
            ops = "".join(f"  +{op.label()}" for op in shot.operations)
            typer.echo(f"    {shot.title or '(untitled)'}  {shot.duration:.2f} s{extra}{ops} [id {shot.id}]")
            for layer in reversed(shot.layers):
                src = layer.source
                what = (f"asset {src.asset.name or src.asset.sha256[:12]}" if isinstance(src, AssetSource)
                        else f"colour {src.color}" if isinstance(src, ColorSource)
                        else f"shot {src.shot_id}" if src.kind == "shot" else f"text {src.text!r}")
                hidden = "" if layer.visible else " (hidden)"
                typer.echo(f"      - {layer.name or layer.id} [{layer.role}] {what}, {layer.blend}{hidden}")
    for c in doc.cast:
        typer.echo(f"  cast: {c.name}")


def _ray_address(word: str) -> bool:
    """Whether the word after ``--ray`` is its address (``host:port``, ``ray://…``, ``auto``,
    ``local``) rather than the next argument."""
    return ":" in word or word in ("auto", "local")


OPTIONAL_VALUES["--ray"] = ("", _ray_address)


@app.command()
def render(path: Path = LibraryDir,
           output: Path = typer.Option(..., "-o", "--output", help="the film to write (.mp4)"),
           workers: Optional[int] = typer.Option(None, help="parallel shot renderers (0: in this process; "
                                                            "with --ray: the local Ray's CPUs)"),
           ray: Optional[str] = typer.Option(None, "--ray", metavar="[ADDRESS]",
                                             help="render on Ray: alone, a local Ray (or the cluster "
                                                  "$STORYLOOM_RAY_ADDRESS names); with HOST:PORT, that cluster"),
           project: Optional[str] = ProjectOpt):
    """Render the film to a video file (again after an interruption: only what is missing is done)."""
    if output.suffix.lower() not in (".mp4", ".mov", ".m4v"):
        raise BadInput(f"{output.name}: render writes .mp4 (or .mov)")
    film = open_project(path, project)
    with progress_bar() as bar:
        task = bar.add_task("rendering", total=1.0)
        result = film.render(output, progress=lambda f, m="": bar.update(task, completed=f, description=m or "rendering"),
                             workers=workers, ray=ray)
    reused = f"; {result.work['reused']} finished step(s) read from the cache" if result.work.get("reused") else ""
    typer.echo(f"wrote {result.path} ({result.frames} frames, {result.duration:.2f} s) in {result.seconds:.1f} s "
               f"on {result.executor}{reused}")


@app.command()
def export(path: Path = LibraryDir,
           otio: Optional[Path] = typer.Option(None, "--otio", help="OpenTimelineIO file to write"),
           layers: Optional[Path] = typer.Option(None, "--layers", help="folder for every layer alone with alpha"),
           layers_format: str = typer.Option("png", "--layers-format", help="png (folders), webm or mov"),
           project: Optional[str] = ProjectOpt):
    """Export the storyboard for other tools (OpenTimelineIO for editors)."""
    if layers is not None:
        film = open_project(path, project)
        with progress_bar() as bar:
            task = bar.add_task("exporting layers", total=1.0)
            manifest = film.export_layers(layers, layers_format,
                                          progress=lambda f, m="": bar.update(task, completed=f))
        typer.echo(f"wrote {manifest.parent} (manifest.json, {layers_format})")
        if otio is None:
            return
    if otio is None:
        raise BadInput("export: say what to write, e.g. --otio film.otio")
    film = open_project(path, project)
    out = film.export_otio(otio)
    typer.echo(f"wrote {out} ({len(film.doc.shots())} clips)")


@app.command()
def undo(path: Path = LibraryDir, project: Optional[str] = ProjectOpt):
    """Undo the last edit."""
    film = open_project(path, project)
    rev = film.undo()
    typer.echo(f"now at revision {rev}")


@app.command()
def redo(path: Path = LibraryDir, project: Optional[str] = ProjectOpt):
    """Redo the last undone edit."""
    film = open_project(path, project)
    rev = film.redo()
    typer.echo(f"now at revision {rev}")


@app.command()
def history(path: Path = LibraryDir, project: Optional[str] = ProjectOpt):
    """List every revision, newest first."""
    film = open_project(path, project)
    for r in film.history():
        mark = "*" if r.current else " "
        typer.echo(f"{mark} {r.number:>4}  {r.timestamp}  {r.summary}")


@app.command()
def gc(path: Path = LibraryDir,
       grace: float = typer.Option(24.0, "--grace", metavar="HOURS",
                                   help="keep unused media added less than HOURS ago (a studio upload "
                                        "not yet on a layer)"),
       all_: bool = typer.Option(False, "--all", help="remove every unused file, however new (--grace 0)")):
    """Remove stored media that no revision of any project uses."""
    from storyloom.store import Library
    if not (path / "library.sqlite").exists():
        raise BadInput(f"{path}: not a Storyloom library (no library.sqlite)")
    grace = 0.0 if all_ else grace
    removed = Library.open(path).gc(grace_hours=grace)
    kept = f" (media added in the last {grace:g} h is kept; --all removes it too)" if grace > 0 else ""
    typer.echo(f"removed {len(removed)} unused asset(s){kept}")


@app.command()
def engines():
    """List capabilities and their engines, with availability and the reason when not."""
    from storyloom.engines import engines as all_engines, load_errors
    found = all_engines()
    if not found:
        typer.echo("no engines registered yet")
    cap_w = max((len(c.CAPABILITY) for c in found), default=0)
    name_w = max((len(c.NAME) for c in found), default=0)
    avail = {cls: cls.is_available() for cls in found}
    default: dict = {}
    for cls in found:   # best first within a capability: the first available one is the default
        if avail[cls] and cls.CAPABILITY not in default:
            default[cls.CAPABILITY] = cls
    for i, cls in enumerate(found):
        a = avail[cls]
        state = "available" if a else f"unavailable: {a.reason}"
        mark = "*" if default.get(cls.CAPABILITY) is cls else " "
        typer.echo(f"{cls.CAPABILITY:<{cap_w}} {mark}{cls.NAME:<{name_w}}  v{cls.VERSION:<4} {state}  {cls.DESCRIPTION}")
        last = i + 1 == len(found) or found[i + 1].CAPABILITY != cls.CAPABILITY
        chosen = default.get(cls.CAPABILITY)
        why = getattr(chosen, "DEFAULT_BECAUSE", "") if chosen is not None else ""
        if last and why:
            typer.echo(f"{'':<{cap_w}}  (default {chosen.NAME}: {why})")
    if found:
        typer.echo("* the default (the best available); choose another with --engine NAME")
    for module, err in load_errors().items():
        typer.echo(f"(failed to load {module}: {err})")


@app.command()
def demo(path: Path = typer.Argument(Path("demo-library"), help="where to build the demo library"),
         output: Optional[Path] = typer.Option(None, "-o", "--output", help="also render it here")):
    """Build the bundled demo project (no downloads) and optionally render it."""
    from storyloom.studio.demo import build_demo
    from storyloom.studio.project import Project
    if (path / "library.sqlite").exists():
        film = Project.open(path)
        typer.echo(f"demo library already at {path}")
    else:
        film = build_demo(path)
        typer.echo(f"built the demo project in {path} [id {film.id}]")
    if output is not None:
        render(path, output, workers=None, ray=None, project=None)

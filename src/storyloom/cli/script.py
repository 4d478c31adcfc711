"""``storyloom script DIR FILE``: add a storyboard made from a Fountain or prose script.

    $ storyloom script films/trip trip.fountain
    scene 'INT. KITCHEN - NIGHT': 2 shots, 9.4 s [id 3f2a9c01d4]
      1.1  Rain hammers the roof  4.2 s  (Anna)
      1.2  Anna: Is anyone there…  5.2 s, 2 lines  (Anna, Ben)
    …
    added 2 scene(s), 5 shot(s) (31.6 s) from trip.fountain (fountain); cast: +Anna, +Ben
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import app
from storyloom.cli.project import LibraryDir, ProjectOpt, open_project


@app.command()
def script(path: Path = LibraryDir,
           file: Path = typer.Argument(..., help="the script: Fountain (.fountain) or plain prose (.txt, .md)",
                                       show_default=False),
           llm: bool = typer.Option(False, "--llm/--no-llm",
                                    help="ask the configured LLM endpoint (STORYLOOM_LLM_BASE_URL) for the shot list; "
                                         "falls back to the rule-based reader"),
           project: Optional[str] = ProjectOpt):
    """Storyboard from a script (Fountain or prose): scenes, shots, dialogue, cast, durations."""
    from storyloom.engines import resolve
    from storyloom.script import read_script
    from storyloom.studio.script import add_script
    text = read_script(file)                     # bad files stop here, before anything changes
    engine = "llm" if llm else "rules"
    resolve("script", engine)                    # an unconfigured --llm says why, exit 2
    film = open_project(path, project)
    seen: dict = {}

    def change(doc):
        before, first = {c.name.lower() for c in doc.cast}, len(doc.scenes)
        edit = add_script(doc, text, file.name, engine=engine)
        seen.update(first=first, added=doc.scenes[first:],
                    new_cast=[c.name for c in doc.cast if c.name.lower() not in before])
        return edit
    sb = film.apply(change).result
    first, added, new_cast = seen["first"], seen["added"], seen["new_cast"]
    for w in sb.warnings:
        typer.echo(f"warning: {w}", err=True)
    for i, scene in enumerate(added, start=first + 1):
        n = len(scene.shots)
        typer.echo(f"scene {scene.title!r}: {n} shot{'s' if n != 1 else ''}, {scene.duration:.1f} s [id {scene.id}]")
        for j, shot in enumerate(scene.shots, start=1):
            who = f"  ({', '.join(shot.characters)})" if shot.characters else ""
            k = len(shot.dialogue)
            lines = f", {k} line{'s' if k != 1 else ''}" if k else ""
            typer.echo(f"  {i}.{j}  {shot.title}  {shot.duration:.1f} s{lines}{who}")
    shots = [s for sc in added for s in sc.shots]
    cast = f"; cast: {', '.join('+' + n for n in new_cast)}" if new_cast else ""
    typer.echo(f"added {len(added)} scene(s), {len(shots)} shot(s) ({sum(s.duration for s in shots):.1f} s) "
               f"from {file.name} ({'LLM shot list' if sb.engine == 'llm' else sb.format}){cast}")

"""A script in the storyboard: its scenes, shots (title, description, dialogue, duration)
and cast added to a project, as the chosen script engine reads it (``storyloom.script``
parses; this adds the result to the document).

    >>> from storyloom.model import Project
    >>> p = apply_script(Project(), "EXT. PIER - DAWN\\n\\nGulls.\\n\\nJO\\nMorning.\\n", "pier.fountain")
    >>> [s.title for s in p.scenes], [c.name for c in p.cast]
    (['EXT. PIER - DAWN'], ['Jo'])
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from storyloom.engines.base import resolve
from storyloom.model import Character, DialogueLine, Project, Scene, Shot, Transition
from storyloom.progress import Progress, no_progress
from storyloom.script import Storyboard, check_text, decode_script
from storyloom.script.storyboard import SceneDraft
from storyloom.studio.commit import Edit


def storyboard_for(project: Project, text, filename: str = "script.fountain", engine: Optional[str] = None,
                   progress: Optional[Progress] = None) -> Storyboard:
    """The storyboard ``engine`` (``"rules"``, the default, or ``"llm"``) makes of ``text``
    for ``project`` (its cast's names are kept); nothing is changed yet.

    >>> [s.title for s in storyboard_for(Project(), "The sun rises.", "dawn.txt").shots]
    ['The sun rises']
    """
    name = Path(filename).name
    if isinstance(text, bytes):
        text = decode_script(text, name)
    check_text(text, name)
    with resolve("script", engine or "rules").engine() as eng:
        return eng.storyboard(text, filename, known_cast=[c.name for c in project.cast],
                              progress=progress or no_progress)


def _scene(draft: SceneDraft) -> Scene:
    return Scene(title=draft.title, description=draft.description, shots=[
        Shot(title=s.title, description=s.description, duration=s.duration, characters=list(s.characters),
             dialogue=[DialogueLine(character=d.character, text=d.text, parenthetical=d.parenthetical)
                       for d in s.dialogue],
             transition=Transition(kind=s.transition.kind, duration=s.transition.duration))
        for s in draft.shots])


def add_storyboard(project: Project, sb: Storyboard) -> Project:
    """Append ``sb``'s scenes to ``project`` (untitled scenes named ``Scene N``) and its
    characters to the cast (once per name, any case); a project still "Untitled" takes
    the script's title. Returns the project."""
    for draft in sb.scenes:
        scene = _scene(draft)
        scene.title = scene.title or f"Scene {len(project.scenes) + 1}"
        project.scenes.append(scene)
    have = {c.name.lower() for c in project.cast}
    for name in sb.characters:
        if name.lower() not in have:
            project.cast.append(Character(name=name))
            have.add(name.lower())
    if sb.title and project.title in ("", "Untitled"):
        project.title = sb.title
    return project


def apply_script(project: Project, text, filename: str = "script.fountain", engine: Optional[str] = None,
                 progress: Optional[Progress] = None) -> Project:
    """Append a script's scenes to ``project`` (changed in place and returned) and add every
    new character to its cast, once per name (any case). ``add_script`` also says what it did."""
    add_storyboard(project, storyboard_for(project, text, filename, engine=engine, progress=progress))
    return project


def add_script(doc: Project, text, filename: str = "script.fountain", engine: Optional[str] = None,
               pasted: bool = False, counted: bool = False) -> Edit:
    """The service form of ``apply_script``: ``Edit.result`` is the ``Storyboard`` made (its
    warnings, the engine that read it). The summary names the file ("pasted script" when
    ``pasted``), with how many scenes and shots came when ``counted``.

    >>> add_script(Project(), "The sun rises.", "dawn.txt", counted=True).summary
    'script dawn.txt (1 scene, 1 shot)'
    """
    sb = storyboard_for(doc, text, filename, engine=engine)
    add_storyboard(doc, sb)
    summary = "pasted script" if pasted else f"script {Path(filename).name}"
    if counted:
        scenes, shots = len(sb.scenes), len(sb.shots)
        summary += f" ({scenes} scene{'s' if scenes != 1 else ''}, {shots} shot{'s' if shots != 1 else ''})"
    return Edit(summary, result=sb)

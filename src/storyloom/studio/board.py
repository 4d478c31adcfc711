"""The storyboard's structure: the project's settings, scenes, shots and takes; finding
them by id, title or number, and naming them as the page does.

Each edit is a service function (``storyloom.studio.commit``): it changes the document it
is given and returns the ``Edit`` (summary, what it created) its caller saves.

    >>> from storyloom.model import Project
    >>> doc = Project(title="Trip")
    >>> add_scene(doc, "Arrival").summary
    "add scene 'Arrival'"
    >>> add_shot(doc, doc.scenes[0].id, title="Sky").summary
    "add blank shot 'Sky' at position 1 of Arrival"
"""
from __future__ import annotations

from typing import Optional

from storyloom.errors import BadInput, NotFound
from storyloom.model import Project, Scene, Shot, Size, Take, Transition, new_id
from storyloom.studio.commit import Edit, patch


# ---------------------------------------------------------------- finding and naming
def find_shot(project: Project, selector: str) -> tuple[Scene, Shot]:
    """(scene, shot) for a shot id or a 1-based number counted over the whole film.

    >>> p = Project(); s = p.add_scene().add_shot(title="a")
    >>> find_shot(p, "1")[1] is s
    True
    """
    sel = str(selector).strip()
    for scene in project.scenes:
        for shot in scene.shots:
            if shot.id == sel:
                return scene, shot
    if sel.isdigit():
        pairs = [(scene, shot) for scene in project.scenes for shot in scene.shots]
        k = int(sel)
        if 1 <= k <= len(pairs):
            return pairs[k - 1]
        raise NotFound(f"shot {sel}: the film has {len(pairs)} shot(s)")
    raise NotFound(f"shot {sel!r}: no shot with that id or number")


def find_scene(project: Project, selector: str) -> Scene:
    """A scene by id, title or 1-based number.

    >>> p = Project(); _ = p.add_scene("A"); b = p.add_scene("B")
    >>> find_scene(p, "2") is b and find_scene(p, "B") is b
    True
    """
    sel = str(selector).strip()
    for scene in project.scenes:
        if scene.id == sel or scene.title == sel:
            return scene
    if sel.isdigit():
        k = int(sel)
        if 1 <= k <= len(project.scenes):
            return project.scenes[k - 1]
        raise NotFound(f"scene {sel}: the film has {len(project.scenes)} scene(s)")
    raise NotFound(f"scene {sel!r}: no scene with that id, title or number")


def by_id(items, item_id: str, missing: str):
    """The item of ``items`` whose ``id`` is ``item_id`` (ids only: what the studio's pages
    send); NotFound saying ``missing`` otherwise.

    >>> by_id(Project().scenes, "x", "no scene 'x'")
    Traceback (most recent call last):
    ...
    storyloom.errors.NotFound: no scene 'x'
    """
    found = next((item for item in items if item.id == item_id), None)
    if found is None:
        raise NotFound(missing)
    return found


def scene_by_id(doc: Project, scene_id: str) -> Scene:
    """The scene with id ``scene_id``."""
    return by_id(doc.scenes, scene_id, f"project {doc.title!r}: no scene {scene_id!r}")


def shot_name(shot, doc=None) -> str:
    """``shot 'Sky'``, for summaries and messages; an untitled shot by its number on the
    storyboard (``shot 3``), as the page shows it, never by its id.

    >>> doc = Project(title="t"); scene = doc.add_scene(title="A")
    >>> shot_name(scene.add_shot(title="Sky")), shot_name(scene.add_shot(), doc)
    ("shot 'Sky'", 'shot 2')
    """
    if shot.title:
        return f"shot {shot.title!r}"
    if doc is not None:
        for number, other in enumerate(doc.shots(), 1):
            if other is shot:
                return f"shot {number}"
    return "an untitled shot"


def scene_name(scene) -> str:
    """``Arrival``, or ``an untitled scene``, for summaries."""
    return scene.title or "an untitled scene"


# ---------------------------------------------------------------- the project
def set_project(doc: Project, title: Optional[str] = None, fps: Optional[float] = None,
                width: Optional[int] = None, height: Optional[int] = None) -> Edit:
    """Rename the project, or change its frame size or rate (None: leave it)."""
    said = patch(doc, {"title": title}, {"title": lambda v: f"rename project to {v!r}"})
    if width is not None or height is not None:
        size = Size(width=width or doc.size.width, height=height or doc.size.height)
        said += patch(doc, {"size": size}, {"size": lambda v: f"size {v}"})
    said += patch(doc, {"fps": fps}, {"fps": lambda v: f"{v:g} fps"})
    if not said:
        return Edit("change project settings (nothing changed)")
    if said[0].startswith("rename"):
        return Edit(", ".join(said))
    return Edit("set project " + ", ".join(said))


# ---------------------------------------------------------------- scenes
def add_scene(doc: Project, title: str = "", description: str = "", index: Optional[int] = None) -> Edit:
    """A new empty scene at ``index`` (the end when None)."""
    index = None if index is None else min(index, len(doc.scenes))
    scene = doc.add_scene(title or "", index, description=description)
    where = "" if index is None else f" at position {index + 1}"
    return Edit(f"add scene {scene.title!r}{where}", scene.id)


def set_scene(doc: Project, scene_id: str, title: Optional[str] = None, description: Optional[str] = None,
              collapsed: Optional[bool] = None) -> Edit:
    """Rename, describe, fold or unfold a scene (None: leave it)."""
    scene = scene_by_id(doc, scene_id)
    said = patch(scene, {"title": title, "description": description, "collapsed": collapsed}, {
        "title": lambda v: f"rename scene {scene.title!r} to {v!r}",
        "description": lambda v: f"describe scene {scene.title!r}",
        "collapsed": lambda v: f"{'collapse' if v else 'expand'} scene {scene.title!r}"})
    return Edit("; ".join(said) or f"edit scene {scene.title!r}")


def move_scene(doc: Project, scene_id: str, index: int) -> Edit:
    """Put the scene at ``index`` among the scenes."""
    scene = doc.move_scene(scene_by_id(doc, scene_id).id, index)
    return Edit(f"move scene {scene.title!r} to position {doc.scenes.index(scene) + 1}")


def delete_scene(doc: Project, scene_id: str) -> Edit:
    """Remove a scene and its shots (undo brings them back)."""
    scene = scene_by_id(doc, scene_id)
    doc.scenes.remove(scene)
    n = len(scene.shots)
    return Edit(f"delete scene {scene.title!r} ({n} shot{'s' if n != 1 else ''})")


# ---------------------------------------------------------------- shots
def add_shot(doc: Project, scene_id: str, title: str = "", duration: float = 3.0, description: str = "",
             index: Optional[int] = None) -> Edit:
    """A blank shot at ``index`` of the scene (the end when None)."""
    scene = scene_by_id(doc, scene_id)
    index = len(scene.shots) if index is None else min(index, len(scene.shots))
    shot = scene.add_shot(index=index, title=title, duration=duration, description=description)
    what = f"blank {shot_name(shot)}" if shot.title else "a blank shot"
    return Edit(f"add {what} at position {index + 1} of {scene_name(scene)}", shot.id)


def set_shot(doc: Project, shot_id: str, title: Optional[str] = None, description: Optional[str] = None,
             duration: Optional[float] = None, transition: Optional[Transition] = None) -> Edit:
    """Retitle, describe, retime a shot or change how it begins (None: leave it)."""
    _, shot = doc.find_shot(shot_id)
    if transition is not None and transition.kind == "cut":
        transition = Transition(kind="cut")   # a cut has no length
    said = patch(shot, {"title": title, "description": description, "duration": duration,
                        "transition": transition}, {
        "title": lambda v: f"rename {shot_name(shot, doc)} to {v!r}",
        "description": lambda v: f"describe {shot_name(shot, doc)}",
        "duration": lambda v: f"set {shot_name(shot, doc)} to {v:g} s",
        "transition": lambda v: f"{v.kind} into {shot_name(shot, doc)}" + (f" ({v.duration:g} s)" if v.duration else "")})
    return Edit("; ".join(said) or f"edit {shot_name(shot, doc)}")


def move_shot(doc: Project, shot_id: str, scene_id: str, index: int) -> Edit:
    """Move a shot to ``index`` of scene ``scene_id`` (counted after taking it out)."""
    src, _ = doc.find_shot(shot_id)
    dst = scene_by_id(doc, scene_id)
    shot = doc.move_shot(shot_id, dst.id, index)
    if src is dst:
        return Edit(f"move {shot_name(shot, doc)} to position {dst.shots.index(shot) + 1} in {scene_name(dst)}")
    return Edit(f"move {shot_name(shot, doc)} to {scene_name(dst)}")


def copy_shot(shot: Shot) -> Shot:
    """A deep copy with fresh ids for the shot, its takes and their layers."""
    new = shot.model_copy(deep=True)
    new.id = new_id()
    ids = {}
    for take in new.takes:
        ids[take.id] = take.id = new_id()
        for layer in take.layers:
            layer.id = new_id()
    new.selected_take = ids.get(shot.selected_take)
    return new


def duplicate_shot(doc: Project, shot_id: str) -> Edit:
    """A copy right after the shot (new ids for the shot, its takes and layers)."""
    scene, shot = doc.find_shot(shot_id)
    new = copy_shot(shot)
    scene.shots.insert(scene.shots.index(shot) + 1, new)
    return Edit(f"duplicate {shot_name(shot, doc)}", new.id)


def delete_shot(doc: Project, shot_id: str) -> Edit:
    """Remove a shot from its scene (undo brings it back)."""
    scene, shot = doc.find_shot(shot_id)
    name = shot_name(shot, doc)  # before it leaves: its number is where it was
    scene.shots.remove(shot)
    return Edit(f"delete {name} from {scene_name(scene)}")


# ---------------------------------------------------------------- takes
def _take(shot: Shot, take_id: str) -> Take:
    return by_id(shot.takes, take_id, f"{shot_name(shot)}: no take {take_id!r}")


def add_take(doc: Project, shot_id: str, name: Optional[str] = None, copy_from: Optional[str] = None) -> Edit:
    """A new take (empty, or a copy of take ``copy_from``); it becomes the selected one."""
    _, shot = doc.find_shot(shot_id)
    name = name or f"Take {len(shot.takes) + 1}"
    how = ""
    if copy_from:
        src = _take(shot, copy_from)
        take = src.model_copy(deep=True)
        take.id, take.name = new_id(), name
        for layer in take.layers:
            layer.id = new_id()
        how = f" from {src.name!r}"
    else:
        take = Take(name=name)
    shot.takes.append(take)
    shot.selected_take = take.id
    return Edit(f"add take {name!r}{how} to {shot_name(shot, doc)}", take.id)


def select_take(doc: Project, shot_id: str, take_id: str) -> Edit:
    """Show take ``take_id`` in the shot."""
    _, shot = doc.find_shot(shot_id)
    take = _take(shot, take_id)
    shot.selected_take = take.id
    return Edit(f"select take {take.name!r} of {shot_name(shot, doc)}")


def delete_take(doc: Project, shot_id: str, take_id: str) -> Edit:
    """Remove a take (not the last one); the first remaining is selected if it was."""
    _, shot = doc.find_shot(shot_id)
    take = _take(shot, take_id)
    if len(shot.takes) == 1:
        raise BadInput(f"{shot_name(shot, doc)}: cannot delete its only take")
    was_selected = shot.take.id == take.id
    shot.takes.remove(take)
    if was_selected:
        shot.selected_take = shot.takes[0].id
    return Edit(f"delete take {take.name!r} of {shot_name(shot, doc)}")

"""The Python library door: a project in a library folder, one revision per edit.

Every method calls a studio service function and saves what it did as one revision (undo
takes back exactly one call).

    >>> from storyloom import Project
    >>> film = Project.create("films/trip", title="Trip", size="640x360", fps=24)   # doctest: +SKIP
    >>> scene = film.add_scene("Arrival")                                         # doctest: +SKIP
    >>> shot = scene.add_shot(title="Sky", duration=2)                            # doctest: +SKIP
    >>> shot.add_layer(color="#3366ff")                                           # doctest: +SKIP
    >>> shot.add_layer(text="Arrival", role="title")                              # doctest: +SKIP
    >>> film.render("trip.mp4")                                                   # doctest: +SKIP
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Union

from storyloom import model
from storyloom.errors import BadInput
from storyloom.export.layers import export_layers
from storyloom.export.otio import export_otio
from storyloom.progress import Progress, no_progress
from storyloom.render import RenderResult
from storyloom.script import read_script
from storyloom.store import Library
from storyloom.studio import board, cutout, layers
from storyloom.studio.background import replace_background
from storyloom.studio.commit import Change, Edit, commit
from storyloom.studio.importer import add_footage, import_footage
from storyloom.studio.script import add_script

#: suffixes that make a one-line ``add_script`` argument a file name rather than the script
SCRIPT_SUFFIXES = (".fountain", ".spmd", ".txt", ".md")


class Project:
    """A project stored in a library folder. Every edit is saved as a revision."""

    def __init__(self, library, project_id: str):
        self.library = library
        self.id = project_id

    # ---- opening
    @classmethod
    def create(cls, path, title: str = "Untitled", size: Union[str, model.Size] = "1280x720",
               fps: float = 24.0, sample_rate: int = 48000) -> "Project":
        """Create a library folder at ``path`` (if needed) holding a new project."""
        size = model.Size.parse(size) if isinstance(size, str) else size
        try:
            doc = model.Project(title=title, size=size, fps=fps, sample_rate=sample_rate)
        except ValueError as e:
            raise BadInput(f"project {title!r}: {e.errors()[0]['loc'][0]} {e.errors()[0]['msg']}") from None
        lib = Library.open(path)
        lib.create_project(doc, summary=f"create project {title!r}")
        return cls(lib, doc.id)

    @classmethod
    def open(cls, path, project_id: Optional[str] = None) -> "Project":
        """Open the project in library ``path`` (``project_id`` when it holds several)."""
        path = Path(path)
        if not (path / "library.sqlite").exists():
            raise BadInput(f"{path}: not a Storyloom library (no library.sqlite); create one with `storyloom new`")
        lib = Library.open(path)
        doc, _ = lib.load(project_id)
        return cls(lib, doc.id)

    # ---- the document
    @property
    def doc(self) -> model.Project:
        """The current document (a fresh copy; change it through ``apply`` or ``edit``)."""
        return self.library.load(self.id)[0]

    @property
    def revision(self) -> int:
        """The head revision's number."""
        return self.library.load(self.id)[1]

    def apply(self, change: Change) -> Edit:
        """Run one service function on the current document and save it as one revision.

        >>> film.apply(lambda doc: board.add_scene(doc, "Night")).created   # doctest: +SKIP
        'a1b2c3d4e5'
        """
        return commit(self.library, self.id, change)[2]

    @contextmanager
    def edit(self, summary: str) -> Iterator[model.Project]:
        """Change the document inside a ``with`` block; it is saved as one revision.

        If the block raises, nothing is saved.
        """
        doc, rev = self.library.load(self.id)
        yield doc
        self.library.save(doc, rev, summary)

    # ---- structure
    def add_scene(self, title: str = "", index: Optional[int] = None) -> "SceneHandle":
        """A new empty scene at the end (or at ``index``); one revision.

        >>> scene = film.add_scene("Arrival")                        # doctest: +SKIP
        """
        return SceneHandle(self, self.apply(lambda doc: board.add_scene(doc, title, index=index)).created)

    @property
    def scenes(self) -> list["SceneHandle"]:
        """The scenes, in order."""
        return [SceneHandle(self, s.id) for s in self.doc.scenes]

    def import_media(self, path, scene: Optional["SceneHandle"] = None) -> "ShotHandle":
        """Add a video or still as one new shot (at the end, or of ``scene``), unsplit;
        :meth:`import_footage` splits a video into shots and scenes as ``storyloom import`` does.

        >>> shot = film.import_media("sunset.jpg")                   # doctest: +SKIP
        """
        with self.edit(f"import {Path(path).name}") as doc:
            target = doc.scene(scene.id) if scene else None
            shot = add_footage(self.library, doc, path, target)
        return ShotHandle(self, shot.id)

    def import_footage(self, path, scene: Optional["SceneHandle"] = None, split: bool = True,
                       engine: Optional[str] = None, progress: Optional[Progress] = None) -> list["ShotHandle"]:
        """Add a video split into shots (new scenes grouped by look, or all into ``scene``),
        or a still as one shot, as ``storyloom import`` does; one revision, recorded as a job.

        >>> [s.doc.title for s in film.import_footage("beach.mp4")]   # doctest: +SKIP
        ['beach 1', 'beach 2', 'beach 3']
        """
        with self.edit(f"import {Path(path).name}") as doc:
            target = doc.scene(scene.id) if scene else None
            shots = import_footage(self.library, doc, path, target, split=split, engine=engine,
                                   progress=progress or no_progress)
        return [ShotHandle(self, s.id) for s in shots]

    def add_script(self, path_or_text, engine: Optional[str] = None):
        """Add the scenes, shots and cast of a script (a file path, or the script's text);
        returns the ``storyloom.script.Storyboard`` made (its scenes, characters, warnings).

        >>> sb = film.add_script("trip.fountain")                    # doctest: +SKIP
        >>> [s.title for s in sb.scenes]                             # doctest: +SKIP
        ['INT. KITCHEN - NIGHT', 'EXT. HARBOUR - DAWN']
        """
        if isinstance(path_or_text, Path):
            is_path = True
        else:  # one line naming a script file (or an existing file) is a path; anything else is text
            line = str(path_or_text)
            try:
                is_path = "\n" not in line and (Path(line).suffix.lower() in SCRIPT_SUFFIXES or Path(line).is_file())
            except OSError:   # e.g. a "name" too long to be a file name
                is_path = False
        if is_path:
            name, text = Path(path_or_text).name, read_script(path_or_text)
        else:
            name, text = "script.txt", path_or_text
        return self.apply(lambda doc: add_script(doc, text, name, engine=engine)).result

    # ---- history
    def undo(self) -> int:
        """Take back the last edit; the new head revision."""
        return self.library.undo(self.id)

    def redo(self) -> int:
        """Make the last undone edit again; the new head revision."""
        return self.library.redo(self.id)

    def history(self):
        """Every revision, newest first (``RevisionInfo``: number, time, summary, current)."""
        return self.library.history(self.id)

    # ---- output
    def render(self, path, progress: Optional[Progress] = None, workers: Optional[int] = None, ray=None):
        """Render the film to ``path`` (.mp4) and return the render result; ``ray``: an
        address or ``"local"`` to render on Ray (``storyloom.render.cluster.ray_choice``).

        The render is a job in the library (state, progress, work, result), so other doors
        (the studio, scripts) can follow and cancel it; rendering to the same ``path`` after
        an interruption resumes it: finished steps are read from the step cache.
        """
        from storyloom.studio.resumable import run
        r = run(self.library, "render", self.id, {"out": str(Path(path).resolve()), "workers": workers, "ray": ray},
                progress=progress)
        return RenderResult(Path(r["path"]), r["frames"], r["duration"], r["seconds"], r.get("work", {}),
                            r.get("executor", ""))

    def export_otio(self, path) -> Path:
        """The storyboard as an OpenTimelineIO file at ``path``."""
        return export_otio(self.library, self.doc, path)

    def export_layers(self, out_dir, fmt: str = "png", progress: Optional[Progress] = None) -> Path:
        """Every layer of every shot alone with alpha (PNG folders, .webm or .mov) and a
        manifest.json in ``out_dir``; returns the manifest's path."""
        return export_layers(self.library, self.doc, out_dir, fmt=fmt, progress=progress)


class SceneHandle:
    """One scene of a ``Project``, by id: its edits save revisions of the project."""

    def __init__(self, project: Project, scene_id: str):
        self.project, self.id = project, scene_id

    @property
    def doc(self) -> model.Scene:
        """The scene as it is now (a copy)."""
        return self.project.doc.scene(self.id)

    def add_shot(self, title: str = "", duration: float = 3.0, description: str = "",
                 index: Optional[int] = None) -> "ShotHandle":
        """Add a blank shot; fill it with ``add_layer``."""
        edit = self.project.apply(lambda doc: board.add_shot(doc, self.id, title, duration, description, index))
        return ShotHandle(self.project, edit.created)

    def replace_background(self, background=None, *, image=None, video=None, color: Optional[str] = None,
                           shot: Union[str, "ShotHandle", None] = None, harmonize: bool = False,
                           engine: Optional[str] = None) -> dict:
        """Put a new background (a file, ``color="#rrggbb"`` or another shot's render) behind
        every shot of this scene, cutting out each shot's main subject where it has no
        foreground layer yet; one revision. Returns what was done.

        >>> scene.replace_background(image="beach.jpg", harmonize=True)   # doctest: +SKIP
        {'shots': 2, 'extracted': [('a1b2c3', 'person'), ...], 'revision': 7}
        """
        given = [v for v in (background, image, video, color, shot) if v is not None]
        if len(given) != 1:
            raise BadInput("replace_background: give exactly one of a file, image=, video=, color= or shot=")
        bg = given[0]
        bg = bg.id if isinstance(bg, ShotHandle) else str(bg) if isinstance(bg, Path) else bg
        _, revision, edit = commit(self.project.library, self.project.id, lambda doc: replace_background(
            self.project.library, doc, self.id, bg, harmonize=harmonize, engine=engine))
        return {**edit.result, "revision": revision}


class ShotHandle:
    """One shot of a ``Project``, by id: its edits save revisions of the project."""

    def __init__(self, project: Project, shot_id: str):
        self.project, self.id = project, shot_id

    @property
    def doc(self) -> model.Shot:
        """The shot as it is now (a copy)."""
        return self.project.doc.find_shot(self.id)[1]

    def add_layer(self, source=None, *, color: Optional[str] = None, text: Optional[str] = None,
                  name: str = "", role: str = "other", **fields) -> str:
        """Add a layer on top from a file path, a colour or text; returns its id.

        Extra fields (fit, start, duration, transform, blend, …) go to ``model.Layer``.
        """
        if sum(x is not None for x in (source, color, text)) != 1:
            raise BadInput("add_layer: give exactly one of a file, color= or text=")
        if color is not None:
            source = model.ColorSource(color=color)
        elif text is not None:
            source = model.TextSource(text=text, **fields.pop("text_style", {}))
        lib = self.project.library
        return self.project.apply(lambda doc: layers.add_layer(lib, doc, self.id, source, name=name, role=role,
                                                               **fields)).created

    def add_operation(self, op: model.Operation) -> None:
        """Apply ``op`` to the shot (one revision); ``BadInput`` naming what is valid when its
        render step refuses its values (an unknown camera move or style, say).

        >>> shot.add_operation(model.CameraMove(move="shake", amount=0.3, seed=4))   # doctest: +SKIP
        """
        self.project.apply(lambda doc: layers.add_operation(doc, self.id, op))

    def extract_layer(self, point=None, *, box=None, clicks=(), frame: int = 0, layer: Optional[str] = None,
                      engine: Optional[str] = None, name: str = "") -> str:
        """Cut the object at ``point=(x, y)`` (or inside ``box=(x0, y0, x1, y1)``), in the
        shot's frame pixels on frame ``frame``, out as a new foreground layer tracked through
        the shot; the original stays as the background. ``clicks=[(x, y, positive, frame), …]``
        correct it on any frame (positive adds a missed part, negative removes a wrong one).
        One revision; returns the layer id.

        >>> fg = shot.extract_layer(point=(160, 90), clicks=[(40, 30, False, 12)])   # doctest: +SKIP
        """
        lib = self.project.library
        return self.project.apply(lambda doc: cutout.extract_layer(
            lib, doc, self.id, layer, point=point, box=box, clicks=clicks, frame=frame, engine=engine,
            name=name)).created

    def refine_layer(self, layer_id: str, *, clicks, frame: int = 0) -> list[int]:
        """Correct a cutout layer (one made by ``extract_layer``) with more clicks in the
        shot's frame pixels, ``clicks=[(x, y, positive[, frame]), …]`` (``frame`` by default):
        positive adds a part it missed, negative removes what it wrongly took, carried through
        the shot. Refused when it leaves nothing. One revision; returns the shot frames it
        emptied (the cutout held something there before, nothing now).

        >>> shot.refine_layer(fg, clicks=[(120, 86, False, 6)])   # doctest: +SKIP
        []
        """
        lib = self.project.library
        return self.project.apply(lambda doc: cutout.refine_cutout(lib, doc, self.id, layer_id, clicks,
                                                                   frame=frame)).result

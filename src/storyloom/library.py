"""The Python library door: edit a project in a library folder, one revision per edit.

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
        from storyloom.store import Library
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
        from storyloom.store import Library
        path = Path(path)
        if not (path / "library.sqlite").exists():
            raise BadInput(f"{path}: not a Storyloom library (no library.sqlite); create one with `storyloom new`")
        lib = Library.open(path)
        doc, _ = lib.load(project_id)
        return cls(lib, doc.id)

    # ---- the document
    @property
    def doc(self) -> model.Project:
        """The current document (a fresh copy; change it through ``edit``)."""
        return self.library.load(self.id)[0]

    @property
    def revision(self) -> int:
        return self.library.load(self.id)[1]

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
        with self.edit(f"add scene {title!r}") as doc:
            scene = doc.add_scene(title, index)
        return SceneHandle(self, scene.id)

    @property
    def scenes(self) -> list["SceneHandle"]:
        return [SceneHandle(self, s.id) for s in self.doc.scenes]

    def import_media(self, path, scene: Optional["SceneHandle"] = None) -> "ShotHandle":
        """Add a video or still as one new shot (at the end, or of ``scene``), unsplit;
        :meth:`import_footage` splits a video into shots and scenes as ``storyloom import`` does.

        >>> shot = film.import_media("sunset.jpg")                   # doctest: +SKIP
        """
        from storyloom.importer import add_footage
        with self.edit(f"import {Path(path).name}") as doc:
            target = doc.scene(scene.id) if scene else None
            shot = add_footage(self.library, doc, path, target)
        return ShotHandle(self, shot.id)

    def import_footage(self, path, scene: Optional["SceneHandle"] = None, split: bool = True,
                       engine: Optional[str] = None, progress=None) -> list["ShotHandle"]:
        """Add a video split into shots (new scenes grouped by look, or all into ``scene``),
        or a still as one shot, as ``storyloom import`` does; one revision, recorded as a job.

        >>> [s.doc.title for s in film.import_footage("beach.mp4")]   # doctest: +SKIP
        ['beach 1', 'beach 2', 'beach 3']
        """
        from storyloom.engines.base import no_progress
        from storyloom.importer import import_footage
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
        from storyloom.script import add_storyboard, read_script, storyboard_for
        if isinstance(path_or_text, Path):
            is_path = True
        else:  # one line naming a script file (or an existing file) is a path; anything else is text
            line = str(path_or_text)
            try:
                is_path = "\n" not in line and (Path(line).suffix.lower() in (".fountain", ".spmd", ".txt", ".md")
                                                or Path(line).is_file())
            except OSError:   # e.g. a "name" too long to be a file name
                is_path = False
        if is_path:
            name, text = Path(path_or_text).name, read_script(path_or_text)
        else:
            name, text = "script.txt", path_or_text
        with self.edit(f"script {name}") as doc:
            sb = storyboard_for(doc, text, name, engine=engine)
            add_storyboard(doc, sb)
        return sb

    # ---- history
    def undo(self) -> int:
        return self.library.undo(self.id)

    def redo(self) -> int:
        return self.library.redo(self.id)

    def history(self):
        return self.library.history(self.id)

    # ---- output
    def render(self, path, progress=None, workers: Optional[int] = None):
        """Render the film to ``path`` (.mp4) and return the render result.

        The render is recorded as a job in the library (state, progress, result), so
        other doors (the studio, scripts) can follow it.
        """
        import time
        from storyloom.render import render_project
        lib = self.library
        job = lib.create_job("render", self.id, {"out": str(path)})
        last = [0.0]

        def report(fraction: float, message: str = "") -> None:
            if progress is not None:
                progress(fraction, message)
            now = time.monotonic()
            if now - last[0] > 0.5 or fraction >= 1.0:  # throttle writes to the job table
                last[0] = now
                lib.update_job(job, progress=fraction, message=message, state="running")

        try:
            result = render_project(lib, self.doc, path, progress=report, workers=workers)
        except BaseException as e:
            state = "cancelled" if isinstance(e, KeyboardInterrupt) else "failed"
            lib.update_job(job, state=state, message=str(e) or type(e).__name__)
            raise
        lib.update_job(job, progress=1.0, state="done", message="rendered",
                       result={"path": str(result.path), "frames": result.frames})
        return result

    def export_otio(self, path) -> Path:
        from storyloom.export.otio import export_otio
        return export_otio(self.library, self.doc, path)

    def export_layers(self, out_dir, fmt: str = "png", progress=None) -> Path:
        """Every layer of every shot alone with alpha (PNG folders, .webm or .mov) and a
        manifest.json in ``out_dir``; returns the manifest's path."""
        from storyloom.export.layers import export_layers
        return export_layers(self.library, self.doc, out_dir, fmt=fmt, progress=progress)


class SceneHandle:
    def __init__(self, project: Project, scene_id: str):
        self.project, self.id = project, scene_id

    @property
    def doc(self) -> model.Scene:
        return self.project.doc.scene(self.id)

    def add_shot(self, title: str = "", duration: float = 3.0, description: str = "",
                 index: Optional[int] = None) -> "ShotHandle":
        """Add a blank shot; fill it with ``add_layer``."""
        with self.project.edit(f"add shot {title!r}") as doc:
            shot = doc.scene(self.id).add_shot(index=index, title=title, duration=duration,
                                               description=description)
        return ShotHandle(self.project, shot.id)

    def replace_background(self, background=None, *, image=None, video=None, color: Optional[str] = None,
                           shot: Union[str, "ShotHandle", None] = None, harmonize: bool = False,
                           engine: Optional[str] = None) -> dict:
        """Put a new background (a file, ``color="#rrggbb"`` or another shot's render) behind
        every shot of this scene, cutting out each shot's main subject where it has no
        foreground layer yet; one revision. Returns what was done.

        >>> scene.replace_background(image="beach.jpg", harmonize=True)   # doctest: +SKIP
        {'shots': 2, 'extracted': [('a1b2c3', 'person'), ...], 'revision': 7}
        """
        from storyloom.layers import replace_background
        given = [v for v in (background, image, video, color, shot) if v is not None]
        if len(given) != 1:
            raise BadInput("replace_background: give exactly one of a file, image=, video=, color= or shot=")
        bg = given[0]
        bg = bg.id if isinstance(bg, ShotHandle) else str(bg) if isinstance(bg, Path) else bg
        return replace_background(self.project.library, self.project.id, self.id, bg, harmonize=harmonize,
                                  engine=engine)[1]


class ShotHandle:
    def __init__(self, project: Project, shot_id: str):
        self.project, self.id = project, shot_id

    @property
    def doc(self) -> model.Shot:
        return self.project.doc.find_shot(self.id)[1]

    def add_layer(self, source=None, *, color: Optional[str] = None, text: Optional[str] = None,
                  name: str = "", role: str = "other", **fields) -> str:
        """Add a layer on top from a file path, a colour or text; returns its id.

        Extra fields (fit, start, duration, transform, blend, …) go to ``model.Layer``.
        """
        if sum(x is not None for x in (source, color, text)) != 1:
            raise BadInput("add_layer: give exactly one of a file, color= or text=")
        if color is not None:
            src = model.ColorSource(color=color)
        elif text is not None:
            src = model.TextSource(text=text, **fields.pop("text_style", {}))
        elif isinstance(source, (model.AssetSource, model.ColorSource, model.TextSource, model.document.ShotSource)):
            src = source
        else:
            ref, info = self.project.library.import_asset(source)
            if info.kind == "audio":
                raise BadInput(f"{Path(source).name}: has no picture to use as a layer")
            src = model.AssetSource(asset=ref)
        name = name or (Path(source).stem if isinstance(source, (str, Path)) else (text or color or ""))
        layer = model.Layer(name=name, role=role, source=src, **fields)
        with self.project.edit(f"add layer {name!r}") as doc:
            doc.find_shot(self.id)[1].add_layer(layer)
        return layer.id

    def add_operation(self, op: model.Operation) -> None:
        """Apply ``op`` to the shot (one revision); ``BadInput`` naming what is valid when its
        engine package refuses its values (an unknown camera move or style, say).

        >>> shot.add_operation(model.CameraMove(move="shake", amount=0.3, seed=4))   # doctest: +SKIP
        """
        from storyloom.model.operations import validate_operation
        validate_operation(op)
        with self.project.edit(f"{op.label()} on shot") as doc:
            doc.find_shot(self.id)[1].add_operation(op)

    def extract_layer(self, point=None, *, box=None, clicks=(), frame: int = 0, layer: Optional[str] = None,
                      engine: Optional[str] = None, name: str = "") -> str:
        """Cut the object at ``point=(x, y)`` (or inside ``box=(x0, y0, x1, y1)``), in the
        shot's frame pixels on frame ``frame``, out as a new foreground layer tracked through
        the shot; the original stays as the background. ``clicks=[(x, y, positive, frame), …]``
        correct it on any frame (positive adds a missed part, negative removes a wrong one).
        One revision; returns the layer id.

        >>> fg = shot.extract_layer(point=(160, 90), clicks=[(40, 30, False, 12)])   # doctest: +SKIP
        """
        from storyloom.layers import extract_layer
        return extract_layer(self.project.library, self.project.id, self.id, layer, point=point, box=box,
                             clicks=clicks, frame=frame, engine=engine, name=name)[1]

    def refine_layer(self, layer_id: str, *, clicks, frame: int = 0) -> list[int]:
        """Correct a cutout layer (one made by ``extract_layer``) with more clicks in the
        shot's frame pixels, ``clicks=[(x, y, positive[, frame]), …]`` (``frame`` by default):
        positive adds a part it missed, negative removes what it wrongly took, carried through
        the shot. Refused when it leaves nothing. One revision; returns the shot frames it
        emptied (the cutout held something there before, nothing now).

        >>> shot.refine_layer(fg, clicks=[(120, 86, False, 6)])   # doctest: +SKIP
        []
        """
        from storyloom.layers import refine_cutout
        return refine_cutout(self.project.library, self.project.id, self.id, layer_id, clicks, frame=frame)[1]

"""Storyloom: a storyboard-first, layer-based, local-first AI video studio.

    >>> from storyloom import Project
    >>> project = Project.create("films/demo", title="Demo")   # doctest: +SKIP
"""
from storyloom.errors import StoryloomError, BadInput

__version__ = "0.1.0"

__all__ = ["Project", "StoryloomError", "BadInput", "__version__"]


def __getattr__(name):
    # the Python door loads the whole studio (store, media, render): `import storyloom`
    # stays cheap, so the document model alone can be imported without numpy or OpenCV
    if name == "Project":
        from storyloom.studio.project import Project
        return Project
    raise AttributeError(name)

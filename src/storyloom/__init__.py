"""Storyloom: a storyboard-first, layer-based, local-first AI video studio.

    >>> from storyloom import Project
    >>> project = Project.create("films/demo", title="Demo")   # doctest: +SKIP
"""
from storyloom.errors import StoryloomError, BadInput

__version__ = "0.1.0"

__all__ = ["Project", "StoryloomError", "BadInput", "__version__"]


def __getattr__(name):
    # The library API imports store, media and render; keep `import storyloom` cheap.
    if name == "Project":
        from storyloom.library import Project
        return Project
    raise AttributeError(name)

"""The studio's HTTP API (FastAPI): one router per resource, served by ``storyloom serve``.

    >>> from storyloom.api import create_app
    >>> app = create_app("films")      # doctest: +SKIP
"""


def create_app(*args, **kwargs):
    """Build the studio app; see ``storyloom.api.app.create_app``."""
    from storyloom.api.app import create_app as _create_app
    return _create_app(*args, **kwargs)


__all__ = ["create_app"]

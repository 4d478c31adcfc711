"""Engines: interchangeable backends for one capability each.

Modelled on PySceneDetect's backends: each engine class declares ``NAME``, ``VERSION``,
``CAPABILITY`` and ``is_available()`` (with the reason when not); the registry holds the
built-ins (every module under ``storyloom.engines``) plus anything installed under the
entry-point group ``storyloom.engines``; ``resolve()`` picks the best available one and
says why. Neural backends import torch & co. inside methods, so listing engines is cheap.

    >>> from storyloom.engines import resolve
    >>> choice = resolve("segment")          # doctest: +SKIP
    >>> choice.engine.NAME, choice.why       # doctest: +SKIP
    ('cpu-matting', 'best available (sam2: no weights configured)')
"""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import pkgutil
from dataclasses import dataclass
from typing import Callable, ClassVar, Optional

from storyloom.errors import BadInput, EngineUnavailable

#: progress(fraction in [0, 1], message) — engines call it as they work
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores everything."""


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


AVAILABLE = Availability(True, "ready")


def missing(*modules: str) -> Optional[Availability]:
    """``Availability(False, "needs pip install X")`` when a module is missing, else None.

    >>> missing("json") is None
    True
    """
    absent = [m for m in modules if importlib.util.find_spec(m.split(".")[0]) is None]
    if absent:
        return Availability(False, f"needs the Python package(s) {', '.join(absent)} "
                                   f"(pip install 'storyloom[neural]')")
    return None


class Engine:
    """Base of every engine; use as a context manager so models are freed on close.

    Subclasses set ``NAME``, ``VERSION``, ``CAPABILITY``; ``PRIORITY`` orders the
    available ones (higher wins); ``DESCRIPTION`` is one line for ``storyloom engines``.
    """

    NAME: ClassVar[str] = ""
    VERSION: ClassVar[str] = "1"
    CAPABILITY: ClassVar[str] = ""
    PRIORITY: ClassVar[int] = 0
    DESCRIPTION: ClassVar[str] = ""
    #: True for backends that need downloaded weights or a GPU to be useful
    NEURAL: ClassVar[bool] = False

    @classmethod
    def is_available(cls) -> Availability:
        """Whether this engine can run here, and if not, why."""
        return AVAILABLE

    def close(self) -> None:
        """Free models and memory. Safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @classmethod
    def identity(cls) -> str:
        """``name@version``, recorded in provenance and cache keys."""
        return f"{cls.NAME}@{cls.VERSION}"


_REGISTRY: dict[tuple[str, str], type[Engine]] = {}
_LOAD_ERRORS: dict[str, str] = {}
_loaded = False


def register(cls: type[Engine]) -> type[Engine]:
    """Class decorator adding an engine to the registry."""
    if not cls.NAME or not cls.CAPABILITY:
        raise TypeError(f"{cls.__name__} needs NAME and CAPABILITY")
    _REGISTRY[(cls.CAPABILITY, cls.NAME)] = cls
    return cls


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import storyloom.engines as pkg
    for info in pkgutil.walk_packages(pkg.__path__, prefix="storyloom.engines."):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name.endswith(".base"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as e:  # one broken backend must not hide the others
            _LOAD_ERRORS[info.name] = f"{type(e).__name__}: {e}"
    for ep in importlib.metadata.entry_points(group="storyloom.engines"):
        try:
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, Engine) and obj.NAME:
                register(obj)
        except Exception as e:
            _LOAD_ERRORS[ep.name] = f"{type(e).__name__}: {e}"


def engines(capability: Optional[str] = None) -> list[type[Engine]]:
    """Every registered engine (of one capability), best first."""
    _load_builtins()
    found = [c for (cap, _), c in _REGISTRY.items() if capability in (None, cap)]
    return sorted(found, key=lambda c: (c.CAPABILITY, -c.PRIORITY, c.NAME))


def capabilities() -> list[str]:
    return sorted({c.CAPABILITY for c in engines()})


def load_errors() -> dict[str, str]:
    """Modules or entry points that failed to import, with the error."""
    _load_builtins()
    return dict(_LOAD_ERRORS)


@dataclass(frozen=True)
class Choice:
    engine: type[Engine]
    why: str


def resolve(capability: str, prefer: Optional[str] = None) -> Choice:
    """Pick the engine for ``capability``: ``prefer`` if named (it must be available),
    else the available one with the highest priority. The answer says why.
    """
    candidates = engines(capability)
    if not candidates:
        known = ", ".join(capabilities()) or "none"
        raise BadInput(f"unknown capability {capability!r} (known: {known})")
    if prefer:
        for c in candidates:
            if c.NAME == prefer:
                a = c.is_available()
                if not a:
                    raise EngineUnavailable(f"engine {prefer!r} cannot run here: {a.reason}")
                return Choice(c, "asked for by name")
        names = ", ".join(c.NAME for c in candidates)
        raise BadInput(f"no {capability} engine named {prefer!r} (choose from: {names})")
    skipped = []
    for c in candidates:
        a = c.is_available()
        if a:
            why = "best available" + (f" ({'; '.join(skipped)})" if skipped else "")
            return Choice(c, why)
        skipped.append(f"{c.NAME}: {a.reason}")
    raise EngineUnavailable(f"no {capability} engine can run here: " + "; ".join(skipped))

"""Engines: interchangeable backends for one capability each.

Modelled on PySceneDetect's backends: each engine class declares ``NAME``, ``VERSION``,
``CAPABILITY`` and ``is_available()`` (with the reason when not); the registry holds the
built-ins (every module under ``storyloom.engines``, imported lazily: one capability's
sub-package when one capability is asked for, see ``CAPABILITY_PACKAGES``) plus anything
installed under the entry-point group ``storyloom.engines``; ``resolve()`` picks the best
available one and says why. Neural backends import torch & co. inside methods, so listing engines is cheap.

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
import threading
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

#: capability -> the built-in sub-package whose modules register its engines. Asking for one
#: capability imports only that package (``resolve("interpolate")`` never imports the cutout or
#: restyle code); a capability not listed here, or none, imports every package.
CAPABILITY_PACKAGES: dict[str, str] = {
    "camera": "camera",
    "interpolate": "interpolate",
    "restyle": "restyle",
    "script": "script",
    "segment": "cutout",
    "shots": "shots",
    "upscale": "upscale",
}
#: the module of a package that glues it to the document model and the renderer (render
#: step, operation validator). Engines live elsewhere, so picking an engine skips it: it
#: imports the pydantic document model, which file-in/file-out commands never touch.
STEP_MODULE = "step"

_imported: set[str] = set()      # modules already imported (or tried) by the registry
#: render workers may look up steps at once: one loads a package while the others wait,
#: instead of finding it marked loaded before its engines have registered
_load_lock = threading.RLock()
_entry_points_loaded = False
_all_loaded = False


def register(cls: type[Engine]) -> type[Engine]:
    """Class decorator adding an engine to the registry."""
    if not cls.NAME or not cls.CAPABILITY:
        raise TypeError(f"{cls.__name__} needs NAME and CAPABILITY")
    _REGISTRY[(cls.CAPABILITY, cls.NAME)] = cls
    return cls


def _import(name: str) -> None:
    if name in _imported:
        return
    _imported.add(name)
    try:
        importlib.import_module(name)
    except Exception as e:  # one broken backend must not hide the others
        _LOAD_ERRORS[name] = f"{type(e).__name__}: {e}"


def _package_modules(package: str) -> list[str]:
    """Every engine module in ``storyloom.engines.<package>`` (itself included), names only."""
    name = f"storyloom.engines.{package}"
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        return []
    found = [name]
    for info in pkgutil.walk_packages(spec.submodule_search_locations, prefix=name + "."):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            found.append(info.name)
    return found


def _load_package(package: str, steps: bool = False) -> None:
    """Import one built-in engine package's modules; its ``step`` module only if ``steps``."""
    for name in _package_modules(package):
        if steps or name.rsplit(".", 1)[-1] != STEP_MODULE:
            _import(name)


def _load_entry_points() -> None:
    # an installed engine may serve any capability, and which one is known only once it is
    # loaded, so every lookup loads them all (installed engines are few)
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in importlib.metadata.entry_points(group="storyloom.engines"):
        try:
            obj = ep.load()
            if isinstance(obj, type) and issubclass(obj, Engine) and obj.NAME:
                register(obj)
        except Exception as e:
            _LOAD_ERRORS[ep.name] = f"{type(e).__name__}: {e}"


def _load_builtins() -> None:
    """Import every module under ``storyloom.engines`` (step modules included) and the
    installed entry-point engines."""
    global _all_loaded
    if _all_loaded:
        return
    _all_loaded = True
    import storyloom.engines as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.ispkg and not info.name.startswith("_"):
            _load_package(info.name, steps=True)
        elif not info.name.startswith("_") and info.name != "base":
            _import(f"storyloom.engines.{info.name}")
    _load_entry_points()


def load_capability(capability: Optional[str], steps: bool = False) -> None:
    """Import what registers ``capability``'s engines: its built-in package (with its render
    step and operation validator when ``steps``) and the entry-point engines; everything
    for ``None`` or a capability no built-in package serves.

    >>> load_capability("interpolate")
    >>> import sys; "storyloom.engines.restyle" in sys.modules    # doctest: +SKIP
    False
    """
    package = CAPABILITY_PACKAGES.get(capability) if capability else None
    with _load_lock:
        if package is None:
            _load_builtins()
            return
        _load_package(package, steps=steps)
        _load_entry_points()


def engines(capability: Optional[str] = None) -> list[type[Engine]]:
    """Every registered engine (of one capability), best first. Naming a capability imports
    only its engine package (and the entry-point engines); no capability imports them all.

    >>> [c.NAME for c in engines("shots")][:1]         # doctest: +SKIP
    ['histogram']
    """
    load_capability(capability)
    found = [c for (cap, _), c in _REGISTRY.items() if capability in (None, cap)]
    return sorted(found, key=lambda c: (c.CAPABILITY, -c.PRIORITY, c.NAME))


def capability_identities(capability: str) -> list[list]:
    """``[identity, available]`` of every engine of ``capability``, best first: what decides
    which engine carries out an operation and what it makes. A cache keyed on this is
    re-derived when an engine's version changes or a better one becomes available.

    >>> capability_identities("interpolate")[0]               # doctest: +SKIP
    ['flow@3', True]
    """
    return [[e.identity(), bool(e.is_available())] for e in engines(capability)]


def capabilities() -> list[str]:
    return sorted({c.CAPABILITY for c in engines()})


def load_errors() -> dict[str, str]:
    """Modules or entry points that failed to import, with the error."""
    load_capability(None)
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

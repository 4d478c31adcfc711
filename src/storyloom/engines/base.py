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
from typing import ClassVar, Optional

from storyloom.errors import BadInput, EngineUnavailable
from storyloom.progress import Progress, no_progress  # noqa: F401  (engines take these)


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
_imported: set[str] = set()      # modules already imported (or tried) by the registry
#: render workers may look up engines at once: one loads a package while the others wait,
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


def _load_package(package: str) -> None:
    """Import one built-in engine package's modules."""
    for name in _package_modules(package):
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
    """Import every module under ``storyloom.engines`` and the installed entry-point engines."""
    global _all_loaded
    if _all_loaded:
        return
    _all_loaded = True
    import storyloom.engines as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.ispkg and not info.name.startswith("_"):
            _load_package(info.name)
        elif not info.name.startswith("_") and info.name != "base":
            _import(f"storyloom.engines.{info.name}")
    _load_entry_points()


def load_capability(capability: Optional[str]) -> None:
    """Import what registers ``capability``'s engines: its built-in package and the
    entry-point engines; everything for ``None`` or a capability no built-in package serves.

    >>> load_capability("interpolate")
    >>> import sys; "storyloom.engines.restyle" in sys.modules    # doctest: +SKIP
    False
    """
    package = CAPABILITY_PACKAGES.get(capability) if capability else None
    with _load_lock:
        if package is None:
            _load_builtins()
            return
        _load_package(package)
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


def _named(capability: str, name: str) -> type[Engine]:
    """The ``capability`` engine called ``name``: BadInput when there is none, EngineUnavailable
    (with the reason) when it cannot run here."""
    candidates = engines(capability)
    for c in candidates:
        if c.NAME == name:
            a = c.is_available()
            if not a:
                raise EngineUnavailable(f"engine {name!r} cannot run here: {a.reason}")
            return c
    names = ", ".join(c.NAME for c in candidates)
    raise BadInput(f"no {capability} engine named {name!r}: {name!r} is not a {capability} engine "
                   f"(choose from: {names})")


def candidates(capability: str, prefer: Optional[str] = None) -> list[type[Engine]]:
    """The engines a choice for ``capability`` may land on, best first: the one named by
    ``prefer``; else the available ones down to the first that takes any input (an engine
    with a ``suits`` check is picked only for inputs it suits, so the next one may run).
    What a cached result depends on: a new version of one of these, or a better engine
    becoming available, changes this list.

    >>> [c.NAME for c in candidates("interpolate")]          # doctest: +SKIP
    ['flow']
    """
    if prefer:
        return [_named(capability, prefer)]
    out = []
    for c in engines(capability):
        if c.is_available():
            out.append(c)
            if getattr(c, "suits", None) is None:
                break
    return out


def resolve(capability: str, prefer: Optional[str] = None, inputs: Optional[tuple] = None) -> Choice:
    """Pick the engine for ``capability``: ``prefer`` if named (it must exist and be able to
    run here), else the available one with the highest priority that suits ``inputs`` (what
    it will be given; engines with a ``suits(*inputs)`` check, such as cutout's ``people``,
    are passed over for inputs they do not suit). The answer says why.

    >>> resolve("interpolate").engine.NAME                   # doctest: +SKIP
    'flow'
    """
    found = engines(capability)
    if not found:
        known = ", ".join(capabilities()) or "none"
        raise BadInput(f"unknown capability {capability!r} (known: {known})")
    if prefer:
        return Choice(_named(capability, prefer), "asked for by name")
    skipped = []
    for c in found:
        a = c.is_available()
        if not a:
            skipped.append(f"{c.NAME}: {a.reason}")
            continue
        suits = getattr(c, "suits", None)
        if suits is not None and inputs is not None and not suits(*inputs):
            skipped.append(f"{c.NAME}: prompt not on its kind of object")
            continue
        return Choice(c, "best available" + (f" ({'; '.join(skipped)})" if skipped else ""))
    raise EngineUnavailable(f"no {capability} engine can run here: " + "; ".join(skipped))

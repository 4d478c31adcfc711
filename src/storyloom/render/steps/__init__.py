"""Operation steps: how each ``Operation`` kind turns a clip into a new clip, the check of
its values, and the values its form offers.

One module per operation (``storyloom.render.steps.<module>``, listed in ``STEP_MODULES``)
holds all three, registered together::

    @register_step(Restyle, check=check_restyle, examples={"style": style_names})
    def restyle_step(op: Restyle, clip: Clip, ctx: StepContext) -> Clip:
        ...

Shot operations (``op.target == "shot"``) receive the composited shot (RGB); layer
operations (``"layer"``, e.g. ``Cutout``) receive that layer's source frames and may
return RGBA. The renderer caches every step's output under a content hash of its input,
the operation and the engines that may carry it out (see ``storyloom.render.cache``).
Every door that adds an operation calls ``validate_operation`` first, so a value the step
cannot use is refused when it is added, not when it renders.

    >>> from storyloom.model import Upscale
    >>> validate_operation(Upscale(scale=3))
    Traceback (most recent call last):
    ...
    storyloom.errors.BadInput: scale 3: must be 2 or 4
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

from storyloom.errors import StoryloomError
from storyloom.model.operations import Operation
from storyloom.progress import Progress, no_progress
from storyloom.render.clip import Clip

#: operation kind -> the module of this package holding its step (imported on first use,
#: so rendering a restyle never imports the cutout engines)
STEP_MODULES: dict[str, str] = {
    "CameraMove": "camera",
    "Cutout": "cutout",
    "Harmonize": "harmonize",
    "Interpolate": "interpolate",
    "Restyle": "restyle",
    "Upscale": "upscale",
}


@dataclass
class StepContext:
    """What a step may know besides its input: where it runs and for whom."""

    library: Any = None            # storyloom.store.Library (None in file-in/file-out tools)
    project: Any = None            # storyloom.model.Project
    shot: Any = None               # storyloom.model.Shot
    layer: Any = None              # storyloom.model.Layer for layer operations
    progress: Progress = no_progress
    seed: int = 0
    #: filled by the step: the engine that ran and anything worth recording
    provenance: dict = field(default_factory=dict)


StepFn = Callable[[Any, Clip, StepContext], Clip]
#: ``check(op, name=None)`` raises BadInput for values the step cannot use; ``name(field)``,
#: when given, is how the caller calls a field (the CLI: ``--scale``)
CheckFn = Callable[..., None]


@dataclass(frozen=True)
class Step:
    """One operation kind's render step and the check of its values."""

    run: StepFn
    check: Optional[CheckFn] = None


_STEPS: dict[str, Step] = {}
#: (operation kind, field) -> a function listing the field's known values, for the studio's
#: forms (JSON-schema "examples"); registered with each step
FIELD_EXAMPLES: dict[tuple[str, str], Callable[[], Sequence]] = {}


def register_step(op_cls: type[Operation], check: Optional[CheckFn] = None,
                  examples: Optional[Mapping[str, Callable[[], Sequence]]] = None):
    """Decorator: ``fn(op, clip, ctx) -> Clip`` carries out operations of ``op_cls``;
    ``check(op, name=None)`` refuses values it cannot use; ``examples`` lists the known
    values of free-text fields for the studio's forms."""
    def deco(fn: StepFn) -> StepFn:
        _STEPS[op_cls.schema_name] = Step(fn, check)
        for key, values in (examples or {}).items():
            FIELD_EXAMPLES[(op_cls.schema_name, key)] = values
        return fn
    return deco


def _load(name: str) -> None:
    """Import the step module of operation kind ``name`` (every one for a kind none lists:
    an operation added without an entry in ``STEP_MODULES`` is still found)."""
    module = STEP_MODULES.get(name)
    if module is not None:
        importlib.import_module(f"{__name__}.{module}")
    else:
        _load_all()


def _load_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def step_of(name: str) -> Optional[Step]:
    """The registered ``Step`` of operation kind ``name`` (``"Restyle"``), None when no step
    can carry it out yet."""
    if name not in _STEPS:
        _load(name)
    return _STEPS.get(name)


def step_for(op) -> StepFn:
    """The step function that carries out ``op``; StoryloomError when there is none.

    >>> from storyloom.model import Interpolate
    >>> step_for(Interpolate(factor=2)).__name__
    'interpolate_step'
    """
    found = step_of(op.schema_name)
    if found is None:
        raise StoryloomError(f"no step can carry out {op.schema_name} operations yet")
    return found.run


def validate_operation(op: Operation, name: Optional[Callable[[str], str]] = None) -> Operation:
    """``op`` once its step's check accepts its values; BadInput (one line naming what is
    valid) otherwise. Every door that adds an operation calls this; the CLI passes
    ``name=lambda f: "--" + f`` so messages name its options.

    >>> from storyloom.model import CameraMove
    >>> validate_operation(CameraMove(move="pan-left")).move
    'pan-left'
    >>> validate_operation(CameraMove(move="spin"))   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    storyloom.errors.BadInput: camera move 'spin': unknown (choose from: pan-left, ...)
    """
    found = step_of(op.schema_name)
    if found is not None and found.check is not None:
        found.check(op, name)
    return op


def field_examples(name: str) -> dict[str, Callable[[], Sequence]]:
    """``{field: function listing its known values}`` of operation kind ``name``."""
    step_of(name)
    return {key: values for (op, key), values in FIELD_EXAMPLES.items() if op == name}


def registered_steps() -> dict[str, Step]:
    """Every operation kind with a step (all step modules imported)."""
    _load_all()
    return dict(_STEPS)


__all__ = ["Clip", "FIELD_EXAMPLES", "STEP_MODULES", "Step", "StepContext", "field_examples", "register_step", "registered_steps",
           "step_for", "step_of", "validate_operation"]

"""Entry point of the ``storyloom`` command."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Optional

from storyloom.errors import StoryloomError


#: command -> the ``storyloom.cli`` module defining it, so that running one command imports
#: only its module; ``--help``, no command or one missing here imports every module
#: (tests/cli/test_lazy_commands.py checks this table against the modules)
COMMAND_MODULES: dict[str, str] = {
    "camera": "camera", "cutout": "cutout", "interpolate": "interpolate",
    "extract": "layers", "refine": "layers", "replace-background": "layers",
    "new": "project", "import": "project", "info": "project", "render": "project",
    "export": "project", "undo": "project", "redo": "project", "history": "project",
    "gc": "project", "engines": "project", "demo": "project",
    "styles": "restyle", "restyle": "restyle", "script": "script", "serve": "serve",
    "shots": "shots", "upscale": "upscale",
    "jobs": "jobs", "cancel": "jobs", "resume": "jobs",
}


def _modules() -> list[str]:
    import storyloom.cli as pkg
    return [info.name for info in pkgutil.iter_modules(pkg.__path__)
            if info.name not in ("app", "main") and not info.name.startswith("_")]


def _load_commands(command: Optional[str] = None) -> None:
    """Import the CLI module of ``command``, or every CLI module when it is None/unknown.

    >>> _load_commands("interpolate")          # doctest: +SKIP
    """
    module = COMMAND_MODULES.get(command) if command else None
    if module is not None:
        importlib.import_module(f"storyloom.cli.{module}")
        return
    from storyloom.cli.app import app
    modules = _modules()
    for name in modules:
        importlib.import_module(f"storyloom.cli.{name}")
    # help lists commands in registration order: keep it the modules' order even when an
    # earlier call in this process registered one command first (sorted() is stable)
    rank = {f"storyloom.cli.{name}": i for i, name in enumerate(modules)}
    app.registered_commands.sort(key=lambda c: rank.get(getattr(c.callback, "__module__", ""), len(rank)))


def _command_of(argv) -> Optional[str]:
    """The command an argument list runs (its first word), None for ``--help`` or nothing."""
    args = sys.argv[1:] if argv is None else list(argv)
    return args[0] if args and not str(args[0]).startswith("-") else None


def main(argv=None) -> int:
    """Run the CLI; errors a user can act on become one line and exit code 2.

    >>> main(["--help"])        # doctest: +SKIP
    0
    """
    from storyloom.cli.app import app, fill_optional_values
    from storyloom.store.jobs import Cancelled
    _load_commands(_command_of(argv))
    argv = fill_optional_values(sys.argv[1:] if argv is None else list(argv))
    try:
        # standalone_mode=False: click returns exit codes and raises usage errors to us,
        # so that every failure ends in one line of ours instead of a traceback.
        result = app(args=argv, standalone_mode=False, prog_name="storyloom")
    except StoryloomError as e:
        print(f"storyloom: {e}", file=sys.stderr)
        return e.exit_code
    except Cancelled:   # `storyloom cancel` (or the studio) stopped this command's job
        print("storyloom: cancelled; nothing half-written was kept (`storyloom resume` finishes it)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        result = 130
    except SystemExit as e:
        return int(e.code or 0)
    except Exception as e:
        # typer vendors its own click: recognise its exceptions by their interface
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            return int(e.exit_code)
        if hasattr(e, "exit_code"):
            return int(e.exit_code)
        raise
    if result == 130:  # click turns Ctrl-C into exit code 130 (Abort)
        print("storyloom: interrupted; nothing half-written was kept (run it again to finish)", file=sys.stderr)
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()

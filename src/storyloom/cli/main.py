"""Entry point of the ``storyloom`` command."""
from __future__ import annotations

import importlib
import pkgutil
import sys

from storyloom.errors import StoryloomError


def _load_commands() -> None:
    import storyloom.cli as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name not in ("app", "main") and not info.name.startswith("_"):
            importlib.import_module(f"storyloom.cli.{info.name}")


def main(argv=None) -> int:
    """Run the CLI; errors a user can act on become one line and exit code 2.

    >>> main(["--help"])        # doctest: +SKIP
    0
    """
    from storyloom.cli.app import app
    _load_commands()
    try:
        # standalone_mode=False: click returns exit codes and raises usage errors to us,
        # so that every failure ends in one line of ours instead of a traceback.
        result = app(args=argv, standalone_mode=False, prog_name="storyloom")
    except StoryloomError as e:
        print(f"storyloom: {e}", file=sys.stderr)
        return e.exit_code
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
        print("storyloom: interrupted; nothing half-written was kept", file=sys.stderr)
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()

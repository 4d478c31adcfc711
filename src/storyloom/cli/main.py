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
    """Run the CLI; errors a user can act on become one line and exit code 2."""
    from storyloom.cli.app import app
    _load_commands()
    try:
        app(args=argv, standalone_mode=False, prog_name="storyloom")
    except StoryloomError as e:
        print(f"storyloom: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("storyloom: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except SystemExit as e:  # typer.Exit inside standalone_mode=False
        return int(e.code or 0)
    except Exception as e:
        import click
        if isinstance(e, click.exceptions.Exit):
            return e.exit_code
        if isinstance(e, click.ClickException):
            e.show()
            return 2
        if isinstance(e, click.exceptions.Abort):
            print("storyloom: aborted", file=sys.stderr)
            return 130
        raise
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()

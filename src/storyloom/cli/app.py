"""The Typer application every CLI module adds its commands to.

Each module in ``storyloom.cli`` registers commands on ``app``; ``main()`` imports them
all, runs the app and turns ``StoryloomError`` into one line on stderr and its exit code
(2 for bad input), never a traceback.
"""
from __future__ import annotations

import typer

app = typer.Typer(
    name="storyloom",
    help="Storyloom: a storyboard-first, layer-based AI video studio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print ``storyloom: message`` on stderr and return the Exit to raise."""
    typer.echo(f"storyloom: {message}", err=True)
    return typer.Exit(code)


#: the H.264 quality option shared by file-in/file-out commands
CRF_OPTION = typer.Option(18, "--crf", min=0, max=51, help="H.264 quality (lower: better and larger)")

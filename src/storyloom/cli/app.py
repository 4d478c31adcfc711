"""The Typer application every CLI module adds its commands to.

Each module in ``storyloom.cli`` registers commands on ``app``; ``main()`` imports them
all, runs the app and turns ``StoryloomError`` into one line on stderr and its exit code
(2 for bad input), never a traceback. A command imports what it works with (media,
engines, the studio) when it runs, not when its module loads: ``storyloom X --help`` and
the command table stay instant (tests/cli/test_lazy_commands.py). Project commands call
the studio's service functions (``storyloom.studio``); file-in/file-out commands share
``storyloom.cli.files``.
"""
from __future__ import annotations

from typing import Callable, Optional

import typer

app = typer.Typer(
    name="storyloom",
    help="Storyloom: a storyboard-first, layer-based AI video studio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _group() -> None:
    # main() registers only the command it runs (see main.COMMAND_MODULES); typer turns an
    # app holding a single command and no callback into that command, so this keeps
    # ``storyloom`` a group (its help text still comes from ``help=`` above)
    pass


#: options whose value may be left out (``--ray`` or ``--ray HOST:PORT``), which Typer has no
#: word for: option -> (the value when left out, does the next word look like its value?)
OPTIONAL_VALUES: dict[str, tuple[str, Callable[[str], bool]]] = {}


def fill_optional_values(args: list) -> list:
    """``args`` with the left-out value of every ``OPTIONAL_VALUES`` option written in
    (``--ray -o x.mp4`` → ``--ray= -o x.mp4``), so the parser always finds one.

    >>> fill_optional_values(["render", "d", "--ray", "-o", "x"])     # doctest: +SKIP
    ['render', 'd', '--ray=', '-o', 'x']
    """
    out = []
    for i, word in enumerate(args):
        spec = OPTIONAL_VALUES.get(word)
        if spec is not None and (i + 1 == len(args) or not spec[1](str(args[i + 1]))):
            word = f"{word}={spec[0]}"
        out.append(word)
    return out


def fail(message: str, code: int = 2) -> "typer.Exit":
    """Print ``storyloom: message`` on stderr and return the Exit to raise."""
    typer.echo(f"storyloom: {message}", err=True)
    return typer.Exit(code)


def progress_bar(transient: bool = False):
    """The rich progress bar every long-running command shows (description, bar, %, ETA)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    console = Console()
    # a transient bar written to a file or a pipe leaves only an empty line behind: none then
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeRemainingColumn(), transient=transient, console=console,
                    disable=transient and not console.is_terminal)


def free_memory() -> Optional[int]:
    """Bytes of memory the system can still give (``MemAvailable``), or None when unknown.

    >>> free_memory() is None or free_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_memory(path, frames: int, width: int, height: int, copies: float, what: str) -> None:
    """BadInput, before any work, when holding ``copies`` RGB copies of a whole video
    (``frames`` of ``width`` x ``height``) would not fit in the memory that is free: a clear
    message instead of the system killing the command half-way.

    >>> check_memory("tiny.mp4", 24, 320, 180, 3, "restyle it")     # nothing to say
    """
    free = free_memory()
    need = int(frames) * int(width) * int(height) * 3 * copies
    if free is not None and need > 0.8 * free:
        from storyloom.errors import BadInput
        raise BadInput(f"{path}: {frames} frames of {width}x{height} need about {need / 1e9:.1f} GB of memory "
                       f"to {what}, more than the {0.8 * free / 1e9:.1f} GB it may take (80% of the free "
                       f"memory); cut it shorter or smaller first")


#: the H.264 quality option shared by file-in/file-out commands
CRF_OPTION = typer.Option(18, "--crf", min=0, max=51, help="H.264 quality (lower: better and larger)")


def parse_numbers(text: str, count: int, what: str) -> tuple[float, ...]:
    """``"12,34"`` → (12.0, 34.0) for options like ``--point X,Y`` and ``--box X0,Y0,X1,Y1``;
    BadInput naming the option when the text is not ``count`` numbers.

    >>> parse_numbers("1, 2.5", 2, "--point")
    (1.0, 2.5)
    """
    from storyloom.errors import BadInput
    try:
        values = tuple(float(p) for p in str(text).split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        form = "X,Y" if count == 2 else "X0,Y0,X1,Y1"
        raise BadInput(f"{what} {text}: need {form} (numbers, in pixels)")
    return values

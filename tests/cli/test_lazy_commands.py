"""Running one command imports only its CLI module; help still lists every command, in order."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CLI_MODULES = ["camera", "cutout", "interpolate", "layers", "project", "restyle", "script",
               "serve", "shots", "upscale"]


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_command_table_matches_the_modules():
    from storyloom.cli.app import app
    from storyloom.cli.main import COMMAND_MODULES, _load_commands
    _load_commands()
    defined = {}
    for c in app.registered_commands:
        name = c.name or c.callback.__name__.replace("_", "-")
        defined[name] = c.callback.__module__.rsplit(".", 1)[-1]
    assert defined == COMMAND_MODULES
    assert len(defined) == 26   # jobs, cancel, resume (cli/jobs.py) joined the 23


def test_one_command_imports_only_its_module():
    got = _run(f"""
        import contextlib, io, json, sys
        from storyloom.cli.main import main
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = main(["interpolate", "--help"])
        loaded = [m for m in {CLI_MODULES!r} if "storyloom.cli." + m in sys.modules]
        print(json.dumps(dict(rc=rc, loaded=loaded, out=buf.getvalue(),
                              engines=[m for m in sys.modules if m.startswith("storyloom.engines.")])))
    """)
    assert got["rc"] == 0
    assert got["loaded"] == ["interpolate"]
    assert got["engines"] == []                       # help never loads an engine
    assert "Usage: storyloom interpolate [OPTIONS]" in got["out"] and "--factor" in got["out"]


def test_help_lists_every_command_in_module_order_after_a_single_command():
    # one process running a command, then asking for help (as the tests and the studio do)
    got = _run("""
        import contextlib, io, json
        from storyloom.cli.main import main
        with contextlib.redirect_stdout(io.StringIO()):
            first = main(["styles"])
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = main(["--help"])
        print(json.dumps(dict(first=first, rc=rc, out=buf.getvalue())))
    """)
    assert got["first"] == 0 and got["rc"] == 0
    out = got["out"]
    order = ["camera", "cutout", "interpolate", "extract", "replace-background", "new", "import",
             "info", "render", "export", "undo", "redo", "history", "gc", "engines", "demo",
             "styles", "restyle", "script", "serve", "shots", "upscale"]
    positions = [out.index(f"│ {name} ") for name in order]
    assert positions == sorted(positions)


def test_unknown_command_still_suggests_the_right_one(capsys):
    from storyloom.cli.main import main
    assert main(["interpolat"]) == 2
    assert "Did you mean 'interpolate'" in capsys.readouterr().err

"""``storyloom serve``: the studio in the browser."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from storyloom.cli.app import app


def default_library() -> Path:
    """``[server] library`` from the settings, else ``~/Storyloom``."""
    from storyloom.config import setting
    return Path(setting("server", "library", str(Path.home() / "Storyloom"))).expanduser()


def studio_url(host: str, port: int, token: Optional[str]) -> str:
    """The link to open (with ``?token=`` when the studio needs one).

    >>> studio_url("127.0.0.1", 8765, None)
    'http://127.0.0.1:8765/'
    >>> studio_url("::", 80, "abc")
    'http://[::]:80/?token=abc'
    """
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


@app.command()
def serve(library: Optional[Path] = typer.Argument(None, help="library folder (default: ~/Storyloom)",
                                                   show_default=False),
          host: str = typer.Option("127.0.0.1", help="address to listen on; anything but localhost needs a token"),
          port: int = typer.Option(8765, min=1, max=65535, help="port to listen on"),
          token: Optional[str] = typer.Option(None, help="access token (default: generated when not on localhost)"),
          workers: Optional[int] = typer.Option(None, min=0, help="render processes per job (0: in the server)")):
    """Run the studio: a web page and its API over one library folder."""
    import uvicorn

    from storyloom.api.app import create_app
    from storyloom.api.auth import is_local_host
    lib = library or default_library()
    studio = create_app(lib, token=token, host=host, render_workers=workers)
    url = studio_url(host, port, studio.state.token)
    typer.echo(f"Storyloom studio for {lib}")
    typer.echo(f"  open {url}")
    if not is_local_host(host):
        typer.echo("  reachable from other machines: every request needs the token above")
    uvicorn.run(studio, host=host, port=port, log_level="warning")

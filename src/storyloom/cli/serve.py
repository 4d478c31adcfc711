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


def check_port_free(host: str, port: int) -> None:
    """BadInput when ``host:port`` cannot be listened on (another studio is there, most
    often): said before the link is printed, so nobody opens a link to a server that died."""
    import errno
    import socket

    from storyloom.errors import BadInput
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no obstacle
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise BadInput(f"port {port} on {host} is in use (another studio or server?): "
                               f"stop it or pick another with --port") from None
            raise BadInput(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


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
    check_port_free(host, port)
    studio = create_app(lib, token=token, host=host, render_workers=workers)
    wildcard = host in ("0.0.0.0", "::", "")
    # "all addresses" is no address to open: this machine's loopback link, then its name for others
    url = studio_url("127.0.0.1" if wildcard else host, port, studio.state.token)
    typer.echo(f"Storyloom studio for {lib}")
    typer.echo(f"  open {url}")
    if wildcard:
        import socket
        typer.echo(f"  from other machines: {studio_url(socket.gethostname(), port, studio.state.token)}")
    if not is_local_host(host):
        typer.echo("  reachable from other machines: every request needs the token above")
    uvicorn.run(studio, host=host, port=port, log_level="warning")

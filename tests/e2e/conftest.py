"""End-to-end fixtures: the real studio server on a small demo library, and Debian's
headless Chromium driven by Playwright.

The server runs in a thread of the test process (uvicorn), on a free port, over a
temporary library; the demo project is made small (320×180, 1 s shots) so a render
takes seconds.
"""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--autoplay-policy=no-user-gesture-required"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Studio:
    """A running studio server: ``url``, ``lib``, ``pid`` (the demo project) and JSON helpers."""

    def __init__(self, app, port: int, token: str | None = None):
        import uvicorn
        self.app, self.port, self.token = app, port, token
        self.lib = app.state.lib
        self.url = f"http://127.0.0.1:{port}/"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the studio server did not start")
            time.sleep(0.05)
        self.pid = None

    def call(self, method: str, path: str, body=None):
        """One API call; returns the decoded JSON (None for 204)."""
        req = urllib.request.Request(self.url.rstrip("/") + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
        return json.loads(data) if data else None

    def project(self) -> dict:
        return self.call("GET", f"/api/projects/{self.pid}")["project"]

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def small_demo(path: Path) -> str:
    """The bundled demo, shrunk to 320×180 with 1 s shots (the same scenes, layers and moves)."""
    from storyloom.studio.demo import build_demo
    from storyloom.model.document import Size
    from storyloom.store import Library
    film = build_demo(path)
    lib = Library.open(path)
    doc, rev = lib.load(film.id)
    k = 320 / doc.size.width  # positions and text sizes are in project pixels: scale them too
    doc.size = Size(width=320, height=180)
    for shot in doc.shots():
        shot.duration = 1.0
        for layer in shot.layers:
            for param in (layer.transform.x, layer.transform.y):
                param.value *= k
                for key in param.keys:
                    key.v *= k
            if layer.source.kind == "text":
                layer.source.size = max(8, round(layer.source.size * k))
        if shot.transition.kind == "crossfade":
            shot.transition.duration = 0.25
    lib.save(doc, rev, "make the demo small for the browser tests")
    return film.id


@pytest.fixture(scope="session")
def chromium_path():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium); "
                    "the browser tests need it")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def studio(tmp_path_factory, chromium_path):
    from storyloom.api.app import create_app
    root = tmp_path_factory.mktemp("studio")
    pid = small_demo(root / "lib")
    # renders run inside the server process: no worker processes on a shared, busy machine
    app = create_app(root / "lib", render_workers=0)
    s = Studio(app, free_port())
    s.pid = pid
    yield s
    s.stop()


@pytest.fixture
def start_studio(tmp_path, chromium_path):
    """Start another studio on a small demo library: ``start_studio(token=None) -> Studio``."""
    from storyloom.api.app import create_app
    started = []

    def start(token: str | None = None) -> Studio:
        lib = tmp_path / f"lib{len(started)}"
        pid = small_demo(lib)
        s = Studio(create_app(lib, token=token, render_workers=0), free_port(), token=token)
        s.pid = pid
        started.append(s)
        return s
    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught exceptions of a page (``expected`` filters known ones)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def unexpected(self, *expected: str) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in expected)]


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    pg.console = Console(pg)
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """Where the e2e tests save their screenshots: docs/screenshots only when asked
    (STORYLOOM_SCREENSHOTS=1, run `make screenshots`), so `make test` never dirties the tree
    (and tools registered by other tests in the same process never end up in the docs)."""
    if os.environ.get("STORYLOOM_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")

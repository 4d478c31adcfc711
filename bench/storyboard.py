"""Benchmark: the studio's storyboard page with 500 shots, in headless Chromium.

Measures (real server, real page, Debian chromium):
- page load: navigation start until all 500 cards are in the page;
- reorder round trip: a keyboard move (Alt+→ within a scene, Alt+↓ to the next scene) from the
  key press until the server's answer is back and the board re-rendered from it (the optimistic
  re-render, before the answer, is reported too);
- the project JSON the page loads (size, server time).
Writes the "storyboard" section of docs/benchmarks.md.

    .venv/bin/python bench/storyboard.py          # about half a minute
"""
from __future__ import annotations

import io
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import machine, markdown_table, today, write_section  # noqa: E402

SCENES, PER_SCENE = 10, 50
LOADS, MOVES = 5, 20
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def build(path: Path) -> str:
    """A library with one 500-shot project; every shot has two JPEG thumbnails (8 distinct stills)."""
    from PIL import Image
    from skimage import data

    from storyloom.model.document import Project, Shot, Size
    from storyloom.store import Library
    lib = Library.open(path)
    pics = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    thumbs = []
    for i in range(8):
        img = Image.fromarray(pics[i % 4][..., :3]).resize((320, 180))
        if i >= 4:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        thumbs.append(lib.add_asset_bytes(buf.getvalue(), ".jpg", f"thumb{i}.jpg").sha256)
    doc = Project(title="500 shots", size=Size(width=640, height=360))
    n = 0
    for s in range(SCENES):
        scene = doc.add_scene(f"Scene {s + 1}", description=f"benchmark scene {s + 1}")
        for _ in range(PER_SCENE):
            scene.add_shot(Shot(title=f"Shot {n + 1}", duration=2.0, description="a benchmark shot",
                                thumbnails=[thumbs[n % 8], thumbs[(n + 3) % 8]]))
            n += 1
    lib.create_project(doc, summary="benchmark storyboard")
    return doc.id


def serve(path: Path):
    import uvicorn

    from storyloom.api.app import create_app
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}/"


# one keyboard move measured inside the page: [optimistic re-render ms, round trip ms]
MOVE_JS = """async ([index, key]) => {
  const card = document.querySelectorAll('.card')[index];
  card.focus();
  const rev = window.storyloom.revision;
  const t0 = performance.now();
  card.dispatchEvent(new KeyboardEvent('keydown', {key, altKey: true, bubbles: true}));
  const t1 = performance.now();
  while (window.storyloom.revision === rev) await new Promise((r) => setTimeout(r, 0));
  return [t1 - t0, performance.now() - t0];
}"""


def stats(values):
    return [f"{statistics.median(values):.0f}", f"{min(values):.0f}", f"{max(values):.0f}", len(values)]


def main():
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        pid = build(Path(tmp) / "lib")
        server, url = serve(Path(tmp) / "lib")
        try:
            t = time.perf_counter()
            raw = urllib.request.urlopen(f"{url}api/projects/{pid}").read()
            get_ms = (time.perf_counter() - t) * 1000
            assert sum(len(s["shots"]) for s in json.loads(raw)["project"]["scenes"]) == SCENES * PER_SCENE
            loads, opt, trips, cross_opt, cross = [], [], [], [], []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                errors = []
                page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                page.goto(url)  # warm the server and the browser cache of the scripts once
                page.wait_for_selector(".project-item")
                for _ in range(LOADS):
                    page.goto("about:blank")
                    page.goto(f"{url}#/p/{pid}")
                    page.wait_for_function(f"document.querySelectorAll('.card').length === {SCENES * PER_SCENE}",
                                           polling="raf", timeout=60_000)
                    loads.append(page.evaluate("performance.now()"))
                for i in range(MOVES):
                    # alternate directions so the board stays the same size and order on average
                    a, b = page.evaluate(MOVE_JS, [5 + (i % 2), "ArrowRight" if i % 2 == 0 else "ArrowLeft"])
                    opt.append(a)
                    trips.append(b)
                for i in range(MOVES // 2):
                    # the last card of scene 1 down to the first place of scene 2 (the same card
                    # index in the page), and back up
                    a, b = page.evaluate(MOVE_JS, [PER_SCENE - 1, "ArrowDown" if i % 2 == 0 else "ArrowUp"])
                    cross_opt.append(a)
                    cross.append(b)
                n_cards = page.locator(".card").count()
                browser.close()
            assert n_cards == SCENES * PER_SCENE and not errors, errors
        finally:
            server.should_exit = True
    rows = [["page load → 500 cards in the page", *stats(loads)],
            ["reorder in a scene: optimistic re-render", *stats(opt)],
            ["reorder in a scene: round trip (server revision + re-render)", *stats(trips)],
            ["move to the next scene: optimistic re-render", *stats(cross_opt)],
            ["move to the next scene: round trip", *stats(cross)]]
    body = (f"## Storyboard page, {SCENES * PER_SCENE} shots\n\n"
            f"`bench/storyboard.py`, {today()}. {machine()}; headless Debian Chromium via Playwright, "
            f"the studio server in the same process. {SCENES} scenes × {PER_SCENE} shots, each card with a "
            f"lazy-loaded 320×180 JPEG thumbnail. The project JSON is {len(raw) / 1e6:.2f} MB "
            f"(GET in {get_ms:.0f} ms). Timings in milliseconds; load average "
            f"{os.getloadavg()[0]:.1f} on 2 cores when run.\n\n"
            + markdown_table(["measure", "median ms", "min ms", "max ms", "runs"], rows))
    write_section("storyboard", body)
    print(body)


if __name__ == "__main__":
    main()

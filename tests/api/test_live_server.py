"""The studio under a real uvicorn server: events arrive while the job runs (not buffered),
and `storyloom serve` prints a link with the token off localhost."""
import json
import threading
import time

import httpx
import pytest
import uvicorn

from storyloom.api import create_app
from storyloom.cli.serve import studio_url


@pytest.fixture
def live(tmp_path):
    app = create_app(tmp_path / "lib", host="0.0.0.0", render_workers=0)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not server.started and time.monotonic() < end:
        time.sleep(0.02)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_events_stream_live_while_the_job_runs(live):
    app, base = live
    gate, seen_first = threading.Event(), []

    def job(report, job_id):
        report(0.25, "first quarter")
        assert gate.wait(20), "the client never saw the first event"
        report(0.5, "half")
        return {"ok": True}

    jid = app.state.runner.submit("test", None, {}, job)
    headers = {"Authorization": f"Bearer {app.state.token}"}
    assert httpx.get(f"{base}/api/jobs/{jid}", timeout=10).status_code == 401
    events = []
    with httpx.stream("GET", f"{base}/api/jobs/{jid}/events", headers=headers, timeout=30) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if not line.startswith("data:"):
                continue
            events.append(json.loads(line[5:]))
            if events[-1]["progress"] == 0.25 and not gate.is_set():
                seen_first.append(events[-1]["status"])
                gate.set()   # the job goes on only once the client has the event: it streamed live
    assert seen_first == ["running"]
    assert events[-1]["status"] == "done" and events[-1]["progress"] == 1.0 and events[-1]["result"] == {"ok": True}


def test_studio_url():
    assert studio_url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert studio_url("0.0.0.0", 9000, "abc") == "http://0.0.0.0:9000/?token=abc"


def test_serve_command_prints_link_and_serves(tmp_path):
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "storyloom.cli.main", "serve", str(tmp_path / "lib"),
                             "--port", str(port), "--token", "tok-123"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert lines[1].strip() == f"open http://127.0.0.1:{port}/?token=tok-123", lines
        end, r = time.monotonic() + 30, None
        while time.monotonic() < end:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/projects", headers={"Authorization": "Bearer tok-123"})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert r is not None and r.status_code == 200 and r.json() == []
        assert httpx.get(f"http://127.0.0.1:{port}/api/projects").status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
    assert (tmp_path / "lib" / "library.sqlite").exists()


def test_serve_on_a_busy_port_says_so_before_any_link(tmp_path):
    import socket
    import subprocess
    import sys
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "storyloom.cli.main", "serve", str(tmp_path / "lib"),
                            "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "open http" not in r.stdout, (r.stdout, r.stderr)
    (line,) = r.stderr.strip().splitlines()
    assert f"port {port}" in line and "in use" in line and "--port" in line


def test_serve_on_all_addresses_prints_links_that_open(tmp_path):
    """--host 0.0.0.0 listens everywhere: the links say 127.0.0.1 (here) and this machine's
    name (elsewhere), both with the token; never http://0.0.0.0/."""
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "storyloom.cli.main", "serve", str(tmp_path / "lib"),
                             "--host", "0.0.0.0", "--port", str(port), "--token", "tok-9"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.terminate()
        proc.wait(10)
    assert lines[1].strip() == f"open http://127.0.0.1:{port}/?token=tok-9", lines
    assert lines[2].strip() == f"from other machines: http://{socket.gethostname()}:{port}/?token=tok-9", lines
    assert not any("0.0.0.0" in line for line in lines)

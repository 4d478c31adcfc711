"""Helpers for the studio API tests (importable as ``api_helpers``)."""
import json
import threading


def new_project(client, **kw):
    """Create a project; returns (pid, revision, project json)."""
    r = client.post("/api/projects", json={"title": "Trip", "width": 160, "height": 90, "fps": 12, **kw})
    assert r.status_code == 200, r.text
    body = r.json()
    return body["id"], body["revision"], body["project"]


def ok(response):
    """The JSON of a 2xx answer (fails the test with the server's detail otherwise)."""
    assert 200 <= response.status_code < 300, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def sse_events(text: str) -> list[dict]:
    """The ``data:`` payloads of a server-sent event stream."""
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]


def hold_worker(client):
    """Occupy the only job worker until the returned event is set."""
    started, release = threading.Event(), threading.Event()

    def hold(report, job_id):
        started.set()
        release.wait(30)
        return {}
    client.app.state.runner.submit("test", None, {}, hold)
    assert started.wait(10)
    return release

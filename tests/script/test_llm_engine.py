"""The LLM script engine against a real local HTTP server speaking the OpenAI chat API:
a good shot list is used, anything else falls back to the rules with a warning."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storyloom.engines import engines, resolve
from storyloom.model import Project
from storyloom.studio.script import apply_script, storyboard_for

SCRIPT = "INT. LAB - NIGHT\n\nSparks fly from the machine.\n\nIDA\nIt works!\n"

GOOD = {"title": "Lab", "scenes": [{"title": "INT. LAB - NIGHT", "description": "A late experiment.", "shots": [
    {"title": "Sparks", "description": "Sparks fly from the machine.", "duration": 2.5, "characters": ["IDA"]},
    {"title": "Ida cheers", "description": "Ida throws up her arms.", "duration": 99,
     "dialogue": [{"character": "IDA", "text": "It works!", "parenthetical": "shouting"}]},
    {"title": "Wide", "description": "The lab from the door, smoke curling up to the lamps."}]}]}


class Handler(BaseHTTPRequestHandler):
    mode = "good"
    seen: list = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.seen.append((self.path, self.headers.get("Authorization"), body))
        mode = Handler.mode
        if mode == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"boom")
            return
        if mode == "slow":
            time.sleep(1.5)
        content = {"good": "```json\n" + json.dumps(GOOD) + "\n```", "slow": json.dumps(GOOD),
                   "not-json": "Sure! Here is your storyboard: scene one...",
                   "wrong-shape": json.dumps({"scenes": [{"title": "X", "shots": []}]})}[mode]
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def endpoint(monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("STORYLOOM_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("STORYLOOM_LLM_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
    monkeypatch.setenv("STORYLOOM_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("STORYLOOM_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("STORYLOOM_LLM_TIMEOUT", "0.5")
    Handler.seen = []
    yield Handler
    server.shutdown()
    server.server_close()


def test_llm_is_listed_and_unavailable_without_an_endpoint(monkeypatch, tmp_path):
    monkeypatch.delenv("STORYLOOM_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("STORYLOOM_CONFIG", str(tmp_path / "none.toml"))
    names = {c.NAME: c for c in engines("script")}
    assert set(names) == {"rules", "llm"}
    why = names["llm"].is_available()
    assert not why and "STORYLOOM_LLM_BASE_URL" in why.reason
    assert resolve("script").engine.NAME == "rules"


def test_good_answer_is_used(endpoint):
    endpoint.mode = "good"
    p = Project()
    sb = storyboard_for(p, SCRIPT, "lab.fountain", engine="llm")
    assert sb.engine == "llm" and sb.warnings == []
    path, auth, body = endpoint.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-test"
    assert body["model"] == "tiny-test" and body["response_format"] == {"type": "json_object"}
    assert '"scenes"' in body["messages"][0]["content"] and body["messages"][1]["content"] == SCRIPT
    apply_script(p, SCRIPT, "lab.fountain", engine="llm")
    shots = p.shots()
    assert [s.title for s in shots] == ["Sparks", "Ida cheers", "Wide"]
    assert [s.duration for s in shots] == [2.5, 20.0, pytest.approx(11 / 3, abs=0.01)]  # given, clamped, estimated
    assert shots[1].dialogue[0].character == "Ida" and shots[1].dialogue[0].parenthetical == "shouting"
    assert shots[0].characters == ["Ida"] and [c.name for c in p.cast] == ["Ida"]
    assert p.scenes[0].description == "A late experiment."


@pytest.mark.parametrize("mode,reason", [("500", "HTTP 500"), ("not-json", "not JSON"),
                                         ("wrong-shape", "shot-list schema"), ("slow", "no answer within 0.5 s")])
def test_bad_answers_fall_back_to_the_rules(endpoint, mode, reason):
    endpoint.mode = mode
    sb = storyboard_for(Project(), SCRIPT, "lab.fountain", engine="llm")
    assert sb.engine == "rules" and len(endpoint.seen) == 1
    assert len(sb.warnings) == 1 and reason in sb.warnings[0] and "rule-based" in sb.warnings[0]
    assert [s.title for s in sb.scenes] == ["INT. LAB - NIGHT"]
    assert sb.shots[0].dialogue[0].text == "It works!"


def test_cli_script_with_llm(endpoint, tmp_path, capsys):
    from storyloom.cli.main import main
    from storyloom.store import Library
    endpoint.mode = "good"
    lib = tmp_path / "lib"
    assert main(["new", str(lib), "--size", "160x90"]) == 0
    script = tmp_path / "lab.fountain"
    script.write_text(SCRIPT)
    capsys.readouterr()
    assert main(["script", str(lib), str(script), "--llm"]) == 0
    out = capsys.readouterr().out
    assert "added 1 scene(s), 3 shot(s)" in out and "LLM shot list" in out and "cast: +Ida" in out
    endpoint.mode = "500"
    assert main(["script", str(lib), str(script), "--llm"]) == 0
    captured = capsys.readouterr()
    assert "warning:" in captured.err and "HTTP 500" in captured.err and "(fountain)" in captured.out
    doc, _ = Library.open(lib).load()
    assert len(doc.shots()) == 4 and [c.name for c in doc.cast] == ["Ida"]

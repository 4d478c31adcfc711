"""The histogram shot detector on the yardstick's cuts case, traps, and the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.engines import resolve
from storyloom.media import write_video
from helpers import write_audio_only


def _texture(seed: int, h: int = 90, w: int = 160) -> np.ndarray:
    """A smooth random colour texture twice the frame size, to pan over."""
    import cv2
    rng = np.random.default_rng(seed)
    small = rng.random((h // 8, w // 8, 3)).astype(np.float32)
    return (cv2.resize(small, (2 * w, 2 * h), interpolation=cv2.INTER_CUBIC).clip(0, 1) * 255)


def _pan(tex: np.ndarray, n: int, h: int = 90, w: int = 160, step: int = 2) -> list[np.ndarray]:
    return [tex[10:10 + h, 10 + step * i:10 + step * i + w].copy() for i in range(n)]


@pytest.fixture(scope="module")
def cuts_case(yardstick, tmp_path_factory):
    out = tmp_path_factory.mktemp("yardstick") / "cuts"
    yardstick.make("cuts", out, seed=0)
    return out, yardstick.score


def test_histogram_f1_on_yardstick_seed0(cuts_case, tmp_path):
    case, score = cuts_case
    with resolve("shots", "histogram").engine() as det:
        result = det.detect(case / "input.mp4")
    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps(result.to_json()))
    m = score.score_cuts(case, pred)
    # measured: F1 1.000, every transition found at its place, no trap taken for one
    assert m["f1"] == 1.0, m
    assert all(a == b for a, b in (v.split("/") for v in m["recall_by_kind"].values())), m
    assert m["false_alarms_on_traps"] == 0, m
    kinds = {t.kind for t in result.transitions}
    assert {"cut", "fade", "wipe"} <= kinds   # seed 0 holds cuts, fades and wipes


def test_flash_is_not_a_transition(tmp_path):
    frames = _pan(_texture(1), 30)
    for j in (12, 13):   # a two-frame flash of light, as the yardstick makes them
        frames[j] = np.clip(frames[j] * 1.7 + 70, 0, 255)
    path = write_video(tmp_path / "flash.mp4", [f.astype(np.uint8) for f in frames], 24)
    with resolve("shots", "histogram").engine() as det:
        result = det.detect(path)
    assert result.transitions == []
    assert result.shots == [(0, 29)]


def test_dissolve_found(tmp_path):
    # camera pans 1 px a frame (the yardstick's slow shots); the dissolve model does not
    # compensate motion, so a fast pan during a dissolve is a known miss
    a, b = _pan(_texture(2), 40, step=1), _pan(_texture(3), 40, step=1)
    frames = a[:14] + [(1 - k / 11) * a[14 + k - 1] + k / 11 * b[k - 1] for k in range(1, 11)] + b[10:26]
    path = write_video(tmp_path / "dissolve.mp4", [f.astype(np.uint8) for f in frames], 24)
    with resolve("shots", "histogram").engine() as det:
        result = det.detect(path)
    assert len(result.transitions) == 1
    t = result.transitions[0]
    assert t.kind == "dissolve" and abs(t.start - 14) <= 2 and abs(t.end - 23) <= 2


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr()


def test_cli_writes_shots_json(tmp_path, capsys):
    frames = _pan(_texture(4), 12) + _pan(_texture(5), 12)
    video = write_video(tmp_path / "two.mp4", [f.astype(np.uint8) for f in frames], 24)
    out = tmp_path / "shots.json"
    code, io = _run(["shots", str(video), "-o", str(out)], capsys)
    assert code == 0, io.err
    doc = json.loads(out.read_text())
    assert doc["frames"] == 24 and doc["fps"] == 24.0
    assert doc["shots"] == [{"start": 0, "end": 11}, {"start": 12, "end": 23}]
    assert doc["transitions"] == [{"kind": "cut", "start": 11, "end": 12}]
    assert not list(tmp_path.glob("*.part"))


def test_cli_one_frame_video_is_one_shot(tmp_path, capsys):
    video = write_video(tmp_path / "one.mp4", [_texture(6)[:90, :160].astype(np.uint8)], 24)
    out = tmp_path / "shots.json"
    code, io = _run(["shots", str(video), "-o", str(out)], capsys)
    assert code == 0, io.err
    doc = json.loads(out.read_text())
    assert doc["frames"] == 1 and doc["shots"] == [{"start": 0, "end": 0}] and doc["transitions"] == []


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.mp4", "no such file"),
    (lambda d: (d / "notes.mp4").write_text("not a video") and d / "notes.mp4", "not a video"),
    (lambda d: write_audio_only(d / "sound.wav"), "audio only"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, make, message):
    src = make(tmp_path)
    out = tmp_path / "shots.json"
    code, io = _run(["shots", str(src), "-o", str(out)], capsys)
    assert code == 2
    lines = io.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and src.name in lines[0]
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_cli_unknown_engine(tmp_path, capsys):
    video = write_video(tmp_path / "v.mp4", [f.astype(np.uint8) for f in _pan(_texture(7), 4)], 24)
    code, io = _run(["shots", str(video), "-o", str(tmp_path / "s.json"), "--engine", "nope"], capsys)
    assert code == 2 and "histogram" in io.err

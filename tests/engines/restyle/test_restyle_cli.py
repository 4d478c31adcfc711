"""``storyloom styles`` and ``storyloom restyle`` as a user runs them."""
from __future__ import annotations

import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.engines.restyle import STYLES, style_names
from storyloom.media import probe, read_frames, write_video


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr()


def _video(path, n=6, audio=True):
    import cv2
    rng = np.random.default_rng(2)
    tex = cv2.resize(rng.random((10, 16, 3)).astype(np.float32), (200, 96), interpolation=cv2.INTER_CUBIC)
    tex = (tex.clip(0, 1) * 255).astype(np.uint8)
    frames = [tex[3:93, 2 * i:2 * i + 160] for i in range(n)]
    tone = (0.2 * np.sin(np.arange(int(48000 * n / 24)) * 2 * np.pi * 440 / 48000)).astype(np.float32)
    return write_video(path, frames, 24, audio=np.stack([tone, tone]) if audio else None)


def test_styles_lists_every_style_with_a_description(capsys):
    code, io = _run(["styles"], capsys)
    assert code == 0
    lines = io.out.strip().splitlines()
    assert len(lines) == len(STYLES) >= 20
    for line, name in zip(lines, style_names()):
        first, rest = line.split(maxsplit=1)
        assert first == name and rest == STYLES[name].description


def test_restyle_writes_video_with_sound(tmp_path, capsys):
    src = _video(tmp_path / "in.mp4")
    out = tmp_path / "out.mp4"
    code, io = _run(["restyle", str(src), "--style", "film-noir", "--strength", "0.9", "--crf", "20",
                     "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 6 and (info.width, info.height) == (160, 90) and info.has_audio
    frames = np.stack(read_frames(out)).astype(np.int16)
    # film noir at 0.9: close to grey (a tenth of the colour remains)
    assert np.abs(frames[..., 0] - frames[..., 2]).mean() < 12
    assert "6 frames in film-noir" in io.out


@pytest.mark.parametrize("args, message", [
    (["--style", "vaporwave"], "style 'vaporwave': unknown (choose from: impressionist, ukiyo-e"),
    (["--style", "sepia", "--strength", "2"], "strength 2: must be 0..1"),
    (["--style", "sepia", "MISSING"], "no such file"),
    (["--style", "sepia", "--engine", "nope"], "no restyle engine named 'nope'"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, args, message):
    src = _video(tmp_path / "in.mp4", n=2, audio=False)
    if "MISSING" in args:
        src = tmp_path / "missing.mp4"
    args = [a for a in args if a != "MISSING"]
    out = tmp_path / "out.mp4"
    code, io = _run(["restyle", str(src), *args, "-o", str(out)], capsys)
    assert code == 2
    lines = io.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], io.err
    assert not out.exists()


def test_unknown_style_lists_all_names(tmp_path, capsys):
    src = _video(tmp_path / "in.mp4", n=2, audio=False)
    code, io = _run(["restyle", str(src), "--style", "nope", "-o", str(tmp_path / "o.mp4")], capsys)
    assert code == 2 and all(n in io.err for n in style_names())

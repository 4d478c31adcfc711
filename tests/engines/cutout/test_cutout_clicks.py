"""Correcting clicks on frames other than the prompt's: a negative click removes a region
the cutout wrongly took, a positive one adds a part it missed — from that frame on in
both directions, measured against the clip's exact truth; and the CLI's ``--click``."""
from __future__ import annotations

import json

import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.engines.cutout import cut_out
from storyloom.media import read_frames, write_video

N = 12
#: the red block's left edge on frame t, and the blue block's centre (it sits right of the red one)
RED_X = lambda t: 30 + 2 * t       # noqa: E731
BLUE_CX = lambda t: RED_X(t) + 30  # noqa: E731


def _two_blocks():
    """160x90, N frames: a red block and a blue block side by side (touching), moving right
    2 px a frame over a static noisy backdrop. Truth masks of each block."""
    import cv2
    rng = np.random.default_rng(0)
    bg = cv2.GaussianBlur((rng.random((90, 160, 3)) * 90 + 40).astype(np.uint8), (0, 0), 1.5)
    frames, red, blue = [], [], []
    for t in range(N):
        f, x = bg.copy(), RED_X(t)
        r, b = np.zeros((90, 160), bool), np.zeros((90, 160), bool)
        r[30:56, x:x + 20], b[30:56, x + 20:x + 40] = True, True
        f[r], f[b] = (225, 60, 40), (40, 80, 225)
        frames.append(f)
        red.append(r)
        blue.append(b)
    return np.stack(frames), np.stack(red), np.stack(blue)


def _iou(alpha, truth) -> np.ndarray:
    m = alpha >= 128
    return np.array([(a & t).sum() / max(1, (a | t).sum()) for a, t in zip(m, truth)])


@pytest.fixture(scope="module")
def blocks():
    return _two_blocks()


BOX = (26, 26, 74, 60)   # around both blocks on frame 0


def test_negative_click_on_a_later_frame_removes_the_wrong_part(blocks):
    frames, red, blue = blocks
    both = cut_out(frames, box=BOX, engine="matting")
    assert _iou(both, red | blue).mean() > 0.9          # the box took both blocks
    fixed = cut_out(frames, box=BOX, clicks=[(6, BLUE_CX(6), 43, False)], engine="matting")
    iou = _iou(fixed, red)
    print("red IoU per frame after the negative click on frame 6:", iou.round(2))
    # every frame but the box's own now holds the red block alone, before frame 6 as well
    assert iou[1:].min() > 0.85 and _iou(both, red)[1:].max() < 0.65


def test_positive_click_on_a_later_frame_adds_the_missed_part(blocks):
    frames, red, blue = blocks
    only_red = cut_out(frames, clicks=[(0, RED_X(0) + 10, 43)], engine="matting")
    assert _iou(only_red, red).mean() > 0.9 and _iou(only_red, red | blue).max() < 0.65
    fixed = cut_out(frames, clicks=[(0, RED_X(0) + 10, 43), (8, BLUE_CX(8), 43, True)], engine="matting")
    iou = _iou(fixed, red | blue)
    print("both-blocks IoU per frame after the positive click on frame 8:", iou.round(2))
    assert iou[1:].min() > 0.85


def test_cli_click_option(blocks, tmp_path, capsys):
    frames, red, blue = blocks
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    out = tmp_path / "red.webm"
    code = main(["cutout", str(video), "--box", ",".join(map(str, BOX)), "--click", f"{BLUE_CX(6)},43,6,-",
                 "-o", str(out)])
    io = capsys.readouterr()
    assert code == 0, io.err
    alpha = np.stack([f[..., 3] for f in read_frames(out, alpha=True)])
    assert _iou(alpha, red)[1:].min() > 0.8


@pytest.mark.parametrize("click, message", [
    ("40,43,x,-", "--click 40,43,x,-: need X,Y[,FRAME][,+|-]"),
    ("40,43,99,-", "frame 99: the video has frames 0..11"),
    ("400,43,3,+", "outside the 160x90 frame"),
])
def test_cli_bad_click(blocks, tmp_path, capsys, click, message):
    frames, _, _ = blocks
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    out = tmp_path / "o"
    code = main(["cutout", str(video), "--point", "40,43", "--click", click, "-o", str(out)])
    io = capsys.readouterr()
    assert code == 2 and message in io.err and len(io.err.strip().splitlines()) == 1, io.err
    assert not out.exists()


def test_only_negative_clicks_are_refused(blocks, tmp_path, capsys):
    frames, _, _ = blocks
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    code = main(["cutout", str(video), "--click", "40,43,2,-", "-o", str(tmp_path / "o")])
    assert code == 2 and "give --point" in capsys.readouterr().err


def test_python_extract_layer_takes_corrections(blocks, tmp_path):
    # the library door: a correcting click on frame 6 is kept in the operation and named in
    # the history, and the exported layer holds the red block alone
    from storyloom import Project
    frames, red, blue = blocks
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    film = Project.create(tmp_path / "lib", size="160x90", fps=24)
    (shot,) = film.import_footage(video)
    lid = shot.extract_layer(box=BOX, clicks=[(BLUE_CX(6), 43, False, 6)], engine="matting")
    (op,) = next(layer for layer in shot.doc.layers if layer.id == lid).operations
    assert [(c.frame, c.positive) for c in op.clicks if c.frame] == [(6, False)]
    assert "1 correction (frame 6)" in film.history()[0].summary
    manifest = json.loads(film.export_layers(tmp_path / "layers", "png").read_text())
    (fg,) = [layer for layer in manifest["shots"][0]["layers"] if layer["id"] == lid]
    folder = tmp_path / "layers" / fg["files"].split("/")[0]
    import cv2
    alpha = np.stack([cv2.imread(str(p), cv2.IMREAD_UNCHANGED)[..., 3] for p in sorted(folder.glob("*.png"))])
    assert _iou(alpha, red)[1:].min() > 0.8

"""``storyloom cutout``: writes RGBA layers (PNG folder, .webm, a still), and turns bad
input into one line and exit code 2 with nothing written."""
from __future__ import annotations

import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.media import probe, read_frames, write_video


def _object_clip(n: int = 8) -> list[np.ndarray]:
    """160x90: an orange disc moving 3 px a frame over a flat grey-blue backdrop."""
    import cv2
    frames = []
    for t in range(n):
        f = np.full((90, 160, 3), (70, 90, 120), np.uint8)
        cv2.circle(f, (50 + 3 * t, 45), 18, (235, 140, 30), -1, lineType=cv2.LINE_AA)
        frames.append(f)
    return frames


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("cutout") / "disc.mp4", _object_clip(), 24)


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr()


def test_point_to_png_folder(video, tmp_path, capsys):
    out = tmp_path / "layer"
    code, io = _run(["cutout", video, "--point", "50,45", "-o", out], capsys)
    assert code == 0, io.err
    assert "wrote" in io.out and "8 frames" in io.out
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 8
    from storyloom.media import read_image
    last = read_image(pngs[-1])
    assert last.shape == (90, 160, 4)
    assert last[45, 50 + 21, 3] > 200 and last[45, 140, 3] < 30 and last[5, 5, 3] < 30   # disc moved 21 px


def test_box_to_webm_with_alpha(video, tmp_path, capsys):
    out = tmp_path / "disc.webm"
    code, io = _run(["cutout", video, "--box", "28,23,72,67", "--frame", "2", "-o", out], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.has_alpha and info.frames == 8 and (info.width, info.height) == (160, 90)
    f = read_frames(out, alpha=True)[4]
    assert f[45, 62, 3] > 200 and f[45, 150, 3] < 30


def test_still_picture(tmp_path, capsys):
    from PIL import Image
    img = tmp_path / "still.png"
    Image.fromarray(_object_clip(1)[0]).save(img)
    out = tmp_path / "still_layer"
    code, io = _run(["cutout", img, "--point", "50,45", "--negative", "5,5", "-o", out], capsys)
    assert code == 0, io.err
    assert len(list(out.glob("*.png"))) == 1 and "1 frame," in io.out


@pytest.mark.parametrize("args, message", [
    (["--point", "200,45"], "outside the 160x90 frame"),
    (["--point", "50,45", "--frame", "8"], "frame 8: the video has frames 0..7"),
    (["--point", "150,80"], "covers"),                       # the flat backdrop: nothing stands out
    (["--box", "30,30,30,60"], "has no area"),
    (["--point", "50,45", "--engine", "nope"], "no segment engine named 'nope'"),
    (["--point", "50"], "--point 50: need X,Y"),
    ([], "give --point X,Y or --box"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(video, tmp_path, capsys, args, message):
    out = tmp_path / "out.webm"
    code, io = _run(["cutout", video, *args, "-o", out], capsys)
    assert code == 2
    assert message in io.err and len(io.err.strip().splitlines()) == 1, io.err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_output_kind(video, tmp_path, capsys):
    code, io = _run(["cutout", video, "--point", "50,45", "-o", tmp_path / "x.mp4"], capsys)
    assert code == 2 and "folder, .webm or .mov" in io.err and not (tmp_path / "x.mp4").exists()


@pytest.fixture(scope="module")
def still(tmp_path_factory):
    from PIL import Image
    img = tmp_path_factory.mktemp("still") / "still.png"
    Image.fromarray(_object_clip(1)[0]).save(img)
    return img


@pytest.mark.parametrize("args, message", [
    (["--point", "50,45", "--frame", "1"], "still.png: frame 1: the video has frames 0..0 (a picture is one frame, 0)"),
    (["--point", "-3,45"], "still.png: point (-3, 45): outside the 160x90 frame"),
    (["--point", "150,80"], "nothing stands out there"),
    (["--box", "10,10,60,10"], "has no area"),
])
def test_bad_input_on_a_still(still, tmp_path, capsys, args, message):
    out = tmp_path / "layer"
    code, io = _run(["cutout", still, *args, "-o", out], capsys)
    assert code == 2 and message in io.err and len(io.err.strip().splitlines()) == 1, io.err
    assert list(tmp_path.iterdir()) == []


def test_point_on_textured_ground_in_a_still_is_refused(tmp_path, capsys):
    """Textured ground has edges everywhere: what makes an object is colours of its own."""
    from PIL import Image
    rng = np.random.default_rng(1)
    import cv2
    ground = cv2.GaussianBlur((rng.random((90, 160, 3)) * 120 + 60).astype(np.uint8), (0, 0), 1.2)
    cv2.circle(ground, (40, 45), 15, (230, 60, 40), -1, lineType=cv2.LINE_AA)
    img = tmp_path / "ground.png"
    Image.fromarray(ground).save(img)
    ok = _run(["cutout", img, "--point", "40,45", "-o", tmp_path / "disc"], capsys)
    assert ok[0] == 0, ok[1].err
    code, io = _run(["cutout", img, "--point", "120,30", "-o", tmp_path / "ground"], capsys)
    assert code == 2 and "nothing stands out" in io.err and not (tmp_path / "ground").exists()


def test_output_in_a_missing_folder_or_already_there(video, tmp_path, capsys):
    code, io = _run(["cutout", video, "--point", "50,45", "-o", tmp_path / "nowhere" / "x.webm"], capsys)
    assert code == 2 and "does not exist" in io.err and not (tmp_path / "nowhere").exists()
    (tmp_path / "x.webm").write_bytes(b"mine")
    code, io = _run(["cutout", video, "--point", "50,45", "-o", tmp_path / "x.webm"], capsys)
    assert code == 2 and "already exists" in io.err and (tmp_path / "x.webm").read_bytes() == b"mine"


def test_soft_edge_carries_the_objects_colour_not_the_old_background(video, tmp_path, capsys):
    """The disc's anti-aliased rim is written in the disc's orange, not orange mixed with
    the grey-blue backdrop, so it does not fringe a new background."""
    out = tmp_path / "layer"
    code, io = _run(["cutout", video, "--point", "50,45", "-o", out], capsys)
    assert code == 0, io.err
    from storyloom.media import read_image
    f = read_image(sorted(out.glob("*.png"))[0])
    rim = (f[..., 3] > 20) & (f[..., 3] < 235)
    assert rim.sum() > 20
    orange, backdrop = np.array([235, 140, 30]), np.array([70, 90, 120])
    rgb = f[..., :3][rim].astype(np.float32)
    assert np.abs(rgb - orange).mean() < 0.5 * np.abs(rgb - backdrop).mean()

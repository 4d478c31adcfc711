"""``storyloom camera``: stills and videos in, moving video out, scored by the yardstick's
``score.py motion``; the move list; bad input is one line and exit code 2."""
import cv2
import numpy as np
import pytest

from storyloom.cli.main import main
from storyloom.engines.camera import MOVES
from storyloom.media import probe, read_frames, write_video

W, H = 192, 108


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr()


@pytest.fixture
def still(tmp_path, texture):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), texture(W, H, seed=11)[:, :, ::-1])
    return path


@pytest.fixture
def photo(tmp_path):
    """scikit-image's bundled astronaut at 320x180: corners enough for score.py's ORB features."""
    from skimage import data
    img = cv2.resize(data.astronaut()[56:456], (320, 180), interpolation=cv2.INTER_AREA)
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), img[:, :, ::-1])
    return path


@pytest.mark.parametrize("move, key, sign", [
    ("pan-left", "dx_per_frame", 1), ("pan-right", "dx_per_frame", -1),
    ("tilt-up", "dy_per_frame", 1), ("crane-down", "dy_per_frame", -1),
    ("push-in", "zoom_per_frame", 1), ("pull-out", "zoom_per_frame", -1),
    ("orbit-left", "dx_per_frame", 1), ("roll-left", "rotation_deg_per_frame", 1),
    ("roll", "rotation_deg_per_frame", -1),
])
def test_still_to_video_scored_by_yardstick(tmp_path, photo, capsys, yardstick, move, key, sign):
    out = tmp_path / f"{move}.mp4"
    code, io = _run(["camera", str(photo), "--move", move, "--amount", "0.3", "--seconds", "1",
                     "--fps", "12", "--ease", "linear", "--crf", "12", "--no-parallax", "-o", str(out)], capsys)
    assert code == 0, io.err
    assert "12 frames at 12 fps" in io.out and io.err == ""
    info = probe(out)
    assert info.frames == 12 and (info.width, info.height) == (320, 180) and abs(info.fps - 12) < 0.01
    got = yardstick.score.score_motion(out)
    print(move, got)
    value = got[key] - (1.0 if key == "zoom_per_frame" else 0.0)
    assert value * sign > 0, got
    want = {"dx_per_frame": 0.3 * 320 / 11, "dy_per_frame": 0.3 * 180 / 11,
            "zoom_per_frame": 1.3 ** (1 / 11) - 1, "rotation_deg_per_frame": 0.3 * 45 / 11}[key]
    # ORB features on a small H.264 picture: the size within a third
    assert abs(abs(value) - want) < want / 3, (got, want)


def test_photo_move_default_length_and_parallax(tmp_path, capsys):
    from camera_media import salient_still
    img, _ = salient_still()
    src = tmp_path / "photo.png"
    cv2.imwrite(str(src), img[:, :, ::-1])
    out = tmp_path / "photo.mp4"
    code, io = _run(["camera", str(src), "--move", "push-in", "-o", str(out)], capsys)
    assert code == 0, io.err
    assert "subject by saliency" in io.out and io.err == ""     # MediaPipe's logs are kept off stderr
    assert probe(out).frames == 72                               # 3 s at 24 fps by default


def test_video_keeps_length_rate_and_sound(tmp_path, capsys, texture):
    tex = texture(W, H, seed=12)
    tone = (0.2 * np.sin(np.arange(48000) * 2 * np.pi * 440 / 48000)).astype(np.float32)
    src = write_video(tmp_path / "in.mp4", [tex] * 24, 24, audio=np.stack([tone, tone]))
    out = tmp_path / "out.mp4"
    code, io = _run(["camera", str(src), "--move", "shake", "--amount", "0.5", "--seed", "3", "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert info.frames == 24 and info.has_audio
    frames = read_frames(out)
    assert np.abs(frames[5].astype(int) - frames[15]).mean() > 2     # it shakes
    # the same seed again: the same shake
    out2 = tmp_path / "out2.mp4"
    assert _run(["camera", str(src), "--move", "shake", "--amount", "0.5", "--seed", "3", "-o", str(out2)],
                capsys)[0] == 0
    # (H.264 with threads is not bit-exact run to run: compare the pictures, not the bytes)
    assert np.abs(np.stack(read_frames(out2)).astype(int) - np.stack(frames)).mean() < 0.5


def test_list_names_every_move(capsys):
    code, io = _run(["camera", "--list"], capsys)
    assert code == 0
    listed = [line.split()[0] for line in io.out.strip().splitlines()]
    assert listed == list(MOVES)
    code, io = _run(["camera", "--help"], capsys)
    assert code == 0 and "orbit-left" in io.out and "--parallax" in io.out


@pytest.mark.parametrize("args, message", [
    (["--move", "zoom"], "--move zoom: unknown (choose from: pan-left, pan-right"),
    (["--move", "pan-left", "--amount", "0"], "--amount 0: must be above 0 and at most 1 for pan-left"),
    (["--move", "pan-left", "--amount", "1.5"], "at most 1 for pan-left"),
    (["--move", "push-in", "--amount", "-1"], "must be above 0"),
    (["--move", "pan-left", "--seconds", "0"], "--seconds 0: must be above 0"),
    (["--move", "pan-left", "--seconds", "-2"], "--seconds -2: must be above 0"),
    (["--move", "pan-left", "--fps", "0"], "--fps 0: must be above 0"),
    (["--move", "pan-left", "--ease", "bounce"], "ease 'bounce' unknown"),
    (["--move", "pan-left", "VIDEO", "--seconds", "2"], "--seconds and --fps are for stills"),
    (["--move", "pan-left", "MISSING"], "no such file"),
    ([], "give --move"),
    (["--move", "pan-left", "TEXT"], "text.txt"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, still, capsys, texture, args, message):
    src = still
    if "VIDEO" in args:
        src = write_video(tmp_path / "v.mp4", [texture(W, H)] * 3, 24)
    if "MISSING" in args:
        src = tmp_path / "missing.png"
    if "TEXT" in args:
        src = tmp_path / "text.txt"
        src.write_text("not a picture")
    args = [a for a in args if a not in ("VIDEO", "MISSING", "TEXT")]
    out = tmp_path / "out.mp4"
    code, io = _run(["camera", str(src), *args, "-o", str(out)], capsys)
    assert code == 2, (io.out, io.err)
    lines = io.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], io.err
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_large_still_is_scaled_to_hd(tmp_path, capsys, texture):
    src = tmp_path / "big.png"
    cv2.imwrite(str(src), cv2.resize(texture(W, H, seed=13), (2400, 1350), interpolation=cv2.INTER_CUBIC))
    out = tmp_path / "big.mp4"
    code, io = _run(["camera", str(src), "--move", "pan-left", "--seconds", "0.25", "--fps", "8",
                     "--no-parallax", "-o", str(out)], capsys)
    assert code == 0, io.err
    info = probe(out)
    assert (info.width, info.height) == (1920, 1080) and info.frames == 2

"""Alpha layers survive export and re-import; rotated phone videos decode upright."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest

from storyloom.media import frames_at, probe, read_frames, read_image, write_alpha, write_video

from conftest import FPS, H, W


def rgba_frames(n: int = 6) -> list[np.ndarray]:
    """Colour ramps with a per-frame alpha: left half opaque, right half alpha 20+40*i."""
    out = []
    for i in range(n):
        f = np.zeros((H, W, 4), np.uint8)
        f[..., 0] = 200
        f[..., 1] = 30 * i
        f[..., 2] = 90
        f[:, : W // 2, 3] = 255
        f[:, W // 2:, 3] = 20 + 40 * i
        out.append(f)
    return out


def check_alpha(frames: list[np.ndarray], tol: float) -> None:
    src = rgba_frames()
    assert len(frames) == len(src)
    for i, (got, want) in enumerate(zip(frames, src)):
        assert got.shape == (H, W, 4)
        # compare away from the opaque/transparent edge (chroma subsampling blurs it)
        right = got[4:-4, W // 2 + 4: -4, 3].astype(float)
        left = got[4:-4, 4: W // 2 - 4, 3].astype(float)
        assert abs(right.mean() - (20 + 40 * i)) <= tol, (i, right.mean())
        assert left.mean() >= 255 - tol
        assert abs(got[4:-4, 4:W // 2 - 4, 1].astype(float).mean() - 30 * i) <= 4


@pytest.mark.parametrize("suffix,tol", [(".webm", 3.0), (".mov", 1.0)])
def test_alpha_video_roundtrip(tmp_path, suffix, tol):
    path = write_alpha(tmp_path / f"layer{suffix}", rgba_frames(), fps=FPS)
    info = probe(path)
    assert info.has_alpha is True
    assert info.frames == 6 and (info.width, info.height) == (W, H)
    check_alpha(read_frames(path, alpha=True), tol)
    # a seek into the middle keeps alpha too (fresh libvpx decoder after the seek for webm)
    mid = read_frames(path, 4, 6, alpha=True)
    assert abs(mid[0][4:-4, W // 2 + 4:-4, 3].mean() - 180) <= tol
    # and sampling by time
    at = list(frames_at(path, [0.0, 5 / FPS], alpha=True))
    assert abs(at[1][4:-4, W // 2 + 4:-4, 3].mean() - 220) <= tol


def test_alpha_png_folder_roundtrip(tmp_path):
    folder = write_alpha(tmp_path / "layer", rgba_frames(), fps=FPS)
    files = sorted(folder.glob("*.png"))
    assert [p.name for p in files] == [f"{i:05d}.png" for i in range(6)]
    assert all(probe(p).has_alpha for p in files)
    check_alpha([read_image(p) for p in files], tol=0.0)


def test_opaque_video_has_no_alpha(tmp_path):
    path = write_video(tmp_path / "o.webm", [f[..., :3] for f in rgba_frames()], fps=FPS, alpha=False)
    info = probe(path)
    assert info.has_alpha is False
    assert read_frames(path, 0, 1, alpha=True)[0][..., 3].min() == 255


def _marked_frames(n: int = 6) -> list[np.ndarray]:
    # stored picture: red block at the top-left corner, rest dark grey
    out = []
    for _ in range(n):
        f = np.full((H, W, 3), 40, np.uint8)
        f[:12, :12] = (255, 0, 0)
        out.append(f)
    return out


def test_rotated_video_decodes_upright(tmp_path):
    from imageio_ffmpeg import get_ffmpeg_exe
    exe = get_ffmpeg_exe()
    plain = write_video(tmp_path / "plain.mp4", _marked_frames(), fps=FPS)
    rot = tmp_path / "rot.mp4"
    # display matrix: turn 90 degrees counter-clockwise to show (a phone held sideways)
    subprocess.run([exe, "-y", "-v", "error", "-display_rotation", "90", "-i", str(plain),
                    "-c", "copy", str(rot)], check=True)
    info = probe(rot)
    assert (info.width, info.height) == (H, W)  # as displayed: portrait
    assert info.rotation == 270  # clockwise degrees, i.e. 90 counter-clockwise
    frame = read_frames(rot, 0, 1)[0]
    assert frame.shape == (W, H, 3)
    # ffmpeg's own auto-rotation is the reference for "upright"
    ref = subprocess.run([exe, "-v", "error", "-i", str(rot), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    ref = np.frombuffer(ref, np.uint8).reshape(W, H, 3)
    assert np.abs(frame.astype(int) - ref.astype(int)).mean() < 2
    # counter-clockwise turn moves the top-left marker to the bottom-left
    assert frame[-6, 6, 0] > 200 and frame[6, 6, 0] < 100
    at = next(frames_at(rot, [0.1]))
    assert at.shape == (W, H, 3) and at[-6, 6, 0] > 200
    # middle-of-file seek path keeps the rotation
    assert read_frames(rot, 3, 4)[0].shape == (W, H, 3)
    # so does the one-pass reader the importer makes thumbnails with (width: as displayed)
    from storyloom.media import frames_by_index
    small = frames_by_index(rot, [2], width=H // 2)[2]
    assert small.shape == (W // 2, H // 2, 3) and small[-3, 3, 0] > 200 and small[3, 3, 0] < 100

"""Stills as layers: upright per EXIF orientation, alpha kept for PNG and WebP."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from storyloom.media import frames_at, probe, read_frames, read_image

# stored picture 40 wide x 20 high, red marker in the top-left corner, blue elsewhere
SW, SH = 40, 20


def stored(mode: str = "RGB") -> Image.Image:
    a = np.zeros((SH, SW, 4), np.uint8)
    a[...] = (0, 0, 255, 255)
    a[:6, :6] = (255, 0, 0, 255)
    a[:, SW // 2:, 3] = 100  # right half half-transparent
    return Image.fromarray(a if mode == "RGBA" else a[..., :3].copy())


def with_orientation(im: Image.Image, value: int) -> Image.Image.Exif:
    exif = im.getexif()
    exif[0x0112] = value
    return exif


def test_png_alpha_kept(tmp_path):
    p = tmp_path / "sticker.png"
    stored("RGBA").save(p)
    info = probe(p)
    assert (info.kind, info.width, info.height, info.has_alpha) == ("image", SW, SH, True)
    img = read_image(p)
    assert img.shape == (SH, SW, 4)
    assert img[10, 5, 3] == 255 and img[10, 35, 3] == 100
    # as a layer source, frames/frames_at give the still (RGB by default)
    assert read_frames(p)[0].shape == (SH, SW, 3)
    assert [f[0, 0].tolist() for f in frames_at(p, [0.0, 3.0], alpha=True)] == [[255, 0, 0, 255]] * 2


@pytest.mark.parametrize("suffix,fmt,alpha", [(".jpg", "JPEG", False), (".webp", "WEBP", True)])
def test_exif_orientation_upright(tmp_path, suffix, fmt, alpha):
    p = tmp_path / f"phone{suffix}"
    im = stored("RGBA" if alpha else "RGB")
    # 6 = "turn 90 degrees clockwise to display"
    kw = {"lossless": True} if fmt == "WEBP" else {"quality": 95}
    im.save(p, fmt, exif=with_orientation(im, 6), **kw)
    info = probe(p)
    assert (info.width, info.height) == (SH, SW)  # as shown: portrait
    assert info.has_alpha is alpha
    img = read_image(p)
    assert img.shape == (SW, SH, 4)
    # a clockwise quarter turn moves the top-left marker to the top-right
    assert img[2, SH - 3, 0] > 200 and img[2, 2, 0] < 60 and img[2, 2, 2] > 200
    if alpha:
        # the stored right half (alpha 100) is now the bottom half
        assert img[SW - 3, 5, 3] == 100 and img[2, 5, 3] == 255
    else:
        assert img[..., 3].min() == 255

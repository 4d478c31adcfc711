"""Compositor pixels against hand-computed values."""
import numpy as np
import pytest

from storyloom.model.animation import Key, Param
from storyloom.model.document import ColorSource, Layer, Project
from storyloom.render import composite_frame, render_shot
from storyloom.render.compositor import LayerImage


def solid(w, h, rgba):
    img = np.empty((h, w, 4), np.uint8)
    img[...] = rgba
    return img


def test_half_red_over_blue_exact():
    out = composite_frame(8, 6, [LayerImage(solid(8, 6, (0, 0, 255, 255))),
                                 LayerImage(solid(8, 6, (255, 0, 0, 255)), opacity=0.5)])
    # 0.5 red over blue: (127.5, 0, 127.5)
    assert np.abs(out.astype(int) - [127.5, 0, 127.5]).max() <= 1
    assert (out == out[0, 0]).all()


def test_straight_alpha_source_is_premultiplied():
    out = composite_frame(4, 4, [LayerImage(solid(4, 4, (0, 0, 200, 255))),
                                 LayerImage(solid(4, 4, (255, 255, 255, 64)))])
    # 64/255 white over (0,0,200)
    a = 64 / 255
    assert np.abs(out[0, 0].astype(float) - [255 * a, 255 * a, 255 * a + 200 * (1 - a)]).max() <= 1


@pytest.mark.parametrize("blend,expected", [
    ("multiply", [200 * 100 / 255, 100 * 200 / 255, 50 * 250 / 255]),
    ("screen", [100 + 200 * 155 / 255, 200 + 100 * 55 / 255, 250 + 50 * 5 / 255]),
    ("add", [255, 255, 255]),
    ("normal", [200, 100, 50]),
])
def test_blend_modes(blend, expected):
    out = composite_frame(4, 4, [LayerImage(solid(4, 4, (100, 200, 250, 255))),
                                 LayerImage(solid(4, 4, (200, 100, 50, 255)), blend=blend)])
    assert np.abs(out[1, 1].astype(float) - expected).max() <= 1


def test_add_below_saturation_and_half_multiply():
    base = LayerImage(solid(4, 4, (100, 100, 100, 255)))
    out = composite_frame(4, 4, [base, LayerImage(solid(4, 4, (100, 50, 20, 255)), blend="add")])
    assert out[0, 0].tolist() == [200, 150, 120]
    # multiply at opacity 0.5: S*D + D*(1-a) with S = 0.5*(200,100,50)
    out = composite_frame(4, 4, [base, LayerImage(solid(4, 4, (200, 100, 50, 255)), blend="multiply",
                                                  opacity=0.5)])
    exp = np.array([100, 50, 25]) * 100 / 255 + 100 * 0.5
    assert np.abs(out[0, 0].astype(float) - exp).max() <= 1


def test_small_layer_blends_only_its_box():
    sq = solid(4, 4, (255, 255, 255, 255))
    out = composite_frame(20, 10, [LayerImage(sq, fit="none", x=3, y=-2)])
    ys, xs = np.nonzero(out[:, :, 0])
    # centre (10+3, 5-2) -> columns 11..14, rows 1..4
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (11, 14, 1, 4)


def test_rotation_counter_clockwise():
    bar = solid(8, 2, (255, 255, 255, 255))   # horizontal bar, offset right of centre
    out = composite_frame(40, 40, [LayerImage(bar, fit="none", rotation=90)])
    ys, xs = np.nonzero(out[:, :, 0] > 128)
    assert xs.max() - xs.min() < ys.max() - ys.min()   # now vertical
    # a point right of centre turns upward (counter-clockwise on screen)
    marker = solid(9, 1, (0, 0, 0, 0))
    marker[0, 8] = (255, 255, 255, 255)
    out = composite_frame(41, 41, [LayerImage(marker, fit="none", rotation=90)])
    ys, xs = np.nonzero(out[:, :, 0] > 60)
    assert ys.mean() < 20 and abs(xs.mean() - 20.5) < 1.5


def test_keyframed_position_and_opacity_through_render_shot():
    p = Project(title="t", fps=2)
    p.size.width, p.size.height = 64, 48
    shot = p.add_scene("s").add_shot(duration=1.0)
    shot.add_layer(Layer(source=ColorSource(color="#000000")))
    layer = shot.add_layer(Layer(source=ColorSource(color="#ffffff"), fit="none"))
    layer.transform.scale = Param(value=0.25)          # 16x12 white box
    layer.transform.x = Param(keys=[Key(t=0, v=0), Key(t=1, v=20)])
    layer.transform.opacity = Param(value=0.5)
    clip = render_shot(None, p, shot)
    assert clip.frames.shape == (2, 48, 64, 3)
    f = clip.frames[1].astype(int)                     # t = 0.5: x = 10, halfway
    cols = np.nonzero(f[24, :, 0] > 60)[0]
    assert (cols.min(), cols.max()) == (32 + 10 - 8, 32 + 10 + 7)
    assert abs(f[24, 42, 0] - 127.5) <= 1              # opacity 0.5 over black
    cols0 = np.nonzero(clip.frames[0][24, :, 0] > 60)[0]
    assert (cols0.min(), cols0.max()) == (24, 39)

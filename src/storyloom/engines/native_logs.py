"""Keep native libraries' log lines off a CLI's stderr.

MediaPipe's C++/TFLite side writes to file descriptor 2 on every model load ("Created
TensorFlow Lite XNNPACK delegate", "Feedback manager requires ..."); a command's stderr
should hold only its own one-line messages.

    >>> with quiet_native_logs():
    ...     pass
"""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def quiet_native_logs():
    """Send what native code writes to stderr to /dev/null while the block runs (Python's
    own stderr is flushed first, so nothing of ours is lost)."""
    import os
    import sys
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)

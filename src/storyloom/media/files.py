"""Writing files so that nothing half-written is ever left: write beside, then rename.

    >>> with atomic_write("shots.json") as tmp:      # doctest: +SKIP
    ...     tmp.write_text("{}")
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator


def temp_beside(path, suffix: str = ".part", folder: bool = False) -> Path:
    """A new empty temporary file (or folder) in ``path``'s folder, hidden by a leading dot,
    so renaming it onto ``path`` is atomic (one file system).

    >>> temp_beside("/tmp/out.mp4").name.startswith(".out.mp4.")   # doctest: +SKIP
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        return Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def discard(tmp) -> None:
    """Remove a temporary file or folder made by ``temp_beside`` (gone already is fine)."""
    tmp = Path(tmp)
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            tmp.unlink()


def commit(tmp, path) -> Path:
    """Rename the finished ``tmp`` onto ``path`` (an empty folder in the way is replaced)."""
    path = Path(path)
    if Path(tmp).is_dir() and path.is_dir():
        path.rmdir()   # only an empty one: the caller checked it holds nothing
    os.replace(tmp, path)
    return path


@contextlib.contextmanager
def atomic_write(path, suffix: str = ".part", folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; it becomes ``path`` when the block
    ends without an error and is removed otherwise (Ctrl-C included). ``suffix`` lets
    writers that pick a format by suffix (OpenCV, OTIO) see the right one; ``folder`` gives
    a folder to fill instead of a file.

    >>> with atomic_write(tmp_dir / "frame.png", suffix=".png") as t:   # doctest: +SKIP
    ...     cv2.imwrite(str(t), picture)
    """
    tmp = temp_beside(path, suffix, folder)
    try:
        yield tmp
        commit(tmp, path)
    except BaseException:
        discard(tmp)
        raise


def write_json(path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically; returns ``path``.

    >>> write_json(tmp_dir / "shots.json", {"fps": 24.0})    # doctest: +SKIP
    PosixPath('…/shots.json')
    """
    with atomic_write(path) as tmp:
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1, default=str)
            f.write("\n")
    return Path(path)

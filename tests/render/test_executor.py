"""Render work units run on one small interface: in this process (when their result is
asked for) or on a local process pool; a pool's workers reopen the library by its folder."""
from __future__ import annotations

import os

import pytest

from storyloom.render.executor import InProcess, LocalPool, executor_for, library_ref, open_library
from storyloom.store import Library


def _pid(x):
    return os.getpid(), x * 2


def _fail():
    raise KeyboardInterrupt


def test_in_process_runs_units_here_when_asked():
    with executor_for(0, units=5) as ex:
        assert isinstance(ex, InProcess) and not ex.remote
        fut = ex.submit(_pid, 21)
        assert fut.result() == (os.getpid(), 42)
        with pytest.raises(KeyboardInterrupt):   # an interrupt inside a unit stops the caller
            ex.submit(_fail).result()


def test_local_pool_runs_units_in_other_processes():
    with executor_for(2, units=3) as ex:
        assert isinstance(ex, LocalPool) and ex.remote and ex.workers == 2
        results = [ex.submit(_pid, k).result() for k in range(3)]
    assert [r[1] for r in results] == [0, 2, 4] and all(pid != os.getpid() for pid, _ in results)


def test_a_library_travels_as_its_folder(tmp_path):
    lib = Library.open(tmp_path / "lib")
    ref = library_ref(lib)
    assert ref == ("open", Library, str(lib.root))
    again = open_library(ref)
    assert isinstance(again, Library) and again.root == lib.root and again is not lib
    assert open_library(library_ref(None)) is None

"""Where render work runs: one small ``Executor`` interface, in this process, on a local
process pool (the default) or on Ray (``storyloom.render.cluster``).

A work unit is a plain function and picklable arguments (a shot chunk: the project as
JSON, the chunk's frame range, the ``.npy`` file to fill); ``submit`` returns a future
whose ``result()`` is the function's answer. A large argument every unit shares is
``share``d once (Ray puts it in its object store; the others pass it as it is).

    >>> with executor_for(0) as ex:
    ...     ex.submit(pow, 2, 10).result()
    1024
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Optional


class Executor:
    """Runs work units; use as a context manager (``shutdown`` on leaving)."""

    #: how many units run at once (1: one after another)
    workers: int = 1
    #: units run in other processes: they get what opens the library, not the library
    remote: bool = False
    #: units hand their frames back as arrays (their machine may not see this one's disk)
    returns_arrays: bool = False
    #: at most this many units submitted and not yet taken (None: all at once)
    ahead: Optional[int] = None

    @property
    def label(self) -> str:
        """Where the units run, in words (for messages and job results)."""
        return "this process" if not self.remote else f"a local pool of {self.workers}"

    def share(self, value: Any) -> Any:
        """``value`` as units should receive it when many share it (here: itself)."""
        return value

    def submit(self, fn: Callable, *args: Any) -> Future:
        """Schedule ``fn(*args)``; its future's ``result()`` waits for (or runs) it."""
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop: units not started are dropped, running ones finish."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


class _Deferred(Future):
    """A future that runs its function in the caller's thread when its result is asked for:
    in-process units run in order of use, so at most one is in memory at a time."""

    def __init__(self, fn: Callable, args: tuple):
        super().__init__()
        self._call = (fn, args)

    def result(self, timeout: Optional[float] = None) -> Any:
        """Run the function (the first time), then answer as any future."""
        if self._call is not None:
            fn, args = self._call
            self._call = None
            try:
                self.set_result(fn(*args))
            except BaseException as e:  # a Ctrl-C in a unit must stop the render, as any error
                self.set_exception(e)
        return super().result(timeout)


class InProcess(Executor):
    """Every unit in this process, run when its result is first asked for."""

    def submit(self, fn: Callable, *args: Any) -> Future:
        """A future that runs ``fn(*args)`` here when its result is first asked for."""
        return _Deferred(fn, args)


def _pool_context():
    """Fork where the platform has it: spawned workers would re-run the caller's main
    module, which breaks scripts without a ``__main__`` guard, notebooks and stdin."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _exit_with(parent: int) -> None:
    """In a pool worker: leave as soon as the process that made the pool is gone. A render
    killed with SIGKILL runs no clean-up, and its workers would otherwise wait for work
    forever (holding memory and the killed command's output pipes)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="storyloom-parent-watch", daemon=True).start()


class LocalPool(Executor):
    """Units on a pool of ``workers`` local processes (forked where the platform can); the
    workers end with the process that made them, however it ends."""

    remote = True

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                         initializer=_exit_with, initargs=(os.getpid(),))

    def submit(self, fn: Callable, *args: Any) -> Future:
        """``fn(*args)`` on a worker process."""
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        """Stop the pool: queued units are dropped, running ones finish."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """Processes a render uses unless told: two at most (each holds a shot chunk in memory).

    >>> 1 <= default_workers() <= 2
    True
    """
    return min(2, os.cpu_count() or 1)


def executor_for(workers: Optional[int] = None, units: int = 2, ray=None, root=None) -> Executor:
    """The executor for ``workers`` processes (None: ``default_workers()``; 0: this
    process); a render of a single unit runs in this process whatever is asked.
    ``ray`` asks for Ray instead (``storyloom.render.cluster.ray_choice``: an address,
    ``"local"`` or True for a local Ray keeping its files under ``root``, None for
    ``$STORYLOOM_RAY_ADDRESS`` when set, False never).

    >>> isinstance(executor_for(2, units=1, ray=False), InProcess)
    True
    """
    from storyloom.render.cluster import RayExecutor, ray_choice
    address = ray_choice(ray)
    # one unit gains nothing from a cluster: only an explicit request sends it there
    if address is not None and (units > 1 or ray not in (None, False)):
        return RayExecutor(address, root=root, cpus=workers or None)
    workers = default_workers() if workers is None else workers
    if workers > 0 and units > 1:
        return LocalPool(workers)
    return InProcess()


def library_ref(lib) -> tuple:
    """What a worker process needs to open the same library (a library object holds a
    database connection, which must not cross a fork): its class and folder; any other
    object (a test double) travels as it is.

    >>> library_ref(None)
    ('obj', None)
    """
    root, opener = getattr(lib, "root", None), getattr(type(lib), "open", None)
    if root is not None and callable(opener):
        return ("open", type(lib), str(root))
    return ("obj", lib)


def open_library(ref: tuple):
    """The library a ``library_ref`` names (opened again in this process)."""
    if ref[0] == "open":
        return ref[1].open(ref[2])
    return ref[1]

"""Render work on Ray: a local Ray started for the render (bound to 127.0.0.1, no
dashboard, its temporary files and access token inside the library folder), or a cluster
joined by its address. Ray is an optional extra (``pip install 'storyloom[ray]'``).

Units are Ray tasks (one CPU each); a value every unit reads (the project) is put in the
object store once; a unit's frames come back through the object store as an array, so a
node needs no access to this machine's disk for its results (it reads the library's
media from the same path: a shared folder on a cluster).

    >>> with RayExecutor("local", root=lib.root, cpus=2) as ex:    # doctest: +SKIP
    ...     ex.submit(pow, 2, 10).result()
    1024
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Optional, Union

from storyloom.errors import BadInput
from storyloom.render.executor import Executor

#: the cluster renders use when nothing else is said ("local": a Ray of this machine)
ENV = "STORYLOOM_RAY_ADDRESS"
LOCAL = "local"
#: a Unix socket path may hold 107 bytes; Ray's own names under its folder take about 75
_SOCKET_ROOM = 30

_lock = threading.Lock()
_session: Optional[dict] = None   # the Ray this process is connected to (address, owned, folders)


def ray_choice(ray: Union[str, bool, None]) -> Optional[str]:
    """Where a render's units go: None (not Ray), ``"local"`` or a cluster address, from
    a door's request (True or ``""``: a local Ray unless ``$STORYLOOM_RAY_ADDRESS`` names
    one; None: ``$STORYLOOM_RAY_ADDRESS`` when set; False: never Ray).

    >>> ray_choice(False), ray_choice("10.0.0.5:6379"), ray_choice("local")
    (None, '10.0.0.5:6379', 'local')
    """
    if ray is False:
        return None
    env = os.environ.get(ENV, "").strip()
    if ray is None:
        return env or None
    if ray is True or not str(ray).strip():
        return env or LOCAL
    return str(ray).strip()


def _import_ray():
    try:
        import ray
    except ImportError:
        raise BadInput("--ray: Ray is not installed here; install it with pip install 'storyloom[ray]'") from None
    return ray


def _token(folder: Path) -> Path:
    """The local Ray's access token, made once, readable by this user only."""
    path = folder / "auth_token"
    if not path.is_file() or not path.read_text().strip():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path


def _short(folder: Path) -> tuple[Path, Optional[Path]]:
    """``folder`` as Ray may use it (its sockets live below it): itself when its path is
    short enough, else a link to it in the system's temporary folder (removed at shutdown)."""
    if len(str(folder)) <= _SOCKET_ROOM:
        return folder, None
    name = "storyloom-ray-" + hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    link = Path(tempfile.gettempdir()) / name
    for old in link.parent.glob("storyloom-ray-*"):   # links of libraries that are gone
        with contextlib.suppress(OSError):
            if old.is_symlink() and not old.exists():
                old.unlink()
    with contextlib.suppress(FileNotFoundError):
        if link.is_symlink() and Path(os.readlink(link)) != folder:
            link.unlink()
    if not link.is_symlink():
        link.symlink_to(folder, target_is_directory=True)
    return link, link


def _start_local(ray, root, cpus: Optional[int]) -> dict:
    """Start a Ray on this machine: loopback only, no dashboard, no usage report, its
    files (sessions, logs, spilled objects, token) in ``root/cache/ray``."""
    if root is None:
        raise BadInput("--ray: a local Ray keeps its files in the library; no library was given")
    folder = Path(root).resolve() / "cache" / "ray"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("session_2*"):   # sessions of earlier renders (their logs)
        shutil.rmtree(old, ignore_errors=True)
    temp, link = _short(folder)
    package = str(Path(__file__).resolve().parents[2])   # workers import this storyloom
    os.environ.update({
        "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(_token(folder)),
        "RAY_USAGE_STATS_ENABLED": "0",
        # Ray replaces 127.0.0.1 by the machine's address unless it is told this is no cluster
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "PYTHONPATH": os.pathsep.join([package] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                                    if p and p != package]),
    })
    _settings_read_again()
    try:
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
                 _temp_dir=str(temp), log_to_driver=False, configure_logging=False, namespace="storyloom")
    except BaseException:
        if link is not None:
            with contextlib.suppress(OSError):
                link.unlink()
        raise
    atexit.register(disconnect)   # Ray stops its processes at exit too; this also removes the link
    return {"address": LOCAL, "owned": True, "link": link, "folder": folder}


def _settings_read_again() -> None:
    """Make a Ray imported before the settings above were made see them (it reads some at
    import: the cluster switch, the authentication mode and token)."""
    import ray._private.ray_constants as constants
    constants.ENABLE_RAY_CLUSTER = False
    with contextlib.suppress(ImportError, AttributeError):
        from ray._raylet import AuthenticationTokenLoader, Config
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()


def connect(address: str, root=None, cpus: Optional[int] = None) -> dict:
    """Connect this process to Ray once (a local one started under ``root``, or the cluster
    at ``address``); later calls reuse the connection. A Ray connected by someone else
    (a test, a notebook) is used as it is.

    >>> connect("local", lib.root, cpus=2)["address"]      # doctest: +SKIP
    'local'
    """
    global _session
    ray = _import_ray()
    with _lock:
        if ray.is_initialized():
            if _session is None:
                _session = {"address": "(connected)", "owned": False, "link": None}
            elif address not in (_session["address"], LOCAL) and _session["address"] != "(connected)":
                raise BadInput(f"--ray {address}: this process already renders on Ray at "
                               f"{_session['address']}; one cluster per process")
            return _session
        if address == LOCAL:
            _session = _start_local(ray, root, cpus)
        else:
            try:
                ray.init(address=address, log_to_driver=False, configure_logging=False, namespace="storyloom")
            except (ConnectionError, ValueError, RuntimeError) as e:
                raise BadInput(f"--ray {address}: cannot join the Ray cluster there ({e})") from None
            _session = {"address": address, "owned": False, "link": None}
        return _session


def disconnect() -> None:
    """Stop the local Ray this process started (a joined cluster is only left)."""
    global _session
    with _lock:
        if _session is None:
            return
        session, _session = _session, None
        if session["address"] == "(connected)":
            return
        ray = _import_ray()
        ray.shutdown()
        if session.get("link") is not None:
            with contextlib.suppress(OSError):
                session["link"].unlink()


def _unwrapped(future: Future) -> Future:
    """``future`` with a task's own error in place of Ray's wrapper (whose message holds the
    remote traceback): a bad input on a node reads as one line, as on the pool."""
    out: Future = Future()

    def settle(f: Future) -> None:
        error = f.exception()
        if error is None:
            out.set_result(f.result())
        else:
            out.set_exception(getattr(error, "cause", None) or error)
    future.add_done_callback(settle)
    return out


def _import_renderer(modules: tuple) -> int:
    import importlib
    for name in modules:
        importlib.import_module(name)
    return os.getpid()


def warm_up(modules: tuple = ("storyloom.render.timeline",)) -> int:
    """Have every CPU's Ray worker import the renderer (and ``modules``) now, not during the
    first render (a cold worker spends seconds importing); the workers that did.

    >>> warm_up(("storyloom.engines.restyle",))        # doctest: +SKIP
    2
    """
    ray = _import_ray()
    task = ray.remote(num_cpus=1)(_import_renderer)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return len(set(ray.get([task.remote(tuple(modules)) for _ in range(2 * cpus)])))


class RayExecutor(Executor):
    """Units as Ray tasks (one CPU each) on a local Ray or a cluster; see the module docstring.
    A local Ray stays up after ``shutdown`` for the next render (it takes seconds to start;
    a studio renders again and again) and stops with the process; ``keep=False`` stops it
    at once."""

    remote = True
    returns_arrays = True

    def __init__(self, address: str = LOCAL, root=None, cpus: Optional[int] = None, keep: bool = True):
        self.ray = _import_ray()
        self._started = not self.ray.is_initialized()   # only a Ray it started is stopped after
        self.session = connect(address, root, cpus)
        self.keep = keep
        self.workers = max(1, int(self.ray.cluster_resources().get("CPU", 1)))
        # results wait in the object store until the join takes them: a few per CPU
        self.ahead = 2 * self.workers + 2
        self._tasks: dict[Callable, Any] = {}
        self._refs: list = []

    @property
    def label(self) -> str:
        """``Ray (local, 2 CPUs)`` or ``Ray (HOST:PORT, 64 CPUs)``."""
        return f"Ray ({self.session['address']}, {self.workers} CPUs)"

    def share(self, value: Any) -> Any:
        """``value`` put in the object store once; units receive it resolved."""
        return self.ray.put(value)

    def submit(self, fn: Callable, *args: Any) -> Future:
        """``fn(*args)`` as a Ray task; its future's result is the task's value."""
        task = self._tasks.get(fn)
        if task is None:
            task = self._tasks[fn] = self.ray.remote(num_cpus=1)(fn)
        ref = task.remote(*args)
        self._refs.append(ref)
        return _unwrapped(ref.future())

    def shutdown(self) -> None:
        """Cancel the tasks not finished; stop a local Ray this executor started."""
        if self._refs:
            ready, waiting = self.ray.wait(self._refs, num_returns=len(self._refs), timeout=0)
            for ref in waiting:
                with contextlib.suppress(Exception):
                    self.ray.cancel(ref, force=True)
            self._refs = []
        if self._started and not self.keep:
            disconnect()


"""Rendering on Ray: the same film as the local pool, frame for frame; a local Ray listens on
127.0.0.1 only and keeps its files and token in the library; the CLI's ``--ray``."""
from __future__ import annotations

import math
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import run
from storyloom.errors import BadInput
from storyloom.media import read_audio, read_frames, write_video
from storyloom.model import Restyle
from storyloom.model.document import AssetSource, ColorSource, Layer, Project, TextSource, Transition
from storyloom.render import render_project
from storyloom.render.cluster import ENV, RayExecutor, ray_choice
from storyloom.store import Library

W, H, FPS = 128, 72, 12


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """2 s, 128x72 at 12 fps: a moving gradient with a 330 Hz tone."""
    path = tmp_path_factory.mktemp("src") / "clip.mp4"
    frames = []
    for i in range(24):
        f = np.zeros((H, W, 3), np.uint8)
        f[:, :, 0] = np.linspace(0, 255, W, dtype=np.uint8)[None]
        f[:, :, 1] = 10 * i
        f[20:50, 5 * i:5 * i + 30, 2] = 220
        frames.append(f)
    t = np.arange(96000) / 48000
    audio = np.stack([0.4 * np.sin(2 * math.pi * 330 * t)] * 2).astype(np.float32)
    return write_video(path, frames, fps=FPS, audio=audio, audio_rate=48000)


def film(lib, clip) -> Project:
    """Three shots: footage under a title, a long plain card split into chunks (crossfaded in),
    and restyled footage (a step chain)."""
    ref, _ = lib.import_asset(clip)
    p = Project(title="ray", fps=FPS)
    p.size.width, p.size.height = W, H
    sc = p.add_scene("s")
    a = sc.add_shot(duration=1.5)
    a.add_layer(Layer(source=AssetSource(asset=ref)))
    a.add_layer(Layer(source=TextSource(text="Ray", size=18, color="#ffff00")))
    b = sc.add_shot(duration=3.0, transition=Transition(kind="crossfade", duration=0.5))
    b.add_layer(Layer(source=ColorSource(color="#204080")))
    b.add_layer(Layer(source=TextSource(text="a long card", size=14)))
    c = sc.add_shot(duration=1.0)
    c.add_layer(Layer(source=AssetSource(asset=ref, in_point=0.5)))
    c.add_operation(Restyle(style="ukiyo-e"))
    return p


@pytest.fixture
def written(monkeypatch):
    """Every frame a render hands to the encoder, as a hash per frame (the film's pictures:
    x264 itself, multi-threaded, may encode the same frames to slightly different bits)."""
    import hashlib
    import storyloom.render.timeline as timeline
    seen: list[str] = []
    write = timeline.VideoWriter.write

    def hashed(self, frame):
        seen.append(hashlib.sha256(np.ascontiguousarray(frame).tobytes()).hexdigest())
        return write(self, frame)
    monkeypatch.setattr(timeline.VideoWriter, "write", hashed)
    return seen


def test_ray_renders_the_same_film_as_the_pool(tmp_path, ray_session, clip, written):
    lib = Library.open(tmp_path / "lib")
    p = film(lib, clip)
    on_ray = render_project(lib, p, tmp_path / "ray.mp4", ray="local")
    from_ray = list(written)
    written.clear()
    shutil.rmtree(lib.cache_dir / "steps")   # the pool computes the restyle again, on its own
    on_pool = render_project(lib, p, tmp_path / "pool.mp4", workers=2, ray=False)
    assert on_ray.executor.startswith("Ray (") and on_pool.executor == "a local pool of 2"
    assert on_ray.work["steps"] == on_pool.work["steps"] == 1
    # composited: shot a, shot b (36 frames: two 24-frame chunks), shot c (then restyled)
    assert on_ray.work["chunks"] == on_pool.work["chunks"] == 1 + 2 + 1
    assert len(from_ray) == len(written) == on_ray.frames == 18 + 36 + 12 - 6
    assert from_ray == written, [i for i, (a, b) in enumerate(zip(from_ray, written)) if a != b]
    fr, fp = read_frames(on_ray.path), read_frames(on_pool.path)
    assert len(fr) == len(fp) == on_ray.frames
    assert max(np.abs(x.astype(int) - y.astype(int)).mean() for x, y in zip(fr, fp)) < 1.0   # the encodes agree too
    assert np.array_equal(read_audio(on_ray.path, 48000, 2), read_audio(on_pool.path, 48000, 2))
    # a second render on Ray reads the restyle from the step cache and shows the same film
    written.clear()
    again = render_project(lib, p, tmp_path / "again.mp4", ray="local")
    assert again.work["steps"] == 0 and again.work["reused"] == 1 and written == from_ray
    assert not list(lib.cache_dir.glob("render-*"))


def _listening(pids: set[int]) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) of the TCP sockets ``pids`` listen on."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:   # 0A: LISTEN
                found.append(cols[1].split(":")[0])
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_local_ray_listens_on_loopback_and_keeps_its_files_in_the_library(ray_session):
    folder = ray_session["folder"]
    token = folder / "auth_token"
    assert token.is_file() and (token.stat().st_mode & 0o777) == 0o600
    assert list(folder.glob("session_2*/sockets")), "Ray's session (sockets, logs) is not in the library"
    if not ray_session["home_token_before"]:
        assert not (Path.home() / ".ray" / "auth_token").exists()
    ours = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"RAY_AUTH_TOKEN_PATH={token}".encode() in env and int(pid) != os.getpid():
            ours.add(int(pid))
    addresses = _listening(ours)
    assert len(ours) >= 2 and addresses, (ours, addresses)
    # 127.0.0.1, ::1, ::ffff:127.0.0.1 (as /proc/net/tcp{,6} write them)
    loopback = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}
    assert set(addresses) <= loopback, addresses


def test_cli_render_with_ray_and_its_environment_variable(tmp_path, ray_session, clip, monkeypatch, capsys):
    from storyloom.studio.project import Project as Film
    lib_dir = tmp_path / "films"
    f = Film.create(lib_dir, title="cli", size=f"{W}x{H}", fps=FPS)
    f.import_media(clip)
    f.import_media(clip)    # two shots: a film of one chunk renders in this process unless told
    assert run("render", lib_dir, "--ray", "-o", tmp_path / "a.mp4") == 0
    assert "on Ray (" in capsys.readouterr().out
    monkeypatch.setenv(ENV, "local")
    assert run("render", lib_dir, "-o", tmp_path / "b.mp4") == 0
    assert "on Ray (" in capsys.readouterr().out
    a, b = read_frames(tmp_path / "a.mp4"), read_frames(tmp_path / "b.mp4")
    assert len(a) == len(b) == 48 and all(np.abs(x.astype(int) - y.astype(int)).mean() < 1.0 for x, y in zip(a, b))
    monkeypatch.delenv(ENV)
    assert run("render", lib_dir, "-o", tmp_path / "c.mp4", "--workers", "2") == 0
    assert "on a local pool of 2" in capsys.readouterr().out
    assert [j.state for j in Library.open(lib_dir).jobs() if j.kind == "render"] == ["done"] * 3


def test_ray_choice_and_a_missing_ray(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert ray_choice(None) is None and ray_choice(True) == ray_choice("") == "local"
    monkeypatch.setenv(ENV, "10.1.2.3:6379")
    assert ray_choice(None) == ray_choice(True) == "10.1.2.3:6379" and ray_choice(False) is None
    monkeypatch.setitem(sys.modules, "ray", None)   # as if Ray were not installed
    with pytest.raises(BadInput, match=r"storyloom\[ray\]"):
        RayExecutor("local", root="/tmp")


def test_a_bad_step_on_ray_fails_with_its_own_one_line(tmp_path, ray_session):
    lib = Library.open(tmp_path / "lib")
    p = Project(title="bad", fps=FPS)
    p.size.width, p.size.height = W, H
    sc = p.add_scene("s")
    sc.add_shot(duration=1.0).add_layer(Layer(source=ColorSource(color="#204080")))
    bad = sc.add_shot(duration=1.0)
    bad.add_layer(Layer(source=ColorSource(color="#802040")))
    bad.add_operation(Restyle.model_construct(style="no-such-style", strength=1.0, engine=None))
    out = tmp_path / "film.mp4"
    with pytest.raises(BadInput, match="no-such-style") as e:
        render_project(lib, p, out, ray="local")
    assert "\n" not in str(e.value) and "Traceback" not in str(e.value)
    assert not out.exists() and not list(tmp_path.glob(".film*"))

"""The engine registry imports only what a lookup needs: one capability's package for
``resolve(capability)``, everything for ``engines()``; entry-point engines still register.

Each check runs in a fresh interpreter, since what matters is what gets imported."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGES = ["camera", "cutout", "interpolate", "restyle", "script", "shots", "upscale"]


def _run(code: str, extra_path: Path | None = None) -> dict:
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_resolve_imports_only_its_capability_package():
    got = _run(f"""
        import json, sys
        from storyloom.engines import resolve, engines
        name = resolve("interpolate").engine.NAME
        after_resolve = sorted(p for p in {PACKAGES!r} if "storyloom.engines." + p in sys.modules)
        model_after_resolve = "storyloom.model" in sys.modules
        caps = sorted({{c.CAPABILITY for c in engines()}})
        after_all = sorted(p for p in {PACKAGES!r} if "storyloom.engines." + p in sys.modules)
        print(json.dumps(dict(name=name, after_resolve=after_resolve, model=model_after_resolve,
                              caps=caps, after_all=after_all,
                              steps="storyloom.render.steps.interpolate" in sys.modules)))
    """)
    assert got["name"] == "flow"
    assert got["after_resolve"] == ["interpolate"]
    assert got["model"] is False          # picking an engine never loads the document model
    # engines() with no capability still imports every package; render steps live in render/
    assert got["after_all"] == PACKAGES and got["steps"] is False
    assert got["caps"] == ["camera", "interpolate", "restyle", "script", "segment", "shots", "upscale"]


def test_every_builtin_engine_lives_in_its_capabilitys_package():
    # the capability -> package map is what lazy lookups trust: an engine outside its
    # capability's package would be missed by resolve(capability)
    got = _run("""
        import json
        from storyloom.engines import engines
        from storyloom.engines.base import CAPABILITY_PACKAGES
        where = [(c.CAPABILITY, c.__module__) for c in engines()]
        print(json.dumps(dict(where=where, packages=CAPABILITY_PACKAGES)))
    """)
    assert len(got["where"]) >= 10
    for cap, module in got["where"]:
        assert module.startswith(f"storyloom.engines.{got['packages'][cap]}."), (cap, module)


def test_step_for_loads_only_the_operations_package():
    got = _run(f"""
        import json, sys
        from storyloom.model import Interpolate
        from storyloom.render.steps import step_for
        fn = step_for(Interpolate(factor=2))
        loaded = sorted(p for p in {PACKAGES!r} if "storyloom.engines." + p in sys.modules)
        print(json.dumps(dict(fn=fn.__module__, loaded=loaded)))
    """)
    assert got["fn"] == "storyloom.render.steps.interpolate"
    assert got["loaded"] == ["interpolate"]


def test_unknown_capability_names_every_known_one():
    got = _run("""
        import json
        from storyloom.engines import resolve
        from storyloom.errors import BadInput
        try:
            resolve("teleport")
            msg = ""
        except BadInput as e:
            msg = str(e)
        print(json.dumps(dict(msg=msg)))
    """)
    assert "unknown capability 'teleport'" in got["msg"]
    for cap in ("camera", "interpolate", "segment", "shots", "upscale"):
        assert cap in got["msg"]


def test_entry_point_engines_register_for_new_and_builtin_capabilities(tmp_path):
    # an installed plug-in: a module plus the dist-info that importlib.metadata reads
    (tmp_path / "sl_plugin_engines.py").write_text(textwrap.dedent("""
        from storyloom.engines import Engine

        class Teleport(Engine):
            NAME, CAPABILITY, PRIORITY = "beam", "teleport", 0

        class FastShots(Engine):
            NAME, CAPABILITY, PRIORITY = "plugin-shots", "shots", 1000
    """))
    dist = tmp_path / "sl_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sl-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[storyloom.engines]\nbeam = sl_plugin_engines:Teleport\n"
        "plugin-shots = sl_plugin_engines:FastShots\nbroken = sl_plugin_engines:Missing\n")
    got = _run("""
        import json, sys
        from storyloom.engines import resolve, load_errors
        shots = resolve("shots")             # a built-in capability: its package + plug-ins
        only_shots = "storyloom.engines.restyle" not in sys.modules
        beam = resolve("teleport")           # a capability only a plug-in serves
        print(json.dumps(dict(shots=shots.engine.NAME, only_shots=only_shots,
                              beam=beam.engine.NAME, errors=sorted(load_errors()))))
    """, extra_path=tmp_path)
    assert got["shots"] == "plugin-shots" and got["only_shots"] is True
    assert got["beam"] == "beam"
    assert got["errors"] == ["broken"]       # a broken plug-in is reported, not fatal

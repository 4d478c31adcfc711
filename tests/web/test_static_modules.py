"""The studio's front end as shipped: native ES modules under web/static, loaded by the
browser without a build step. Checked without a browser (the e2e tests drive one): every
module is served as JavaScript, every import names a file and a name that exist, each module
stays small and says what it holds, and a wheel built from this checkout carries them all.
"""
from __future__ import annotations

import mimetypes
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyloom.api import create_app

STATIC = Path(__file__).resolve().parents[2] / "src" / "storyloom" / "web" / "static"
MODULES = sorted(STATIC.rglob("*.js"))
IMPORT = re.compile(r'^import\s*(?:\{([^}]*)\}\s*from\s*)?"([^"]+)";', re.M)
EXPORT = re.compile(r"^export (?:async )?(?:function|const|let|class) ([\w$]+)", re.M)


def imports(module: Path) -> list[tuple[Path, list[str]]]:
    """(file, names) for each static import of ``module``."""
    out = []
    for names, spec in IMPORT.findall(module.read_text()):
        assert spec.startswith("./") or spec.startswith("../"), f"{module.name}: {spec} is not a relative module path"
        out.append(((module.parent / spec).resolve(), [n.strip() for n in names.split(",") if n.strip()]))
    return out


def test_modules_are_served_as_javascript_whatever_the_os_says(tmp_path, monkeypatch):
    """A module script the server sends as text/plain (what a Windows registry can say for .js)
    is refused by the browser: the server names JavaScript itself, for files in subfolders too."""
    assert len(MODULES) > 10
    mimetypes.guess_type("x.js")  # the table is read; then this machine's table is made to say text/plain
    monkeypatch.setitem(mimetypes.types_map, ".js", "text/plain")
    assert mimetypes.guess_type("x.js")[0] == "text/plain"
    with TestClient(create_app(tmp_path / "lib", render_workers=0), base_url="http://127.0.0.1") as client:
        for module in MODULES:
            r = client.get(f"/static/{module.relative_to(STATIC).as_posix()}")
            assert r.status_code == 200 and r.content == module.read_bytes(), module
            assert r.headers["content-type"].split(";")[0] == "text/javascript", (module, r.headers["content-type"])
        assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
        page = client.get("/").text
    # one entry point, loaded as a module; everything else is imported from it
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="/static/app.js">']


def test_every_import_resolves_and_every_module_is_used():
    exported = {m: set(EXPORT.findall(m.read_text())) for m in MODULES}
    for module in MODULES:
        for target, names in imports(module):
            assert target in exported, f"{module.relative_to(STATIC)} imports {target.name}: no such module"
            missing = [n for n in names if n not in exported[target]]
            assert not missing, f"{module.relative_to(STATIC)} imports {missing} that {target.name} does not export"
            # the shared core knows nothing of the views, tools and dialogs built on it
            if module.parent.name == "core":
                assert target.parent.name == "core", f"{module.relative_to(STATIC)} imports {target.relative_to(STATIC)}"
    reached, todo = set(), [STATIC / "app.js"]
    while todo:
        m = todo.pop()
        if m not in reached:
            reached.add(m)
            todo.extend(t for t, _ in imports(m))
    assert set(MODULES) == reached, f"modules app.js never loads: {sorted(str(m.relative_to(STATIC)) for m in set(MODULES) - reached)}"


def test_modules_are_small_and_say_what_they_hold():
    for module in MODULES:
        lines = module.read_text().splitlines()
        assert len(lines) <= 400, f"{module.relative_to(STATIC)}: {len(lines)} lines (split it by idea)"
        assert lines[0].startswith("// ") and len(lines[0]) > 30, f"{module.relative_to(STATIC)}: no header comment"
    assert (STATIC / "README.md").is_file()


def test_a_wheel_ships_every_static_file(tmp_path):
    pytest.importorskip("setuptools")
    root = STATIC.parents[3]
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, tmp_path / name)
    shutil.copytree(root / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (tmp_path / "dist").mkdir()
    subprocess.run([sys.executable, "-c", "from setuptools import build_meta as b; b.build_wheel('dist')"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=120)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {f"storyloom/web/static/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*") if p.is_file()}
    assert wanted - shipped == set()

"""The package tree is the architecture (DESIGN §2): each subpackage imports only the ones
below it, there is no import cycle between subpackages, the document model is pure, and
PyAV is used by media/ alone.

Every ``import`` counts, at module level and inside functions: a lazy import is still a
dependency."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "storyloom"

#: modules at the package root that every subpackage may use: errors, settings, progress
#: callbacks (``storyloom/__init__`` itself only re-exports and loads the Python door lazily)
ROOT_MODULES = {"errors", "config", "progress"}

#: what each subpackage may import, besides itself and ROOT_MODULES, bottom to top
#: (DESIGN §2: "dependencies point down this picture only")
ALLOWED: dict[str, set[str]] = {
    "model": set(),                  # the document: pure data, imports nothing of ours
    "media": set(),                  # the only PyAV user: containers, codecs, files
    "imaging": set(),                # plain array maths
    "script": set(),                 # text parsers: a script in, plain drafts out
    # engines take and give arrays; the script engines read with the script parsers
    "engines": {"media", "imaging", "script"},
    "store": {"model", "media"},
    "render": {"model", "media", "imaging", "engines"},
    "export": {"model", "media", "render"},
    "studio": {"model", "media", "imaging", "script", "engines", "store", "render", "export"},
    "api": {"studio", "model", "media", "engines", "store", "render", "export"},
    "cli": {"api", "studio", "model", "media", "imaging", "script", "engines", "store", "render", "export"},
    "web": set(),
    "(root)": {"studio"},            # storyloom.Project is storyloom.studio.project.Project
}


def _is_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def _imports(py: Path) -> set[str]:
    """Every storyloom module ``py`` imports (absolute or relative), anywhere in the file;
    ``from storyloom import model`` counts as ``storyloom.model``."""
    rel = py.relative_to(SRC)
    found = set()
    for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(("storyloom",) + rel.parent.parts)
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if _is_module(sub) else module)
    return {name for name in found if name == "storyloom" or name.startswith("storyloom.")}


def _package(parts: tuple[str, ...]) -> str:
    """The subpackage a module path (inside storyloom) belongs to; root modules by name."""
    if parts and (SRC / parts[0]).is_dir():
        return parts[0]
    return "(root)" if not parts or parts[0] == "__init__" else f"(root).{parts[0]}"


def _edges() -> dict[tuple[str, str], list[str]]:
    """(from subpackage, to subpackage) -> the modules that import across it."""
    edges = defaultdict(list)
    for py in sorted(SRC.rglob("*.py")):
        rel = py.relative_to(SRC)
        src = _package(rel.with_suffix("").parts)
        for name in _imports(py):
            dst = _package(tuple(name.split(".")[1:]))
            if dst != src:
                edges[(src, dst)].append(str(rel))
    return edges


def test_every_subpackage_is_in_the_table():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert packages == set(ALLOWED) - {"(root)"}
    roots = {p.stem for p in SRC.glob("*.py")} - {"__init__"}
    assert roots == ROOT_MODULES, "a module at the package root belongs in a subpackage"


def test_imports_point_down_the_architecture():
    wrong = []
    for (src, dst), where in sorted(_edges().items()):
        if dst.startswith("(root)."):
            ok = dst.split(".", 1)[1] in ROOT_MODULES
        else:
            ok = dst in ALLOWED.get(src.split(".")[0] if src.startswith("(root).") else src, set())
            if src.startswith("(root)."):   # errors, config, progress import nothing of ours
                ok = False
        if not ok:
            wrong.append(f"{src} -> {dst} ({', '.join(sorted(set(where))[:3])})")
    assert not wrong, "imports against DESIGN §2:\n" + "\n".join(wrong)


def test_no_import_cycle_between_subpackages():
    graph = defaultdict(set)
    for src, dst in _edges():
        graph[src].add(dst)
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path + [node, nxt]))
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2
    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_allowed_table_has_no_cycle():
    # the rule itself must be a picture with a bottom, or the test above could pass a loop
    order = []
    todo = {k: set(v) for k, v in ALLOWED.items()}
    while todo:
        leaves = sorted(k for k, v in todo.items() if not v - set(order))
        assert leaves, f"the allowed imports loop among {sorted(todo)}"
        order += leaves
        for k in leaves:
            del todo[k]


def test_only_media_uses_pyav():
    users = []
    for py in sorted(SRC.rglob("*.py")):
        rel = py.relative_to(SRC)
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(n == "av" or n.startswith("av.") for n in names) and rel.parts[0] != "media":
                users.append(str(rel))
    assert not users, f"PyAV outside storyloom.media: {users}"


def test_the_document_model_is_pure():
    """``import storyloom.model`` loads neither numpy nor OpenCV, and nothing of Storyloom's
    outside model/ but the package root and ``storyloom.errors`` (checked in a fresh
    interpreter: what matters is what gets imported)."""
    code = textwrap.dedent("""
        import json, sys
        import storyloom.model
        from storyloom.model import Project, Restyle
        Project(title="t").add_scene("s").add_shot().add_operation(Restyle(style="ukiyo-e"))
        print(json.dumps(sorted(sys.modules)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "numpy" not in loaded and "cv2" not in loaded and "av" not in loaded
    ours = [m for m in loaded if m == "storyloom" or m.startswith("storyloom.")]
    assert all(m in ("storyloom", "storyloom.errors") or m.startswith("storyloom.model") for m in ours), ours


@pytest.mark.parametrize("module", ["storyloom.engines.base", "storyloom.media", "storyloom.imaging.alpha"])
def test_lower_layers_load_without_the_document_model(module):
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in loaded if m.startswith(("storyloom.model", "storyloom.render", "storyloom.studio"))]

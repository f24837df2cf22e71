"""Every module of every package imports from the installed environment, and so does every
third-party module that any code path names (function-level imports included).

Each check runs in a fresh interpreter of this venv, isolated (``-I``: no current directory, no
PYTHON* variables) and started outside the source tree, so a package resolves only through what
is installed. A dependency missing from the lock, or an upstream release that drops one (lxml 6
and ``lxml.html.clean``, issue 13), fails here rather than on a user's first fetch."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("storage", "collector", "classifier", "dashboard", "waakhond", "api", "briefing", "alerts")
#: modules that are not importable as libraries, each with its reason
NOT_LIBRARIES = {
    "waakhond.dashboard_app": "the Streamlit entry script: importing it runs the dashboard",
    "storage.migrations.env": "Alembic's environment script: runs only inside Alembic's migration context",
}
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}

_PROBE = r"""
import importlib, json, sys
failures = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except BaseException as exc:  # report every kind of failure, keep going
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failures))
"""


def project_modules(package: str) -> list[str]:
    names = []
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in NOT_LIBRARIES:
            names.append(name)
    return names


def _guarded_by_import_error(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """An import inside ``try: ... except ImportError`` is optional by design."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Try) and child in parent.body:
            for handler in parent.handlers:
                caught = handler.type
                names = {caught.id} if isinstance(caught, ast.Name) else {
                    e.id for e in getattr(caught, "elts", []) if isinstance(e, ast.Name)}
                if names & IMPORT_ERRORS:
                    return True
        child, parent = parent, parents.get(parent)
    return False


def third_party_imports(source: str) -> set[str]:
    """Dotted names of the non-stdlib, non-project modules a source file imports anywhere."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in PACKAGES or top == "__future__":
                continue
            if not _guarded_by_import_error(node, parents):
                found.add(name)
    return found


def _import_in_fresh_interpreter(modules: list[str], cwd: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-I", "-c", _PROBE, json.dumps(modules)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_of_the_package_imports_from_the_installed_venv(package: str, tmp_path: Path) -> None:
    modules = project_modules(package)
    assert len(modules) > 1
    assert _import_in_fresh_interpreter(modules, tmp_path) == {}


def test_every_third_party_module_named_anywhere_imports(tmp_path: Path) -> None:
    wanted = set()
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            wanted |= third_party_imports(path.read_text(encoding="utf-8"))
    assert {"feedparser", "sqlalchemy", "trafilatura", "streamlit"} <= {n.split(".")[0] for n in wanted}
    assert _import_in_fresh_interpreter(sorted(wanted), tmp_path) == {}


def test_the_probe_sees_only_the_installed_environment(tmp_path: Path) -> None:
    """The check is meaningful: outside the tree a module that is not installed is reported."""
    (tmp_path / "not_installed_here.py").write_text("")
    failures = _import_in_fresh_interpreter(["not_installed_here", "waakhond"], tmp_path)
    assert list(failures) == ["not_installed_here"]


def test_imports_guarded_by_import_error_count_as_optional() -> None:
    source = "try:\n    import fancy_speedup\nexcept ImportError:\n    fancy_speedup = None\n" \
             "def f():\n    import lazy_dependency.sub\n"
    assert third_party_imports(source) == {"lazy_dependency.sub"}

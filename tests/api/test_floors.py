"""The api package sits on floor 3 beside the dashboard: it imports ``storage`` and third-party
libraries only (``waakhond`` wires it, and hands it storage's guidance links)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

API_DIR = Path(__file__).resolve().parents[2] / "api"
OWN_PACKAGES = {"storage", "collector", "classifier", "dashboard", "waakhond", "briefing", "api"}
ALLOWED = {"storage", "api"}


def _imported_tops(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            tops.add(node.module.split(".")[0])
    return tops


def test_api_imports_only_storage_of_waakhonds_packages():
    modules = sorted(API_DIR.glob("*.py"))
    assert len(modules) >= 10
    for path in modules:
        own = (_imported_tops(path) - set(sys.stdlib_module_names)) & OWN_PACKAGES
        assert own <= ALLOWED, f"{path.name} imports {sorted(own - ALLOWED)}"

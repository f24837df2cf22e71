"""The house rules hold on the repository: floors, faces, no circle, small modules, one error root.

``tests/house/rules.py`` reads the imports; ``test_rules_catch.py`` shows that each rule finds
what is planted in a small tree, so an empty list here means something. What the code still
breaks is listed, with why, in ``known_exceptions.py``: a break not listed there fails, and so
does a listed one that no longer happens (the list only shrinks).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.house import known_exceptions as known
from tests.house import rules

REPO = Path(__file__).resolve().parents[2]


def _tops() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    return sorted(name.rstrip("*") for name in pyproject["tool"]["setuptools"]["packages"]["find"]["include"])


TREE = rules.read_tree(REPO, _tops())
IMPORTS = rules.all_imports(TREE)


def test_every_installed_package_has_a_floor():
    assert set(_tops()) == set(rules.FLOORS), "a new package needs its floor in tests/house/rules.FLOORS"
    assert len(IMPORTS) > 500  # the reader finds the house's imports (not an empty walk)


def _outside_the_list(found: list[str], key, table: dict) -> list[str]:
    """The breaks ``found`` that the allow-list does not name; and the listed ones that no
    longer happen, so that the list shrinks with the code."""
    listed = known.allowed(table)
    unlisted = [f for f in found if key(f) not in listed]
    stale = sorted(listed - {key(f) for f in found})
    return unlisted + [f"{entry}: listed in known_exceptions.py but no longer happens" for entry in stale]


def _deep_key(problem: str) -> tuple[str, str]:
    source, _, rest = problem.partition(":")
    return source.split(".")[0], rest.split(" imports ")[1].split(",")[0]


def _dashboard_key(problem: str) -> tuple[str, str]:
    source, _, rest = problem.partition(":")
    return source, rest.split(" asks classifier for ")[1].split(" ")[0]


def test_no_import_runs_up_a_floor():
    assert rules.upward_imports(IMPORTS) == []


def test_no_import_reaches_past_another_packages_face():
    assert _outside_the_list(rules.deep_imports(TREE, IMPORTS), _deep_key, known.KNOWN_DEEP_IMPORTS) == []


def test_no_import_circle_anywhere():
    assert rules.circles(IMPORTS) == []


def test_every_face_says_what_it_is_for_and_offers_what_others_take():
    assert _outside_the_list(rules.face_problems(TREE, IMPORTS), str, known.KNOWN_FACE_PROBLEMS) == []


def test_the_dashboard_asks_the_classifier_only_for_model_metadata():
    found = rules.dashboard_asks_classifier_for_more(IMPORTS)
    assert _outside_the_list(found, _dashboard_key, known.KNOWN_DASHBOARD_ASKS) == []


def test_no_module_over_the_limit():
    found = rules.long_modules(TREE)
    assert _outside_the_list(found, lambda f: f.split(":")[0], known.KNOWN_LONG_MODULES) == []


def test_the_allow_list_gives_a_reason_for_every_entry():
    tables = (known.KNOWN_DEEP_IMPORTS, known.KNOWN_FACE_PROBLEMS, known.KNOWN_DASHBOARD_ASKS,
              known.KNOWN_LONG_MODULES, known.KNOWN_ERROR_ROOTS)
    for table in tables:
        for reason, entries in table.items():
            assert len(reason.split()) >= 5 and entries, f"an allow-list entry needs a reason and a target: {reason!r}"


# What needs the classes and faces themselves is read in a fresh interpreter started in the
# repository: inside the test session, ``tests/`` comes first on sys.path and its folders
# ``api`` and ``dashboard`` would stand in for the packages of the same name.
_LIVE_PROBE = r"""
import importlib, inspect, json, logging, pkgutil, sys
logging.disable(logging.CRITICAL)
from waakhond.errors import exit_code_of
tops, packages = json.loads(sys.argv[1])
missing = {}
for package in packages:
    face = importlib.import_module(package)
    missing[package] = [name for name in face.__all__ if not hasattr(face, name)]
roots = {}
for top in tops:
    found = {}
    for info in pkgutil.walk_packages(importlib.import_module(top).__path__, top + "."):
        if ".migrations" in info.name or info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.split(".")[0] == top:
                found[value.__module__ + "." + value.__qualname__] = value
    classes = list(found.values())
    roots[top] = [
        [cls.__module__ + "." + cls.__qualname__, cls.__name__ in getattr(importlib.import_module(top), "__all__", ()),
         exit_code_of(cls.__new__(cls))]  # not __init__: some roots take structured arguments
        for cls in classes if not any(base in classes for base in cls.__mro__[1:])]
print(json.dumps({"missing": missing, "roots": roots}))
"""


@functools.cache
def _live() -> dict:
    packages = sorted(p for p in TREE.packages if ".migrations" not in p)
    done = subprocess.run([sys.executable, "-c", _LIVE_PROBE, json.dumps([_tops(), packages])], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", sorted(p for p in TREE.packages if ".migrations" not in p))
def test_every_name_a_face_lists_is_there(package: str):
    assert _live()["missing"][package] == [], f"{package}.__all__ lists names it does not have"


def _unlisted_roots(top: str) -> list[list]:
    listed = known.allowed(known.KNOWN_ERROR_ROOTS)
    return [root for root in _live()["roots"][top] if root[0] not in listed]


@pytest.mark.parametrize("top", _tops())
def test_one_error_root_per_package(top: str):
    names = {root[0] for root in _live()["roots"][top]}
    stale = sorted(n for n in known.allowed(known.KNOWN_ERROR_ROOTS) if n.split(".")[0] == top and n not in names)
    assert stale == [], f"listed in known_exceptions.py but no longer a root: {stale}"
    roots = _unlisted_roots(top)
    assert len(roots) <= 1, f"{top} has several error roots: {sorted(r[0] for r in roots)}"
    if roots:
        assert roots[0][1], f"{top}'s face does not offer its error root {roots[0][0]}"


def test_the_cli_maps_every_error_root_to_an_exit_code():
    for top in _tops():
        for name, _offered, code in _unlisted_roots(top):
            assert code in (1, 2, 3), f"the CLI has no exit code for {top}'s root {name}"

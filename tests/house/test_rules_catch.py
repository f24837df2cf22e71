"""Each house rule finds what is planted in a small synthetic tree (so the empty lists that
``test_house_rules.py`` expects of the repository mean something)."""

from __future__ import annotations

from pathlib import Path

from tests.house import rules

FACE = '"""A face."""\n__all__ = [{names}]\n{body}'


def _write(root: Path, files: dict[str, str]) -> rules.Tree:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return rules.read_tree(root, sorted({name.split("/")[0] for name in files}))


def _clean_house() -> dict[str, str]:
    return {
        "storage/__init__.py": FACE.format(names='"Item", "StorageError"', body="from storage.repositories.items import Item\nfrom storage.errors import StorageError\n"),
        "storage/repositories/items.py": "class Item: ...\n",
        "storage/errors.py": "class StorageError(Exception): ...\n",
        "collector/__init__.py": FACE.format(names='"collect"', body="from collector.run import collect\n"),
        "collector/run.py": "from storage import Item\nfrom . import parse\n\ndef collect(): return Item\n",
        "collector/parse.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from collector.run import collect\n",
    }


def test_a_clean_house_shows_nothing(tmp_path: Path):
    tree = _write(tmp_path, _clean_house())
    imports = rules.all_imports(tree)
    assert {(i.source, i.module) for i in imports} >= {("collector.run", "storage"), ("collector.run", "collector.parse")}
    assert rules.upward_imports(imports) == []
    assert rules.deep_imports(tree, imports) == []
    assert rules.circles(imports) == []  # the TYPE_CHECKING import back to run does not count
    assert rules.face_problems(tree, imports) == []
    assert rules.long_modules(tree) == []


def test_an_import_that_runs_up_is_found_even_inside_a_function(tmp_path: Path):
    house = _clean_house() | {"storage/repositories/items.py": "class Item:\n    def go(self):\n        from collector import collect\n"}
    tree = _write(tmp_path, house)
    found = rules.upward_imports(rules.all_imports(tree))
    assert found == ["storage.repositories.items:3 imports collector (storage may not import collector)"]


def test_a_package_without_a_floor_may_import_nothing_of_the_house(tmp_path: Path):
    tree = _write(tmp_path, _clean_house() | {"newpkg/__init__.py": '"""x"""\n__all__ = []\nimport storage\n'})
    assert rules.upward_imports(rules.all_imports(tree)) == [
        "newpkg:3 imports storage (newpkg may not import storage)"]


def test_a_deep_import_across_packages_is_found_and_one_inside_is_not(tmp_path: Path):
    house = _clean_house() | {"collector/run.py": "from storage.repositories.items import Item\nfrom collector.parse import x\n"}
    tree = _write(tmp_path, house)
    assert rules.deep_imports(tree, rules.all_imports(tree)) == [
        "collector.run:1 imports storage.repositories.items, not a face of storage"]


def test_a_sub_package_face_may_be_imported_from_outside(tmp_path: Path):
    house = _clean_house() | {
        "storage/read/__init__.py": FACE.format(names='"view"', body="from storage.read.views import view\n"),
        "storage/read/views.py": "def view(): ...\n",
        "collector/run.py": "from storage.read import view\n",
    }
    tree = _write(tmp_path, house)
    imports = rules.all_imports(tree)
    assert rules.deep_imports(tree, imports) == []
    assert rules.face_problems(tree, imports) == []



def test_an_import_past_a_sub_package_face_is_deep(tmp_path: Path):
    """``classifier.matching`` is a face, as ``classifier`` is; its modules are not, unless the
    face lists one by name and it is taken whole (``from classifier.narratives import runner``)."""
    house = _clean_house() | {
        "classifier/__init__.py": FACE.format(names="", body=""),
        "classifier/matching/__init__.py": FACE.format(names='"run_matching"', body="from classifier.matching.run import run_matching\n"),
        "classifier/matching/run.py": "from classifier.matching.features import numbers\n\ndef run_matching(): ...\n",
        "classifier/matching/features.py": "def numbers(): ...\n",
        "classifier/narratives/__init__.py": FACE.format(names='"runner"', body="from classifier.narratives import runner\n"),
        "classifier/narratives/runner.py": "def run_step(): ...\n",
        "classifier/narratives/spikes.py": "def scan(): ...\n",
        "waakhond/__init__.py": FACE.format(names="", body=""),
        "waakhond/step.py": ("from classifier.matching import run_matching\n"
                             "from classifier.matching.features import numbers\n"
                             "from classifier.narratives import runner\n"
                             "from classifier.narratives import spikes\n"),
    }
    tree = _write(tmp_path, house)
    imports = rules.all_imports(tree)
    assert sorted(rules.deep_imports(tree, imports)) == [
        "waakhond.step:2 imports classifier.matching.features, not a face of classifier",
        "waakhond.step:4 imports classifier.narratives.spikes, not a face of classifier",
    ]
    assert rules.face_problems(tree, imports) == []

def test_a_circle_is_found_with_all_its_members(tmp_path: Path):
    house = _clean_house() | {
        "collector/a.py": "from collector import b\n",
        "collector/b.py": "def f():\n    from collector.c import g\n",
        "collector/c.py": "from .a import x\n",
    }
    tree = _write(tmp_path, house)
    assert rules.circles(rules.all_imports(tree)) == [["collector.a", "collector.b", "collector.c"]]


def test_a_face_without_docstring_or_all_and_a_name_it_does_not_offer_are_found(tmp_path: Path):
    house = _clean_house() | {
        "storage/__init__.py": "from storage.repositories.items import Item\n",
        "collector/run.py": "from storage import Item\n",
    }
    tree = _write(tmp_path, house)
    problems = rules.face_problems(tree, rules.all_imports(tree))
    assert "storage: the face has no docstring saying what the package is for" in problems
    assert "storage: the face has no __all__" in problems
    house["storage/__init__.py"] = FACE.format(names='"StorageError"', body="from storage.repositories.items import Item\n")
    tree = _write(tmp_path, house)
    assert rules.face_problems(tree, rules.all_imports(tree)) == [
        "collector.run:1 takes Item from storage, not in its __all__"]


def test_the_dashboard_asking_the_classifier_for_more_than_metadata_is_found(tmp_path: Path):
    house = _clean_house() | {
        "classifier/__init__.py": FACE.format(names='"label_queue"', body="def label_queue(): ...\n"),
        "dashboard/__init__.py": FACE.format(names="", body="from classifier import label_queue\n"),
    }
    tree = _write(tmp_path, house)
    assert rules.dashboard_asks_classifier_for_more(rules.all_imports(tree)) == [
        "dashboard:3 asks classifier for classifier ['label_queue']"]


def test_a_long_module_is_found_and_a_migration_is_not(tmp_path: Path):
    long_text = "x = 1\n" * (rules.MAX_LINES + 1)
    tree = _write(tmp_path, _clean_house() | {"storage/big.py": long_text,
                                              "storage/migrations/versions/0001_x.py": long_text})
    assert rules.long_modules(tree) == [f"storage.big: {rules.MAX_LINES + 1} lines"]


def test_a_module_the_face_offers_by_name_may_be_imported_as_a_namespace(tmp_path: Path):
    house = _clean_house() | {"collector/run.py": "from storage import items\nfrom storage import errors\n"}
    house["storage/__init__.py"] = FACE.format(names='"items"', body="from storage import items\n")
    tree = _write(tmp_path, house)
    assert rules.deep_imports(tree, rules.all_imports(tree)) == [
        "collector.run:2 imports storage.errors, not a face of storage"]

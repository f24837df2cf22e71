"""The house rules, read from the source tree: pure functions over a folder of Python packages.

The tests in this folder run them on the repository (they must find nothing) and on small
synthetic trees (they must find what was planted there), in the spirit of httpx's
``test_exported_members``. Nothing here imports the code it judges, except ``error_roots``,
which needs the classes themselves.

- **Floors**: a package imports only the packages below it (``FLOORS``).
- **Faces**: from another package, a module imports only a package's face (its
  ``__init__.py`` or a sub-package's), and only names the face lists in ``__all__`` (a
  face may list a module of its own, as a namespace: ``from storage import alerts``).
- **No circle**: no module reaches itself through imports, function-level imports included
  (imports under ``if TYPE_CHECKING:`` do not run and are not counted).
- **Size**: no module over ``MAX_LINES`` lines, migrations excepted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 400

# Which of the house's packages each package may import (itself always). Ground up:
#   floor 0  storage                  knows none of the others
#   floor 1  collector, classifier    use storage
#   floor 2  briefing, api, dashboard show what storage holds (the dashboard asks classifier
#            alerts                   for model metadata); alerts decide and send, on storage,
#                                     classifier's spikes, and the briefing
#   floor 3  waakhond                 composes (CLI, settings, the pipeline, both runtimes, the demo)
FLOORS: Mapping[str, frozenset[str]] = {
    "storage": frozenset(),
    "collector": frozenset({"storage"}),
    "classifier": frozenset({"storage"}),
    "briefing": frozenset({"storage"}),
    "api": frozenset({"storage"}),
    "dashboard": frozenset({"storage", "classifier"}),
    "alerts": frozenset({"storage", "classifier", "briefing"}),
    "waakhond": frozenset({"storage", "collector", "classifier", "alerts", "briefing", "api", "dashboard"}),
}

# The dashboard asks the classifier for model metadata and nothing else.
DASHBOARD_MAY_ASK_CLASSIFIER_FOR = frozenset({"model_metadata", "ModelMetadata", "describe_version",
                                              "version_metadata", "VersionMetadata"})


@dataclass(frozen=True)
class Import:
    """One import statement's target: ``module`` is the dotted module it loads, ``names`` the names it takes."""

    source: str
    module: str
    names: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Tree:
    """The modules of a tree: dotted name -> file, and which dotted names are packages."""

    root: Path
    files: Mapping[str, Path]
    packages: frozenset[str]

    @property
    def tops(self) -> frozenset[str]:
        return frozenset(name.split(".")[0] for name in self.files)


def read_tree(root: Path, tops: Iterable[str]) -> Tree:
    files: dict[str, Path] = {}
    packages: set[str] = set()
    for top in tops:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
                packages.add(".".join(parts))
            files[".".join(parts)] = path
    return Tree(root, files, frozenset(packages))


def _under_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _under_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(tree: Tree, module: str) -> list[Import]:
    """Every import of ``module`` that lands in the tree, resolved to the module it loads."""
    path = tree.files[module]
    package = module if module in tree.packages else module.rpartition(".")[0]
    found: list[Import] = []
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _longest_module(tree, alias.name)
                if target:
                    found.append(Import(module, target, (), node.lineno))
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in tree.files:
                found.append(Import(module, submodule, (), node.lineno))
            else:
                target = _longest_module(tree, base)
                if target:
                    found.append(Import(module, target, (alias.name,), node.lineno))
    return found


def _longest_module(tree: Tree, dotted: str) -> str | None:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in tree.files:
            return candidate
    return None


def all_imports(tree: Tree) -> list[Import]:
    return [imp for module in sorted(tree.files) for imp in imports_of(tree, module)]


def _top(module: str) -> str:
    return module.split(".")[0]


def upward_imports(imports: Iterable[Import], floors: Mapping[str, frozenset[str]] = FLOORS) -> list[str]:
    """Imports that run up a floor, or into a package the floors do not know."""
    bad = []
    for imp in imports:
        source, target = _top(imp.source), _top(imp.module)
        if source != target and target not in floors.get(source, frozenset()):
            bad.append(f"{imp.source}:{imp.line} imports {imp.module} ({source} may not import {target})")
    return bad


def deep_imports(tree: Tree, imports: Iterable[Import]) -> list[str]:
    """Imports from another package that reach past its faces: a module that is not a package,
    unless the face above it offers it by name in ``__all__`` and it is taken whole, as a
    namespace (``from storage import alerts``); ``from storage.repositories.alerts import X`` stays deep
    even then, so listing a module in ``__all__`` does not open all of it."""
    bad = []
    for imp in imports:
        if _top(imp.source) == _top(imp.module) or imp.module in tree.packages:
            continue
        parent, _, leaf = imp.module.rpartition(".")
        if not imp.names and leaf in (face_exports(tree, parent) or ()):
            continue
        bad.append(f"{imp.source}:{imp.line} imports {imp.module}, not a face of {_top(imp.module)}")
    return bad


def face_exports(tree: Tree, package: str) -> tuple[str, ...] | None:
    """The names a package's ``__init__`` lists in ``__all__`` (None when it has none)."""
    body = ast.parse(tree.files[package].read_text()).body
    for node in body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            return tuple(ast.literal_eval(node.value))
    return None


def face_problems(tree: Tree, imports: Iterable[Import]) -> list[str]:
    """Faces without a docstring or ``__all__``, and names taken from another package's face
    that its ``__all__`` does not offer. (That every ``__all__`` name is really there is
    checked by importing the faces: some load their names lazily.)"""
    problems = []
    exports = {package: face_exports(tree, package) for package in tree.packages}
    for package in sorted(tree.packages):
        if ".migrations" in package:
            continue
        if not ast.get_docstring(ast.parse(tree.files[package].read_text())):
            problems.append(f"{package}: the face has no docstring saying what the package is for")
        if exports[package] is None:
            problems.append(f"{package}: the face has no __all__")
    for imp in imports:
        if _top(imp.source) == _top(imp.module) or imp.module not in tree.packages:
            continue
        offered = set(exports.get(imp.module) or ())
        for name in imp.names:
            if name not in offered:
                problems.append(f"{imp.source}:{imp.line} takes {name} from {imp.module}, not in its __all__")
    return problems


def dashboard_asks_classifier_for_more(imports: Iterable[Import]) -> list[str]:
    return [f"{imp.source}:{imp.line} asks classifier for {imp.module} {list(imp.names)}"
            for imp in imports
            if _top(imp.source) == "dashboard" and _top(imp.module) == "classifier"
            and (not imp.names or not set(imp.names) <= DASHBOARD_MAY_ASK_CLASSIFIER_FOR)]


def circles(imports: Iterable[Import]) -> list[list[str]]:
    """Every group of modules that reach each other through imports (Tarjan's SCCs), and
    modules that import themselves."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.source, set()).add(imp.module)
        graph.setdefault(imp.module, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph[node]:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def long_modules(tree: Tree, max_lines: int = MAX_LINES) -> list[str]:
    return [f"{name}: {count} lines" for name, path in sorted(tree.files.items())
            if ".migrations." not in name
            and (count := len(path.read_text().splitlines())) > max_lines]

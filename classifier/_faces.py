"""How the classifier's sub-package faces load lazily (PEP 562): a name listed by a face is
imported from its module on first use, so ``import classifier.matching`` stays cheap."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from importlib import import_module
from typing import Any


def lazy_face(package: str, names: Mapping[str, str], modules: Collection[str] = ()) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``'s face: ``names`` maps a name to the module (inside
    the package) that defines it; ``modules`` are sub-modules the face offers whole."""

    def __getattr__(name: str) -> Any:
        if name in modules:
            return import_module(f"{package}.{name}")
        if name in names:
            return getattr(import_module(f"{package}.{names[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__

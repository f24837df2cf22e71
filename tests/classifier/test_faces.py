"""The classifier's sub-package faces load their names on first use (classifier/_faces.py)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

FACES = ("classifier.encoding", "classifier.scoring", "classifier.training", "classifier.matching",
         "classifier.narratives")


@pytest.mark.parametrize("face", FACES)
def test_every_name_a_face_offers_loads_and_an_unknown_name_is_refused(face: str) -> None:
    module = importlib.import_module(face)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match=face):
        module.no_such_name  # noqa: B018


def test_importing_the_faces_loads_no_model_library() -> None:
    code = "import sys, " + ", ".join(FACES) + "; print(sorted(m for m in ('sklearn', 'torch', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

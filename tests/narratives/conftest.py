"""Fixtures of the narrative tests: the real e5 encoder from the classifier tests (cached under
var/test-cache), and the paraphrase set embedded once per session."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tests.classifier.conftest import real_encoder, real_encoder_folder  # noqa: F401  (fixtures by name)


@dataclass(frozen=True)
class EmbeddedParaphrases:
    rows: list
    vectors: np.ndarray
    background: np.ndarray

    def indices(self, claim: str) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row.claim == claim]


@pytest.fixture(scope="session")
def embedded_paraphrases(real_encoder) -> EmbeddedParaphrases:  # noqa: F811
    from classifier.narratives import load_background_texts, load_paraphrases

    rows = load_paraphrases()
    vectors = real_encoder.encode([r.text for r in rows])
    background = real_encoder.encode(load_background_texts()).mean(axis=0)
    return EmbeddedParaphrases(rows, vectors, background)


@dataclass(frozen=True)
class EmbeddedDemo:
    corpus: object
    vectors: np.ndarray  # every demo item, as the classifier embeds items
    background: np.ndarray


@pytest.fixture(scope="session")
def embedded_demo(real_encoder) -> EmbeddedDemo:  # noqa: F811
    from classifier.narratives import item_vectors
    from classifier.scoring.evidence import item_text
    from waakhond.demo import load_corpus

    corpus = load_corpus()
    assert any(i.spike for i in corpus.items), "the demo corpus lost its planted spikes"
    vectors = item_vectors(real_encoder, [item_text(i.title, i.summary, i.body) for i in corpus.items])
    return EmbeddedDemo(corpus, vectors, vectors.mean(axis=0))

"""The data the claim matcher is trained and evaluated on: units (an item's sentences and the
claims it carries), the corpus of units and claims with their vectors and folds, and one
decision (an accepted item-claim pair). Shared by ``training`` (which builds and fits on
them) and ``evaluation`` (which scores decisions), so neither imports the other's
functions for its types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Unit:
    """An item to match: its sentences (vectors given by row into a shared matrix) and the
    claims (rows into the claim list) it carries."""

    sentences: tuple[str, ...]
    rows: tuple[int, ...]
    positives: frozenset[int]
    background: bool = False
    debunk: bool = False


@dataclass(frozen=True)
class Corpus:
    units: list[Unit]
    sentence_vectors: np.ndarray
    claim_texts: list[str]
    claim_languages: list[str]
    claim_vectors: np.ndarray
    claim_folds: np.ndarray
    unit_folds: np.ndarray


@dataclass
class Decision:
    unit: int
    claim: int
    probability: float
    rank_score: float
    raw_cosine: float

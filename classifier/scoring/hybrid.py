"""The hybrid disinformation head: the embedding head and the lexical model, each calibrated,
combined in log-odds with equal weight and calibrated once more.

    p_head      the linear head over the frozen e5 embedding, Platt-calibrated (classifier.scoring.heads)
    p_lexical   TF-IDF 1-2 grams + logistic regression, Platt-calibrated on stratified
                out-of-fold scores of its own training rows (classifier.scoring.lexical)
    z           MIX * logit(p_head) + (1 - MIX) * logit(p_lexical)       MIX = 0.5, not tuned
    p           Platt calibration of z, fitted on out-of-fold z (whole groups held out: a
                narrative, an EUvsDisinfo story-year, a claim); the threshold is the lowest
                whose out-of-fold precision reaches the target

Both parts see the same rows, weights and augmentation. Scoring needs the texts as well as
their embeddings (``probabilities(embeddings, texts)``). The two parts disagree in useful ways
on the real-data bench (models/README.md): the head flags contested statements and attributed
news more, TF-IDF off-topic hoaxes; together they flag less of either and find more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classifier.errors import ClassifierError
from classifier.scoring.heads import LinearHead
from classifier.scoring.lexical import KIND, LEXICAL_C, LEXICAL_FILE, LexicalModel, fit_lexical
from classifier.training.metrics import (
    ThresholdChoice,
    apply_calibration,
    binary_metrics,
    fit_calibration,
    threshold_for_precision,
)

HYBRID_KIND = "hybrid"
#: The names of the two parts' probabilities in ``signal_parts["head"]["components"]``.
EMBEDDING_COMPONENT, LEXICAL_COMPONENT = "embedding", "lexical"
#: Weight of the embedding head's log-odds (the lexical part gets the rest). Fixed a priori.
MIX = 0.5
INNER_FOLDS = 5
LEXICAL_CALIBRATION_FOLDS = 5
LEXICAL_CALIBRATION_SEED = 13
_EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class TextsRequired(ClassifierError, ValueError):
    """The hybrid head scores texts, not embeddings alone."""


@dataclass(frozen=True)
class HybridHead:
    head: LinearHead
    lexical: LexicalModel
    head_calibration: dict[str, Any]
    lexical_calibration: dict[str, Any]
    calibration: dict[str, Any]
    threshold: float
    mix: float = MIX

    needs_texts = True

    def part_probabilities(self, embeddings: np.ndarray, texts: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
        """(p_head, p_lexical), each calibrated on its own."""
        if texts is None or len(texts) != len(embeddings):
            raise TextsRequired("the hybrid head needs one text per embedding")
        return (apply_calibration(self.head.raw(embeddings), self.head_calibration),
                apply_calibration(self.lexical.raw(texts), self.lexical_calibration))

    def combine(self, p_head: np.ndarray, p_lexical: np.ndarray) -> np.ndarray:
        """z, the combination's input, from the two parts' probabilities."""
        return self.mix * logit(p_head) + (1 - self.mix) * logit(p_lexical)

    def raw_scores(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        return self.combine(*self.part_probabilities(embeddings, texts))

    def raw_and_components(self, embeddings: np.ndarray,
                           texts: Sequence[str] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``raw_scores`` and, by name, the part probabilities they were combined from (computed
        once: the classify step shows both parts beside the combined score)."""
        p_head, p_lexical = self.part_probabilities(embeddings, texts)
        return self.combine(p_head, p_lexical), {EMBEDDING_COMPONENT: p_head, LEXICAL_COMPONENT: p_lexical}

    def probabilities(self, embeddings: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        return apply_calibration(self.raw_scores(embeddings, texts), self.calibration)

    def describe(self) -> dict[str, Any]:
        """The ``head`` section of version.json (beside the shared calibration and threshold)."""
        return {"kind": HYBRID_KIND, "mix": self.mix, "head_calibration": self.head_calibration,
                "lexical": {"file": LEXICAL_FILE, "kind": KIND, "terms": len(self.lexical.terms)},
                "lexical_calibration": self.lexical_calibration}

    @classmethod
    def from_document(cls, head: LinearHead, lexical: LexicalModel, section: Mapping[str, Any],
                      calibration: dict[str, Any], threshold: float) -> HybridHead:
        return cls(head, lexical, dict(section["head_calibration"]), dict(section["lexical_calibration"]),
                   calibration, threshold, float(section.get("mix", MIX)))


@dataclass
class TrainedHybrid:
    model: HybridHead
    threshold_choice: ThresholdChoice
    metrics: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PartFits:
    """How the two parts are fitted on a list of examples (the caller's recipe)."""

    fit_head: Callable[[Sequence[Any]], Any]  # examples -> TrainedHead (calibrated)
    rows: Callable[[Sequence[Any]], list[Any]]  # examples -> training rows (augmented)
    weight: Callable[[Any], float]  # row -> its weight


def fit_lexical_calibrated(rows: Sequence[Any], weight: Callable[[Any], float]) -> tuple[LexicalModel, dict[str, Any]]:
    """The lexical model on ``rows`` and its Platt calibration on stratified out-of-fold scores."""
    from sklearn.model_selection import StratifiedKFold

    texts = [r.text for r in rows]
    y = np.array([r.label for r in rows], dtype=int)
    w = np.array([weight(r) for r in rows], dtype=float)
    oof = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=LEXICAL_CALIBRATION_FOLDS, shuffle=True, random_state=LEXICAL_CALIBRATION_SEED)
    for train, test in folds.split(texts, y):
        oof[test] = fit_lexical([texts[i] for i in train], y[train], w[train]).raw([texts[i] for i in test])
    return fit_lexical(texts, y, w), fit_calibration(oof, y, "platt")


def fit_hybrid(examples: Sequence[Any], embed: Callable[[list[str]], np.ndarray], fits: PartFits, *,
               target_precision: float, mix: float = MIX, folds: int = INNER_FOLDS) -> TrainedHybrid:
    """Fit both parts on ``examples`` and the combination on grouped out-of-fold scores."""
    from sklearn.model_selection import GroupKFold

    y = np.array([e.label for e in examples], dtype=int)
    groups = [e.group or f"row:{i}" for i, e in enumerate(examples)]
    x = embed([e.text for e in examples])
    z = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        part = [examples[i] for i in train]
        inner = _fit_parts(part, fits, mix, target_precision)
        z[test] = inner.raw_scores(x[test], [examples[i].text for i in test])
    calibration = fit_calibration(z, y, "platt")
    oof = apply_calibration(z, calibration)
    choice = threshold_for_precision(y, oof, target_precision)
    final = _fit_parts(list(examples), fits, mix, target_precision)
    model = HybridHead(final.head, final.lexical, final.head_calibration, final.lexical_calibration,
                       calibration, choice.threshold, mix)
    params = {**model.describe(), "inner_folds": folds, "lexical_c": LEXICAL_C,
              "lexical_calibration_folds": LEXICAL_CALIBRATION_FOLDS}
    return TrainedHybrid(model, choice, {"train_cv": binary_metrics(y, oof, choice.threshold)}, params)


def _fit_parts(examples: Sequence[Any], fits: PartFits, mix: float, target_precision: float) -> HybridHead:
    """Both parts on ``examples``; the combination's calibration is left neutral (identity-like)."""
    trained = fits.fit_head(examples)
    lexical, lexical_calibration = fit_lexical_calibrated(fits.rows(examples), fits.weight)
    neutral = {"method": "platt", "a": 1.0, "b": 0.0}
    return HybridHead(trained.model.head, lexical, trained.model.calibration, lexical_calibration,
                      neutral, 0.5, mix)

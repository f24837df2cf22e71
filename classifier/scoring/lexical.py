"""The lexical part of the hybrid disinformation head: TF-IDF over word 1-2 grams and a
logistic regression, stored as plain arrays and scored without scikit-learn.

    fit      scikit-learn's TfidfVectorizer (lowercase, words of two or more characters,
             1-2 grams, sublinear tf, smoothed idf, l2 norm) + LogisticRegression (balanced,
             per-example weights); its vocabulary, idf and coefficients are copied out
    score    the same transform in numpy (``LexicalModel.raw``), so a stored model scores the
             same as the fitted pipeline (tested) and no pickle is ever loaded
    file     ``lexical.safetensors``: tensors ``idf``, ``weight``, ``bias``; the terms in the
             metadata, one per line (a term is word characters and one space, never a newline)

Why a lexical part at all: on the real-data bench the embedding head and TF-IDF make different
mistakes (the head flags contested statements and attributed news, TF-IDF flags off-topic
hoaxes); their combination (``classifier.scoring.hybrid``) beats both (models/README.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.errors import ClassifierError

LEXICAL_FILE = "lexical.safetensors"
KIND = "tfidf-logistic"
#: scikit-learn's default token pattern: words of two or more word characters.
TOKEN = re.compile(r"(?u)\b\w\w+\b")
NGRAMS = (1, 2)
#: Inverse regularisation of the logistic regression (the bench's TF-IDF baseline uses the same).
LEXICAL_C = 10.0


class LexicalError(ClassifierError, ValueError):
    """A lexical model file that cannot be used."""


def terms_of(text: str) -> list[str]:
    """The 1-2 grams of ``text`` as the vectorizer counts them (duplicates kept)."""
    words = TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class LexicalModel:
    terms: tuple[str, ...]
    idf: np.ndarray
    weight: np.ndarray
    bias: float

    def __post_init__(self) -> None:
        if not (len(self.terms) == len(self.idf) == len(self.weight)):
            raise LexicalError("terms, idf and weight differ in length")
        object.__setattr__(self, "_index", {term: i for i, term in enumerate(self.terms)})

    def raw(self, texts: Sequence[str]) -> np.ndarray:
        """The logistic regression's decision value (a logit before calibration) per text."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        scores = np.full(len(texts), self.bias, dtype=np.float64)
        for row, text in enumerate(texts):
            counts = Counter(index[t] for t in terms_of(text) if t in index)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64, count=len(counts))
            values = tf * self.idf[columns]
            norm = float(np.linalg.norm(values))
            if norm > 0:
                scores[row] += float(values @ self.weight[columns]) / norm
        return scores

    def save(self, folder: Path) -> Path:
        from safetensors.numpy import save_file

        path = Path(folder) / LEXICAL_FILE
        save_file({"idf": self.idf.astype(np.float64), "weight": self.weight.astype(np.float64),
                   "bias": np.array([self.bias], np.float64)},
                  str(path), metadata={"kind": KIND, "ngrams": "1-2", "terms": "\n".join(self.terms)})
        return path

    @classmethod
    def load(cls, folder: Path) -> LexicalModel:
        from safetensors import safe_open

        path = Path(folder) / LEXICAL_FILE
        if not path.is_file():
            raise LexicalError(f"no lexical model at {path}")
        with safe_open(str(path), framework="numpy") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("kind") != KIND:
                raise LexicalError(f"{path}: unknown kind {metadata.get('kind')!r}")
            tensors = {name: handle.get_tensor(name) for name in ("idf", "weight", "bias")}
        terms = tuple(metadata.get("terms", "").split("\n")) if metadata.get("terms") else ()
        return cls(terms, tensors["idf"], tensors["weight"], float(tensors["bias"][0]))


def fit_pipeline(texts: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None,
                 c: float = LEXICAL_C):
    """The scikit-learn pipeline (vectorizer, logistic regression), fitted."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(ngram_range=NGRAMS, sublinear_tf=True, min_df=1),
                             LogisticRegression(C=c, class_weight="balanced", max_iter=5000))
    sample = {} if weights is None else {"logisticregression__sample_weight": np.asarray(weights, dtype=float)}
    return pipeline.fit(list(texts), np.asarray(labels, dtype=int), **sample)


def fit_lexical(texts: Sequence[str], labels: Sequence[int], weights: Sequence[float] | None = None,
                c: float = LEXICAL_C) -> LexicalModel:
    """Fit the pipeline and copy it out as a ``LexicalModel``."""
    pipeline = fit_pipeline(texts, labels, weights, c)
    vectorizer, logistic = pipeline.steps[0][1], pipeline.steps[1][1]
    vocabulary = vectorizer.vocabulary_
    terms = tuple(sorted(vocabulary, key=vocabulary.__getitem__))
    return LexicalModel(terms, np.asarray(vectorizer.idf_, dtype=np.float64),
                        np.asarray(logistic.coef_[0], dtype=np.float64), float(logistic.intercept_[0]))

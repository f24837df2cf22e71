"""The two stages of claim matching for a batch of items, and which of them is in use.

    two stages (default)  stage one: language-centred cosine, ``match_candidates`` claims per item
                          (retrieval.search over ClaimIndex built with the model's centres)
                          stage two: pair features -> calibrated probability (classifier.matching.rerank);
                          a match is a candidate with probability >= threshold, the best
                          ``match_top_k`` kept, strongest first (>= debunk_threshold: kept for
                          the caller to keep only when the item refutes the claim)
    single stage          ``classifier.match_threshold`` set: raw cosine at or over it is a match
                          (the naive way; also for an encoder without a stage-two model)

A match's ``score`` is what its decision was made on: the probability, or in single-stage mode
the cosine. Its ``similarity`` is always the raw cosine of the sentence and the claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.matching.features import CandidateInput, candidate_features
from classifier.matching.rerank import StageTwoModel, load_stage_two
from classifier.matching.retrieval import ClaimIndex, search
from classifier.settings import ClassifierSettings


@dataclass(frozen=True)
class Matcher:
    threshold: float  # stage-two probability (two stages) or cosine (single stage)
    top_k: int
    candidates: int
    model: StageTwoModel | None = None  # None: single stage
    #: Candidates at or over this (and under ``threshold``) are kept only for an item that refutes
    #: the claim (classifier.matching.run drops them otherwise); equal to ``threshold`` by default.
    debunk_threshold: float | None = None

    @property
    def keep_threshold(self) -> float:
        return self.threshold if self.debunk_threshold is None else min(self.threshold, self.debunk_threshold)

    @property
    def stages(self) -> int:
        return 1 if self.model is None else 2

    def build_index(self, ids: Sequence[int], ratings: Sequence[str], blobs: Sequence[bytes],
                    texts: Sequence[str], languages: Sequence[str | None]) -> ClaimIndex:
        centres = None if self.model is None else self.model.centres
        return ClaimIndex.from_bytes(ids, ratings, blobs, texts=texts, languages=languages, centres=centres)


@dataclass(frozen=True)
class ScoredMatch:
    fact_check_id: int
    rating: str
    similarity: float  # raw cosine
    score: float  # what the decision was made on
    sentence_index: int
    claim_language: str


def load_matcher(settings: ClassifierSettings, model_dir: Path, encoder_fingerprint: str | None = None) -> Matcher:
    """Single stage when ``match_threshold`` is set; else the shipped stage-two model, checked
    against the encoder in use (``StageTwoError`` when it is missing or made for another)."""
    if settings.match_threshold is not None:
        return Matcher(float(settings.match_threshold), settings.match_top_k, settings.match_top_k)
    model = load_stage_two(model_dir, encoder_fingerprint)
    threshold = model.threshold if settings.match_score_threshold is None else float(settings.match_score_threshold)
    return Matcher(threshold, settings.match_top_k, settings.match_candidates, model, model.debunk_threshold)


def item_language(matcher: Matcher, language: str | None, vectors: np.ndarray) -> str:
    """The item's language as a centre knows it: the stored one, else the nearest centre's."""
    if matcher.model is None:
        return (language or "").lower()[:2]
    centres = matcher.model.centres
    return centres.languages[centres.index_of(language, np.asarray(vectors).mean(axis=0) if len(vectors) else None)]


def match_batch(matcher: Matcher, index: ClaimIndex, sentences: Sequence[Sequence[str]],
                vectors: Sequence[np.ndarray], languages: Sequence[str | None]) -> list[list[ScoredMatch]]:
    """For each item (its sentence texts, their raw vectors, its language) its matches."""
    if matcher.model is None:
        hits = search(vectors, index, top_k=matcher.top_k, threshold=matcher.threshold)
        return [[ScoredMatch(h.fact_check_id, h.rating, h.similarity, h.similarity, h.sentence_index,
                             index.languages[h.column] if index.languages else "") for h in item]
                for item in hits]
    centres = matcher.model.centres
    item_languages = [item_language(matcher, lang, v) for lang, v in zip(languages, vectors, strict=True)]
    centred = [centres.centre(v, [centres.languages.index(lang)] * len(v))[0] if len(v) else v
               for v, lang in zip(vectors, item_languages, strict=True)]
    hits = search(centred, index, top_k=matcher.candidates, threshold=-np.inf)
    results = []
    for texts, raw, lang, item_hits in zip(sentences, vectors, item_languages, hits, strict=True):
        if not item_hits:
            results.append([])
            continue
        columns = [h.column for h in item_hits]
        claims_raw = index.raw_rows(columns)
        raw_cos = [float(np.asarray(raw[h.sentence_index], dtype=np.float32) @ c) for h, c in zip(item_hits, claims_raw, strict=True)]
        inputs = [CandidateInput(h.similarity, r, index.languages[h.column] == lang, texts[h.sentence_index],
                                 index.texts[h.column]) for h, r in zip(item_hits, raw_cos, strict=True)]
        probabilities = matcher.model.probabilities(candidate_features(inputs))
        kept = [ScoredMatch(h.fact_check_id, h.rating, r, float(p), h.sentence_index, index.languages[h.column])
                for h, r, p in zip(item_hits, raw_cos, probabilities, strict=True) if p >= matcher.keep_threshold]
        kept.sort(key=lambda m: (-m.score, m.fact_check_id))
        results.append(kept[: matcher.top_k])
    return results

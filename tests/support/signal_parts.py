"""Rows of the signal-parts contract for dashboard, alert and storage tests, written through
``storage.repositories.classifications.save_classification`` as the classifier stores them (so the tests do not
depend on the classifier's own writer being finished)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.repositories.classifications import (
    ClassificationRecord,
    item_embeddings,
    save_classification,
    vector_bytes,
)
from storage.schema import Classification

NARRATIVE_NAME = "Boeren worden onteigend"
CLAIM = "Het kabinet onteigent alle boeren"


def contract_parts(flagged_by: tuple[str, ...] = ("head", "narrative"), **replace: Any) -> dict[str, Any]:
    """Every part of the contract, with ``replace`` overriding (``None`` drops a part)."""
    parts: dict[str, Any] = {
        "rule": "parts-v1",
        "flagged_by": list(flagged_by),
        "head": {"score": 0.81, "threshold": 0.55, "version": "nl-disinfo-test"},
        "checkworthy": {"score": 0.74, "threshold": 0.40, "sentence": "Het kabinet gaat alle boeren onteigenen."},
        "narrative": {"score": 0.66, "threshold": 0.60, "name": NARRATIVE_NAME, "similarity": 0.83},
        "topic": {"slug": "stikstof", "score": 0.52},
        "claim_match": {"score": 0.97, "threshold": 0.80, "fact_check_id": 12, "claim": CLAIM,
                        "rating": "Onwaar", "rating_normalised": "false", "languages": "nl-nl", "debunk": True},
    }
    for key, value in replace.items():
        if value is None:
            parts.pop(key, None)
        else:
            parts[key] = value
    return parts


def classify(session: Session, item_id: int, model_version_id: int, *, score: float, flagged: bool,
             parts: dict[str, Any] | None, topic_scores: list[tuple[int, float]] | None = None) -> Classification:
    """Store a classification with these parts (it replaces the item's topics with ``topic_scores``;
    the item's embedding is kept when it has one)."""
    vector = item_embeddings(session, [item_id]).get(item_id)
    vector = [0.0, 1.0] if vector is None else list(vector)
    record = ClassificationRecord(
        item_id=item_id, score=score, raw_score=score, label="disinformation" if flagged else "other",
        flagged=flagged, topics=[], evidence_text=None, evidence_start=None, evidence_end=None,
        encoder="test-encoder", item_vector=vector_bytes(vector), dim=len(vector), signal_parts=parts,
        topic_scores=list(topic_scores or []),
    )
    return save_classification(session, model_version_id, record)

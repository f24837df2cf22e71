"""Repository functions for the classifier's output: classifications, item embeddings, item
sentences and item topics (model versions are in ``storage.repositories.model_versions``).

A classification is written together with the item's embedding, sentences and topics in the
caller's transaction (one per batch), so a re-run replaces them and never duplicates.
The claim matcher owns the ``claim_match`` reason (``storage.repositories.claim_matches``); re-scoring keeps
it and clears ``matched_at`` so the matcher looks at the new sentences again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from storage.errors import NotFound
from storage.queries import chunks
from storage.schema import (
    Classification,
    Item,
    ItemEmbedding,
    ItemSentence,
    ItemTopic,
    ModelVersion,
    PolicyTopic,
    Source,
    utcnow,
)

CLASSIFIER_REASON = "classifier"
CLAIM_MATCH_REASON = "claim_match"


def vector_bytes(vector: Sequence[float] | np.ndarray) -> bytes:
    """float32 little-endian bytes, the storage format of every vector column."""
    return np.asarray(vector, dtype="<f4").tobytes()


def bytes_vector(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4").copy()


# ============================================================================ items to score
@dataclass(frozen=True)
class ItemForScoring:
    item_id: int
    title: str
    summary: str
    body_text: str | None
    language: str | None



def classifiable(languages: Sequence[str]):
    """Items that get a signal: handed over by the collector or in a classified language, and
    never the pages of fact-checkers (those are the debunks, not claims to flag)."""
    factcheck_sources = select(Source.id).where(Source.kind == "factcheck")
    return and_(
        or_(Item.to_classify.is_(True), Item.language.in_(list(languages))),
        ~Item.source_id.in_(factcheck_sources),
    )

def items_for_scoring(
    session: Session,
    model_version_id: int,
    languages: Sequence[str],
    *,
    pending_only: bool = True,
    collected_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 64,
    item_ids: Sequence[int] | None = None,
) -> list[ItemForScoring]:
    """The next ``limit`` items (by id, after ``after_id``) in the languages to classify (or
    handed over by the collector), optionally only those without a classification by this
    version, optionally only those collected since a time, optionally only among ``item_ids``."""
    query = _for_scoring(
        select(Item.id, Item.title, Item.summary, Item.body_text, Item.language).where(Item.id > after_id),
        model_version_id, languages, pending_only, collected_since, item_ids,
    )
    rows = session.execute(query.order_by(Item.id).limit(limit)).all()
    return [ItemForScoring(r.id, r.title or "", r.summary or "", r.body_text, r.language) for r in rows]


def count_items_for_scoring(
    session: Session,
    model_version_id: int,
    languages: Sequence[str],
    *,
    pending_only: bool = True,
    collected_since: datetime | None = None,
    item_ids: Sequence[int] | None = None,
) -> int:
    from sqlalchemy import func

    query = _for_scoring(select(func.count(Item.id)), model_version_id, languages, pending_only, collected_since,
                         item_ids)
    return int(session.scalar(query) or 0)


def _for_scoring(query, model_version_id: int, languages: Sequence[str], pending_only: bool,
                 collected_since: datetime | None, item_ids: Sequence[int] | None):
    """``query`` narrowed to the items ``items_for_scoring`` and its count consider."""
    query = query.where(classifiable(languages))
    if item_ids is not None:
        query = query.where(Item.id.in_(list(item_ids)))
    if pending_only:
        done = exists().where(
            and_(Classification.item_id == Item.id, Classification.model_version_id == model_version_id)
        )
        query = query.where(~done)
    if collected_since is not None:
        query = query.where(Item.collected_at >= collected_since)
    return query


@dataclass(frozen=True)
class PendingItem:
    item_id: int
    collected_at: datetime


def pending_items(
    session: Session,
    model_version_id: int,
    languages: Sequence[str],
    collected_since: datetime,
    *,
    after_id: int = 0,
    limit: int = 1000,
) -> list[PendingItem]:
    """Items waiting for a classification by this version (by id): what the scale-out
    scheduler cuts into classify batches. Same selection as ``items_for_scoring``."""
    wanted = classifiable(languages)
    done = exists().where(and_(Classification.item_id == Item.id, Classification.model_version_id == model_version_id))
    query = (
        select(Item.id, Item.collected_at)
        .where(wanted, ~done, Item.collected_at >= collected_since, Item.id > after_id)
        .order_by(Item.id)
        .limit(limit)
    )
    return [PendingItem(r.id, r.collected_at) for r in session.execute(query).all()]


# ============================================================================ writing results
@dataclass(frozen=True)
class SentenceRecord:
    position: int
    char_start: int
    char_end: int
    text: str
    score: float | None
    checkworthiness: float | None
    vector: bytes | None


@dataclass(frozen=True)
class ClassificationRecord:
    """Everything the classifier stores for one item and one model version."""

    item_id: int
    score: float
    raw_score: float | None
    label: str
    flagged: bool
    topics: list[str]
    evidence_text: str | None
    evidence_start: int | None
    evidence_end: int | None
    encoder: str
    item_vector: bytes
    dim: int
    sentences: list[SentenceRecord] = field(default_factory=list)
    topic_scores: list[tuple[int, float]] = field(default_factory=list)
    #: the signal by its parts (see Classification.signal_parts)
    signal_parts: dict | None = None


def save_classification(session: Session, model_version_id: int, record: ClassificationRecord) -> Classification:
    """Insert or replace the item's classification by this version, with its embedding,
    sentences and topics. A ``claim_match`` reason already on the item is kept."""
    row = session.scalar(
        select(Classification).where(
            Classification.item_id == record.item_id, Classification.model_version_id == model_version_id
        )
    )
    claim_matched = _has_claim_match(session, record.item_id)
    reasons = ([CLASSIFIER_REASON] if record.flagged else []) + ([CLAIM_MATCH_REASON] if claim_matched else [])
    if row is None:
        row = Classification(item_id=record.item_id, model_version_id=model_version_id)
        session.add(row)
    row.score = float(record.score)
    row.raw_score = None if record.raw_score is None else float(record.raw_score)
    row.label = record.label
    row.flagged = bool(reasons)
    row.flag_reasons = reasons
    row.topics = list(record.topics)
    row.evidence_text = record.evidence_text
    row.evidence_start = record.evidence_start
    row.evidence_end = record.evidence_end
    row.signal_parts = record.signal_parts
    row.created_at = utcnow()
    row.matched_at = None  # new sentences: the claim matcher looks again
    _save_embedding(session, record)
    _replace_sentences(session, record.item_id, record.sentences)
    _replace_topics(session, record.item_id, record.topic_scores)
    session.flush()
    return row


def _has_claim_match(session: Session, item_id: int) -> bool:
    for reasons in session.scalars(select(Classification.flag_reasons).where(Classification.item_id == item_id)):
        if CLAIM_MATCH_REASON in (reasons or []):
            return True
    return False


def _save_embedding(session: Session, record: ClassificationRecord) -> None:
    row = session.get(ItemEmbedding, record.item_id)
    if row is None:
        row = ItemEmbedding(item_id=record.item_id)
        session.add(row)
    row.encoder, row.dim, row.vector, row.created_at = record.encoder, record.dim, record.item_vector, utcnow()


def _replace_sentences(session: Session, item_id: int, sentences: Sequence[SentenceRecord]) -> None:
    session.query(ItemSentence).filter(ItemSentence.item_id == item_id).delete(synchronize_session=False)
    session.add_all(
        ItemSentence(
            item_id=item_id,
            position=s.position,
            char_start=s.char_start,
            char_end=s.char_end,
            text=s.text,
            score=s.score,
            checkworthiness=s.checkworthiness,
            vector=s.vector,
        )
        for s in sentences
    )


def _replace_topics(session: Session, item_id: int, topic_scores: Sequence[tuple[int, float]]) -> None:
    session.query(ItemTopic).filter(ItemTopic.item_id == item_id).delete(synchronize_session=False)
    session.add_all(ItemTopic(item_id=item_id, topic_id=t, score=float(s)) for t, s in topic_scores)


# ============================================================================ reading
def classification_for_item(session: Session, item_id: int, model_version_id: int | None = None) -> Classification | None:
    """The item's classification by the given version, else by the most recent one."""
    query = select(Classification).where(Classification.item_id == item_id)
    if model_version_id is not None:
        query = query.where(Classification.model_version_id == model_version_id)
    return session.scalar(query.order_by(Classification.created_at.desc(), Classification.id.desc()).limit(1))


def item_embeddings(session: Session, item_ids: Iterable[int]) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    ids = sorted(set(item_ids))
    for chunk in chunks(ids):
        for item_id, vector in session.execute(
            select(ItemEmbedding.item_id, ItemEmbedding.vector).where(ItemEmbedding.item_id.in_(chunk))
        ):
            found[item_id] = bytes_vector(vector)
    return found


def main_topics(session: Session, item_ids: Sequence[int]) -> dict[int, str]:
    """Each item's highest-scoring topic slug (items without topics are left out)."""
    found: dict[int, tuple[float, str]] = {}
    ids = sorted(set(item_ids))
    for chunk in chunks(ids):
        rows = session.execute(
            select(ItemTopic.item_id, ItemTopic.score, PolicyTopic.slug)
            .join(PolicyTopic, PolicyTopic.id == ItemTopic.topic_id)
            .where(ItemTopic.item_id.in_(chunk))
        ).all()
        for item_id, score, slug in rows:
            if item_id not in found or score > found[item_id][0]:
                found[item_id] = (float(score), slug)
    return {item_id: slug for item_id, (_, slug) in found.items()}


def sentences_of_item(session: Session, item_id: int) -> list[ItemSentence]:
    return list(
        session.scalars(select(ItemSentence).where(ItemSentence.item_id == item_id).order_by(ItemSentence.position))
    )


def topics_of_item(session: Session, item_id: int) -> list[tuple[PolicyTopic, float]]:
    rows = session.execute(
        select(PolicyTopic, ItemTopic.score)
        .join(ItemTopic, ItemTopic.topic_id == PolicyTopic.id)
        .where(ItemTopic.item_id == item_id)
        .order_by(ItemTopic.score.desc())
    ).all()
    return [(r[0], float(r[1])) for r in rows]


@dataclass(frozen=True)
class ScoredItem:
    """A classified item as the label queue needs it."""

    item_id: int
    score: float
    threshold: float
    collected_at: datetime
    published_at: datetime | None
    duplicate_of: int | None
    topics: list[str]
    evidence_checkworthiness: float | None


def scored_items_since(
    session: Session, model_version_id: int, since: datetime, exclude: set[int] | None = None, limit: int = 2000
) -> list[ScoredItem]:
    """Classified items of this version collected since ``since``, newest first."""
    version = session.get(ModelVersion, model_version_id)
    if version is None:
        raise NotFound(f"no model version {model_version_id}")
    rows = session.execute(
        select(
            Classification.item_id, Classification.score, Classification.topics, Classification.evidence_start,
            Item.collected_at, Item.published_at, Item.duplicate_of,
        )
        .join(Item, Item.id == Classification.item_id)
        .where(Classification.model_version_id == model_version_id, Item.collected_at >= since)
        .order_by(Item.collected_at.desc(), Item.id.desc())
        .limit(limit)
    ).all()
    exclude = exclude or set()
    wanted = [r for r in rows if r.item_id not in exclude]
    evidence_cw = _evidence_checkworthiness(session, [(r.item_id, r.evidence_start) for r in wanted])
    return [
        ScoredItem(r.item_id, float(r.score), float(version.threshold), r.collected_at, r.published_at,
                   r.duplicate_of, list(r.topics or []), evidence_cw.get(r.item_id))
        for r in wanted
    ]


def _evidence_checkworthiness(session: Session, pairs: Sequence[tuple[int, int | None]]) -> dict[int, float]:
    starts = {item_id: start for item_id, start in pairs if start is not None}
    found: dict[int, float] = {}
    ids = sorted(starts)
    for chunk in chunks(ids):
        for item_id, char_start, cw in session.execute(
            select(ItemSentence.item_id, ItemSentence.char_start, ItemSentence.checkworthiness).where(
                ItemSentence.item_id.in_(chunk)
            )
        ):
            if cw is not None and starts.get(item_id) == char_start:
                found[item_id] = float(cw)
    return found

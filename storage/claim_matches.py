"""Repository functions for ``claim_matches`` and the combined signal on ``classifications``.

The combined signal, explicitly:

    flagged = "classifier" in flag_reasons           (the classifier's score is over its threshold)
           or "claim_match" in flag_reasons          (a sentence matches the claim of a fact-check
                                                      rated false or mostly_false, with cosine
                                                      similarity at or over the match threshold)

Claim matching only ever adds or removes its own reason ``claim_match``; the classifier's
reason is never touched. What needs matching is read from the database: classifications with
``matched_at IS NULL`` (items) and fact-checks with ``matched_at IS NULL``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.schema import ClaimMatch, Classification, FactCheck, Item, ItemEmbedding, ItemSentence, utcnow

CLAIM_MATCH_REASON = "claim_match"
#: Ratings that debunk a claim: a strong match with one of them raises the item's signal.
DEBUNKING_RATINGS = ("false", "mostly_false")
#: Items per IN (...) query, well below SQLite's and PostgreSQL's parameter limits.
_IN_CHUNK = 500


@dataclass(frozen=True)
class MatchRecord:
    """One fact-check matched by one item, with the item's sentence that matched best."""

    fact_check_id: int
    similarity: float
    sentence: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None


@dataclass(frozen=True)
class SentenceRow:
    position: int
    char_start: int
    char_end: int
    text: str
    vector: bytes | None


@dataclass(frozen=True)
class ItemText:
    item_id: int
    title: str
    summary: str
    body_text: str | None
    language: str | None


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield list(values[start : start + _IN_CHUNK])


# --------------------------------------------------------------------------- what to match
def items_needing_match(session: Session, limit: int | None = None) -> list[int]:
    """Items with a classification that was never matched, oldest classification first."""
    query = (
        select(Classification.item_id)
        .where(Classification.matched_at.is_(None))
        .group_by(Classification.item_id)
        .order_by(Classification.item_id)
    )
    return list(session.scalars(query.limit(limit) if limit else query).all())


def recent_matched_item_ids(session: Session, since: datetime) -> list[int]:
    """Classified items collected since ``since`` that have been matched before: the items a new
    fact-check is matched against (unmatched items get every fact-check in their own turn)."""
    query = (
        select(Item.id)
        .join(Classification, Classification.item_id == Item.id)
        .where(Item.collected_at >= since, Classification.matched_at.is_not(None))
        .group_by(Item.id)
        .order_by(Item.id)
    )
    return list(session.scalars(query).all())


def mark_items_matched(
    session: Session, item_ids: Iterable[int], at: datetime | None = None, classified_before: datetime | None = None
) -> None:
    """Set ``matched_at`` on the items' unmatched classifications. With ``classified_before``,
    a classification written after the matcher read the item stays unmatched (it may carry
    new sentences), so the next run looks at it again."""
    ids = sorted(set(item_ids))
    when = at or utcnow()
    for chunk in _chunks(ids):
        query = session.query(Classification).filter(
            Classification.item_id.in_(chunk), Classification.matched_at.is_(None)
        )
        if classified_before is not None:
            query = query.filter(Classification.created_at <= classified_before)
        query.update({Classification.matched_at: when}, synchronize_session=False)


# --------------------------------------------------------------------------- item sentences and text
def item_sentences(session: Session, item_ids: Sequence[int]) -> dict[int, list[SentenceRow]]:
    """The classifier's stored sentences of each item (with vectors where it kept them)."""
    found: dict[int, list[SentenceRow]] = {}
    for chunk in _chunks(list(item_ids)):
        rows = session.execute(
            select(ItemSentence.item_id, ItemSentence.position, ItemSentence.char_start, ItemSentence.char_end,
                   ItemSentence.text, ItemSentence.vector)
            .where(ItemSentence.item_id.in_(chunk))
            .order_by(ItemSentence.item_id, ItemSentence.position)
        ).all()
        for r in rows:
            found.setdefault(r.item_id, []).append(SentenceRow(r.position, r.char_start, r.char_end, r.text, r.vector))
    return found


def item_encoders(session: Session, item_ids: Sequence[int]) -> dict[int, str]:
    """Which encoder made each item's stored embedding (and so its sentence vectors)."""
    found: dict[int, str] = {}
    for chunk in _chunks(list(item_ids)):
        rows = session.execute(
            select(ItemEmbedding.item_id, ItemEmbedding.encoder).where(ItemEmbedding.item_id.in_(chunk))
        ).all()
        found.update((r.item_id, r.encoder) for r in rows)
    return found


def item_texts(session: Session, item_ids: Sequence[int]) -> dict[int, ItemText]:
    found: dict[int, ItemText] = {}
    for chunk in _chunks(list(item_ids)):
        rows = session.execute(
            select(Item.id, Item.title, Item.summary, Item.body_text, Item.language).where(Item.id.in_(chunk))
        ).all()
        for r in rows:
            found[r.id] = ItemText(r.id, r.title or "", r.summary or "", r.body_text, r.language)
    return found


# --------------------------------------------------------------------------- matches
def replace_item_matches(session: Session, item_id: int, matches: Sequence[MatchRecord]) -> None:
    """The item's complete set of matches, from a full search: older matches are replaced."""
    session.query(ClaimMatch).filter(ClaimMatch.item_id == item_id).delete(synchronize_session=False)
    now = utcnow()
    for m in matches:
        session.add(ClaimMatch(
            item_id=item_id, fact_check_id=m.fact_check_id, similarity=float(m.similarity), sentence=m.sentence,
            sentence_start=m.sentence_start, sentence_end=m.sentence_end, created_at=now,
        ))
    session.flush()


def merge_item_matches(session: Session, item_id: int, matches: Sequence[MatchRecord], top_k: int) -> None:
    """Add matches found for new fact-checks, then keep the item's ``top_k`` strongest."""
    existing = {m.fact_check_id: m for m in session.scalars(select(ClaimMatch).where(ClaimMatch.item_id == item_id))}
    now = utcnow()
    for m in matches:
        row = existing.get(m.fact_check_id)
        if row is None:
            row = ClaimMatch(item_id=item_id, fact_check_id=m.fact_check_id, created_at=now)
            session.add(row)
            existing[m.fact_check_id] = row
        row.similarity, row.sentence = float(m.similarity), m.sentence
        row.sentence_start, row.sentence_end = m.sentence_start, m.sentence_end
    ranked = sorted(existing.values(), key=lambda r: (-r.similarity, r.fact_check_id))
    for row in ranked[top_k:]:
        if row.id is None:
            session.expunge(row)
        else:
            session.delete(row)
    session.flush()


@dataclass(frozen=True)
class MatchView:
    """A match as the dashboard and the CLI show it."""

    item_id: int
    fact_check_id: int
    similarity: float
    sentence: str | None
    sentence_start: int | None
    sentence_end: int | None
    claim: str
    rating: str
    rating_text: str | None
    publisher: str
    url: str
    language: str | None
    published_at: datetime | None


def _views(rows) -> list[MatchView]:
    return [
        MatchView(m.item_id, m.fact_check_id, m.similarity, m.sentence, m.sentence_start, m.sentence_end,
                  f.claim_reviewed, f.rating, f.rating_text, f.publisher, f.url, f.language, f.published_at)
        for m, f in rows
    ]


def matches_for_item(session: Session, item_id: int) -> list[MatchView]:
    rows = session.execute(
        select(ClaimMatch, FactCheck).join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id)
        .where(ClaimMatch.item_id == item_id).order_by(ClaimMatch.similarity.desc(), ClaimMatch.fact_check_id)
    ).all()
    return _views(rows)


def matches_for_fact_check(session: Session, fact_check_id: int, limit: int = 50) -> list[MatchView]:
    rows = session.execute(
        select(ClaimMatch, FactCheck).join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id)
        .where(ClaimMatch.fact_check_id == fact_check_id)
        .order_by(ClaimMatch.similarity.desc(), ClaimMatch.item_id).limit(limit)
    ).all()
    return _views(rows)


# --------------------------------------------------------------------------- combined signal
def items_with_debunk(session: Session, item_ids: Sequence[int], threshold: float) -> set[int]:
    """Those of ``item_ids`` that match a false/mostly_false fact-check at or over ``threshold``."""
    found: set[int] = set()
    for chunk in _chunks(list(item_ids)):
        found.update(session.scalars(
            select(ClaimMatch.item_id).join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id)
            .where(ClaimMatch.item_id.in_(chunk), ClaimMatch.similarity >= threshold,
                   FactCheck.rating.in_(DEBUNKING_RATINGS))
        ).all())
    return found


def combined_reasons(reasons: Sequence[str], debunked: bool) -> list[str]:
    """Pure: the classification's reasons with ``claim_match`` added or removed; others kept."""
    kept = [r for r in reasons if r != CLAIM_MATCH_REASON]
    return [*kept, CLAIM_MATCH_REASON] if debunked else kept


def refresh_claim_signal(
    session: Session, item_ids: Iterable[int], threshold: float, support_min_score: float = 0.0
) -> int:
    """Bring ``flagged``/``flag_reasons`` of the items' classifications up to date with their
    matches. A debunked-claim match raises the flag only where the classifier's score is at
    least ``support_min_score``: the match says which claim is meant, the score that the item
    carries the claim rather than reports on it (a debunk article matches its fact-check too).
    Returns how many of the items carry the ``claim_match`` reason now."""
    ids = sorted(set(item_ids))
    debunked = items_with_debunk(session, ids, threshold)
    raised: set[int] = set()
    for chunk in _chunks(ids):
        for row in session.scalars(select(Classification).where(Classification.item_id.in_(chunk))):
            supported = row.item_id in debunked and row.score >= support_min_score
            raised.update([row.item_id] if supported else [])
            reasons = combined_reasons(list(row.flag_reasons or []), supported)
            if reasons != list(row.flag_reasons or []):
                row.flag_reasons = reasons
                # The classifier's own reason, if any, keeps the flag up; ours alone can lower it.
                row.flagged = bool(reasons)
            elif supported and not row.flagged:
                row.flagged = True
    session.flush()
    return len(raised)

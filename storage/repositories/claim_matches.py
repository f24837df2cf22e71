"""Repository functions for ``claim_matches`` and the claim-match part of the signal on
``classifications``.

The combined signal, explicitly:

    flagged = "classifier" in flag_reasons           (the classifier's parts raised it and no
                                                      debunk held it back)
           or "claim_match" in flag_reasons          (set by the matcher's decision)

Which matches raise the flag, or hold the classifier's back, is decided in
``classifier.matching.signal`` (pure functions); this module reads what the decision needs
(``classification_signals``, ``matches_for_items``) and writes the rows it is given
(``write_claim_signals``). What needs matching is read from the database: classifications with ``matched_at IS
NULL`` (items) and fact-checks with ``matched_at IS NULL``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.queries import chunks
from storage.schema import (
    ClaimMatch,
    Classification,
    FactCheck,
    Item,
    ItemEmbedding,
    ItemSentence,
    Source,
    utcnow,
)

CLAIM_MATCH_REASON = "claim_match"
CLAIM_MATCH_PART = "claim_match"
#: The classifier's reason and the part that stands for it in ``flagged_by``.
CLASSIFIER_REASON, HEAD_PART = "classifier", "head"
#: The parts' combination rule, written only when a row has no parts yet (scored before them).
DEFAULT_PARTS_RULE = "parts-v1"
#: Items per IN (...) query, well below SQLite's and PostgreSQL's parameter limits.


@dataclass(frozen=True)
class MatchRecord:
    """One fact-check matched by one item, with the item's sentence that matched best."""

    fact_check_id: int
    similarity: float
    sentence: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    score: float | None = None  # stage-two probability
    debunk: bool = False
    debunk_cue: str | None = None


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
    for chunk in chunks(ids):
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
    for chunk in chunks(list(item_ids)):
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
    for chunk in chunks(list(item_ids)):
        rows = session.execute(
            select(ItemEmbedding.item_id, ItemEmbedding.encoder).where(ItemEmbedding.item_id.in_(chunk))
        ).all()
        found.update((r.item_id, r.encoder) for r in rows)
    return found


@dataclass(frozen=True)
class ItemOrigin:
    title: str
    source_kind: str | None
    language: str | None


def item_origins(session: Session, item_ids: Sequence[int]) -> dict[int, ItemOrigin]:
    """Title, source kind and language of each item: what tells a debunk article apart."""
    found: dict[int, ItemOrigin] = {}
    for chunk in chunks(list(item_ids)):
        rows = session.execute(
            select(Item.id, Item.title, Item.language, Source.kind)
            .join(Source, Source.id == Item.source_id, isouter=True).where(Item.id.in_(chunk))
        ).all()
        found.update((r.id, ItemOrigin(r.title or "", r.kind, r.language)) for r in rows)
    return found


def item_texts(session: Session, item_ids: Sequence[int]) -> dict[int, ItemText]:
    found: dict[int, ItemText] = {}
    for chunk in chunks(list(item_ids)):
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
            sentence_start=m.sentence_start, sentence_end=m.sentence_end, score=_optional(m.score),
            debunk=bool(m.debunk), debunk_cue=m.debunk_cue, created_at=now,
        ))
    session.flush()


def item_match_strengths(session: Session, item_id: int) -> dict[int, tuple[float | None, float]]:
    """The item's stored matches by fact-check id: (stage-two score, similarity)."""
    rows = session.execute(
        select(ClaimMatch.fact_check_id, ClaimMatch.score, ClaimMatch.similarity).where(ClaimMatch.item_id == item_id)
    )
    return {fact_check_id: (score, similarity) for fact_check_id, score, similarity in rows}


def merge_item_matches(
    session: Session, item_id: int, matches: Sequence[MatchRecord], keep: Collection[int]
) -> None:
    """Add (or update) matches found for new fact-checks, then keep only the item's matches of
    the fact-checks in ``keep`` (decided by ``classifier.matching.merge.kept_fact_checks``)."""
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
        row.score, row.debunk, row.debunk_cue = _optional(m.score), bool(m.debunk), m.debunk_cue
    for row in [row for fact_check_id, row in existing.items() if fact_check_id not in keep]:
        if row.id is None:
            session.expunge(row)
        else:
            session.delete(row)
    session.flush()


def _optional(value: float | None) -> float | None:
    return None if value is None else float(value)


def _strength(score: float | None, similarity: float) -> float:
    """Order of matches: the stage-two probability; a match from before it by its cosine, after."""
    return float(score) if score is not None else float(similarity) - 1.0


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
    score: float | None = None  # stage-two probability (None: matched before the second stage)
    debunk: bool = False  # the item quotes the claim to refute it
    debunk_cue: str | None = None
    item_language: str | None = None
    headline: str | None = None


def _views(rows) -> list[MatchView]:
    views = [
        MatchView(m.item_id, m.fact_check_id, m.similarity, m.sentence, m.sentence_start, m.sentence_end,
                  f.claim_reviewed, f.rating, f.rating_text, f.publisher, f.url, f.language, f.published_at,
                  m.score, bool(m.debunk), m.debunk_cue, language, f.headline)
        for m, f, language in rows
    ]
    return sorted(views, key=lambda v: (v.item_id, -_strength(v.score, v.similarity), v.fact_check_id))


def _match_rows():
    return (select(ClaimMatch, FactCheck, Item.language)
            .join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id).join(Item, Item.id == ClaimMatch.item_id))


def matches_for_item(session: Session, item_id: int) -> list[MatchView]:
    """The item's matches, strongest first."""
    return _views(session.execute(_match_rows().where(ClaimMatch.item_id == item_id)).all())


def matches_for_items(session: Session, item_ids: Sequence[int]) -> dict[int, list[MatchView]]:
    found: dict[int, list[MatchView]] = {}
    for chunk in chunks(list(item_ids)):
        for view in _views(session.execute(_match_rows().where(ClaimMatch.item_id.in_(chunk))).all()):
            found.setdefault(view.item_id, []).append(view)
    return found


def matches_for_fact_check(session: Session, fact_check_id: int, limit: int = 50) -> list[MatchView]:
    rows = session.execute(
        _match_rows().where(ClaimMatch.fact_check_id == fact_check_id)
        .order_by(ClaimMatch.similarity.desc(), ClaimMatch.item_id).limit(limit)
    ).all()
    return sorted(_views(rows), key=lambda v: (-_strength(v.score, v.similarity), v.item_id))


# --------------------------------------------------------------------------- combined signal
@dataclass(frozen=True)
class ClassificationSignal:
    """What the claim-signal decision needs of one classification row."""

    classification_id: int
    item_id: int
    score: float
    flag_reasons: list[str]
    signal_parts: dict | None


def classification_signals(session: Session, item_ids: Sequence[int]) -> list[ClassificationSignal]:
    found = []
    for chunk in chunks(sorted(set(item_ids))):
        rows = session.execute(
            select(Classification.id, Classification.item_id, Classification.score, Classification.flag_reasons,
                   Classification.signal_parts)
            .where(Classification.item_id.in_(chunk)).order_by(Classification.id)
        ).all()
        found.extend(ClassificationSignal(r.id, r.item_id, float(r.score), list(r.flag_reasons or []),
                                          r.signal_parts if isinstance(r.signal_parts, dict) else None)
                     for r in rows)
    return found


def write_claim_signals(session: Session, updates: Sequence[tuple[int, list[str], bool, dict | None]]) -> int:
    """Write ``(classification id, flag_reasons, flagged, signal_parts)`` as decided; rows already
    so are left alone. Returns how many rows changed."""
    wanted = {cid: (list(reasons), bool(flagged), parts) for cid, reasons, flagged, parts in updates}
    changed = 0
    for chunk in chunks(sorted(wanted)):
        for row in session.scalars(select(Classification).where(Classification.id.in_(chunk))):
            reasons, flagged, parts = wanted[row.id]
            if (list(row.flag_reasons or []), bool(row.flagged), row.signal_parts) == (reasons, flagged, parts):
                continue
            row.flag_reasons, row.flagged, row.signal_parts = reasons, flagged, parts
            changed += 1
    session.flush()
    return changed


@dataclass(frozen=True)
class ClaimText:
    claim: str
    language: str | None


def claim_texts(session: Session, fact_check_ids: Sequence[int]) -> dict[int, ClaimText]:
    """The claim and its language of each fact-check (the second stage reads the words)."""
    found: dict[int, ClaimText] = {}
    for chunk in chunks(list(fact_check_ids)):
        rows = session.execute(
            select(FactCheck.id, FactCheck.claim_reviewed, FactCheck.language).where(FactCheck.id.in_(chunk))
        ).all()
        found.update((r.id, ClaimText(r.claim_reviewed, r.language)) for r in rows)
    return found

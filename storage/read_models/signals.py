"""Read models for the dashboard's pages: the list of signals, one signal in detail, the
figures of the last 24 hours, source health and the threshold preview.

Every page reads through these functions (and ``storage.read_models.daily_counts``); none writes. An item's
signal is its latest classification (``storage.read_models.daily_counts.is_latest``), and the
list shows each story once: syndicated copies (``items.duplicate_of``) are left out and
counted as carriers of their original instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from storage.queries import is_latest, latest_classification_id
from storage.read_models.daily_counts import SignalFilter, bucket_floor, day_bounds
from storage.repositories.claim_matches import MatchView, matches_for_item
from storage.repositories.labels import LabelRecord, label_history
from storage.schema import (
    ClaimMatch,
    Classification,
    Item,
    ItemTopic,
    ModelVersion,
    PolicyTopic,
    Source,
)

#: Newest first/last walks ``ix_items_original_appeared``; by score walks
#: ``ix_classifications_flagged_score``: both stop at the page instead of sorting everything.
SORT_KEYS = ("time", "score")
#: Sources count as failing from their first failed fetch in a row.
HEALTHY_STATUSES = ("ok", "not_modified")
#: Item ids start at 1: ``coalesce(duplicate_of, 0) = 0`` means "not a copy" without an index.
NO_ITEM = 0


@dataclass(frozen=True)
class SignalRow:
    item_id: int
    title: str
    source_name: str
    collected_at: datetime
    published_at: datetime | None
    language: str | None
    url: str | None
    score: float
    flag_reasons: list[str]
    topics: list[str] = field(default_factory=list)
    debunks: int = 0
    appeared_at: datetime | None = None  # published, unless missing or after collected_at


@dataclass(frozen=True)
class TopicView:
    id: int
    slug: str
    name: str
    name_en: str | None
    ministry: str | None


@dataclass(frozen=True)
class SignalDetail:
    item_id: int
    title: str
    url: str | None
    source_name: str
    published_at: datetime | None
    collected_at: datetime
    language: str | None
    texts: list[str]
    score: float | None
    flagged: bool
    flag_reasons: list[str]
    threshold: float | None
    model_name: str | None
    evidence_text: str | None
    evidence_start: int | None
    evidence_end: int | None
    topics: list[TopicView]
    matches: list[MatchView]
    carriers: int
    labels: list[LabelRecord]
    #: the signal by its parts (``classifications.signal_parts``); None for rows scored before
    signal_parts: dict | None = None


@dataclass(frozen=True)
class OverviewFigures:
    collected: int
    flagged: int
    new_matches: int
    sources_healthy: int
    sources_failing: int
    sources_disabled: int


@dataclass(frozen=True)
class SourceHealth:
    id: int
    name: str
    url: str
    kind: str
    enabled: bool
    disabled_reason: str | None
    interval_seconds: int
    language: str | None
    last_status: str | None
    last_error: str | None
    last_fetched_at: datetime | None
    next_due_at: datetime | None
    consecutive_failures: int


# --------------------------------------------------------------------------- signals
def flagged_by_time(signal) -> ColumnElement:
    """``flagged`` written so that no index on it can be used: the query then walks
    ``items.collected_at`` (newest first, stopping at the page) instead of every flagged
    classification ever stored, which SQLite without statistics would otherwise prefer."""
    return func.coalesce(signal.flagged, False).is_(True)


def _by_score(column: ColumnElement) -> ColumnElement:
    """The column wrapped so that no index on it can be used (see ``_signals_base``)."""
    return func.coalesce(column, column)


def _signals_base(f: SignalFilter, *columns, walk: str = "any") -> Select:
    """Flagged stories in the filter. ``walk`` steers SQLite, which has no statistics to choose
    well: "time" walks ``ix_items_original_appeared`` newest first, "score" walks
    ``ix_classifications_flagged_score`` highest first; both stop at the page. Periods are
    of ``appeared_at``: when the item appeared, not when Waakhond happened to fetch it."""
    signal = aliased(Classification, name="signal")
    start, _ = day_bounds(f.first_day)
    _, end = day_bounds(f.last_day)
    appeared = _by_score(Item.appeared_at) if walk == "score" else Item.appeared_at
    original = (func.coalesce(Item.duplicate_of, NO_ITEM) == NO_ITEM) if walk == "score" else Item.duplicate_of.is_(None)
    query = (
        select(*[c(signal) if callable(c) else c for c in columns])
        .select_from(Item)
        .join(signal, and_(signal.item_id == Item.id, is_latest(signal)))
        .where(appeared >= start, appeared < end, original,
               flagged_by_time(signal) if walk == "time" else signal.flagged.is_(True))
    )
    if f.min_score > 0:
        query = query.where(signal.score >= bucket_floor(f.min_score))
    if f.topic_id is not None:
        query = query.where(
            select(ItemTopic.item_id).where(ItemTopic.item_id == Item.id, ItemTopic.topic_id == f.topic_id).exists()
        )
    if f.source_id is not None:
        query = query.where(Item.source_id == f.source_id)
    if f.language is not None:
        query = query.where(func.coalesce(Item.language, "") == f.language)
    return query


def count_signals(session: Session, f: SignalFilter) -> int:
    return int(session.scalar(_signals_base(f, func.count(Item.id))) or 0)


def list_signals(
    session: Session, f: SignalFilter, sort: str = "time", descending: bool = True, offset: int = 0, limit: int = 50
) -> list[SignalRow]:
    """One page of flagged stories, sorted on the server so that paging is stable."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORT_KEYS)}")
    columns = (Item.id, Item.title, Source.name, Item.collected_at, Item.published_at, Item.language, Item.url,
               lambda s: s.score, lambda s: s.flag_reasons, Item.appeared_at)
    query = _signals_base(f, *columns, walk=sort).join(Source, Source.id == Item.source_id)
    key = Item.appeared_at if sort == "time" else query.selected_columns[7]  # score: the signal's column

    order = [key.desc() if descending else key.asc(), Item.id.desc() if descending else Item.id.asc()]
    rows = session.execute(query.order_by(*order).offset(offset).limit(limit)).all()
    ids = [r[0] for r in rows]
    topics = topic_names_of(session, ids)
    debunks = debunk_counts(session, ids)
    return [
        SignalRow(r[0], r[1] or "", r[2], r[3], r[4], r[5], r[6], float(r[7]), list(r[8] or []),
                  topics.get(r[0], []), debunks.get(r[0], 0), appeared_at=r[9])
        for r in rows
    ]


def topic_names_of(session: Session, item_ids: Sequence[int], column=PolicyTopic.name) -> dict[int, list[str]]:
    """Per item, its topics' ``column`` (names by default), best-scoring first."""
    found: dict[int, list[str]] = {}
    if not item_ids:
        return found
    rows = session.execute(
        select(ItemTopic.item_id, column).join(PolicyTopic, PolicyTopic.id == ItemTopic.topic_id)
        .where(ItemTopic.item_id.in_(list(item_ids))).order_by(ItemTopic.item_id, ItemTopic.score.desc())
    ).all()
    for item_id, value in rows:
        found.setdefault(item_id, []).append(value)
    return found


def debunk_counts(session: Session, item_ids: Sequence[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = session.execute(
        select(ClaimMatch.item_id, func.count(ClaimMatch.id)).where(ClaimMatch.item_id.in_(list(item_ids)))
        .group_by(ClaimMatch.item_id)
    ).all()
    return {int(i): int(n) for i, n in rows}


def signal_detail(session: Session, item_id: int) -> SignalDetail | None:
    item = session.get(Item, item_id)
    if item is None:
        return None
    source = session.get(Source, item.source_id)
    signal = session.scalar(select(Classification).where(Classification.id == latest_classification_id(item.id)))
    version = session.get(ModelVersion, signal.model_version_id) if signal is not None else None
    texts = [t for t in (item.body_text, item.summary, item.title) if t]
    return SignalDetail(
        item_id=item.id, title=item.title or "", url=item.url or item.canonical_url,
        source_name=source.name if source else "", published_at=item.published_at,
        collected_at=item.collected_at, language=item.language, texts=texts,
        score=signal.score if signal else None, flagged=bool(signal and signal.flagged),
        flag_reasons=list(signal.flag_reasons or []) if signal else [],
        threshold=version.threshold if version else None, model_name=version.name if version else None,
        evidence_text=signal.evidence_text if signal else None,
        evidence_start=signal.evidence_start if signal else None,
        evidence_end=signal.evidence_end if signal else None,
        topics=topics_of(session, item.id), matches=matches_for_item(session, item.id),
        carriers=carrier_count(session, item), labels=label_history(session, item.id),
        signal_parts=signal.signal_parts if signal else None,
    )


def topics_of(session: Session, item_id: int) -> list[TopicView]:
    rows = session.scalars(
        select(PolicyTopic).join(ItemTopic, ItemTopic.topic_id == PolicyTopic.id)
        .where(ItemTopic.item_id == item_id).order_by(ItemTopic.score.desc())
    ).all()
    return [TopicView(t.id, t.slug, t.name, t.name_en, t.ministry) for t in rows]


def carrier_count(session: Session, item: Item) -> int:
    """How many distinct sources carried this story: the original and its syndicated copies."""
    original = item.duplicate_of or item.id
    return int(session.scalar(
        select(func.count(func.distinct(Item.source_id))).where(or_(Item.id == original, Item.duplicate_of == original))
    ) or 0)


# --------------------------------------------------------------------------- overview
def overview_figures(session: Session, now: datetime, hours: int = 24) -> OverviewFigures:
    since = now - timedelta(hours=hours)
    signal = aliased(Classification)
    collected = session.scalar(select(func.count(Item.id)).where(Item.collected_at >= since)) or 0
    flagged = session.scalar(
        select(func.count(Item.id)).join(signal, and_(signal.item_id == Item.id, is_latest(signal)))
        .where(Item.collected_at >= since, Item.duplicate_of.is_(None), flagged_by_time(signal))
    ) or 0
    matches = session.scalar(select(func.count(ClaimMatch.id)).where(ClaimMatch.created_at >= since)) or 0
    healthy = failing = disabled = 0
    for enabled, status, failures in session.execute(
        select(Source.enabled, Source.last_status, Source.consecutive_failures)
    ).all():
        if not enabled:
            disabled += 1
        elif failures or (status is not None and status not in HEALTHY_STATUSES):
            failing += 1
        else:
            healthy += 1
    return OverviewFigures(int(collected), int(flagged), int(matches), healthy, failing, disabled)


# --------------------------------------------------------------------------- sources, topics
def source_health(session: Session) -> list[SourceHealth]:
    rows = session.scalars(select(Source).order_by(Source.name, Source.id)).all()
    return [
        SourceHealth(s.id, s.name, s.url, s.kind, s.enabled, s.disabled_reason, s.interval_seconds, s.language,
                     s.last_status, s.last_error, s.last_fetched_at, s.next_due_at, s.consecutive_failures or 0)
        for s in rows
    ]


@dataclass(frozen=True)
class NewestItem:
    source_id: int
    name: str
    newest_item_at: datetime | None  # when its newest item was collected (None: no item yet)


def newest_item_per_source(session: Session) -> list[NewestItem]:
    """When each enabled source last brought a new item (``sources.last_new_item_at``, kept by
    ``upsert_fetch``), for the freshness metric."""
    rows = session.execute(
        select(Source.id, Source.name, Source.last_new_item_at).where(Source.enabled.is_(True)).order_by(Source.id)
    ).all()
    return [NewestItem(int(r.id), r.name, r.last_new_item_at) for r in rows]


def source_names(session: Session) -> dict[int, str]:
    return {int(i): n for i, n in session.execute(select(Source.id, Source.name).order_by(Source.name)).all()}


def topic_list(session: Session) -> list[TopicView]:
    rows = session.scalars(select(PolicyTopic).order_by(PolicyTopic.name)).all()
    return [TopicView(t.id, t.slug, t.name, t.name_en, t.ministry) for t in rows]


def item_languages(session: Session) -> list[str]:
    """Languages seen on sources (cheap: ``sources`` is small) for the language filter."""
    found = {lang for lang in session.scalars(select(Source.language).distinct()) if lang}
    return sorted(found)


# --------------------------------------------------------------------------- models
@dataclass(frozen=True)
class ThresholdPreview:
    scored: int
    at_or_above: int


def threshold_preview(session: Session, model_version_id: int, since: datetime, threshold: float) -> ThresholdPreview:
    """Of the items this version scored since ``since``, how many reach ``threshold``."""
    base = select(func.count(Classification.id)).where(
        Classification.model_version_id == model_version_id, Classification.created_at >= since
    )
    scored = session.scalar(base) or 0
    above = session.scalar(base.where(Classification.score >= threshold)) or 0
    return ThresholdPreview(int(scored), int(above))

"""The daily aggregate behind the dashboard's trends: ``daily_topic_counts``.

    refresh_daily_counts(session, now)                    # the service calls it every tick
        since = newest updated_at in the table - REFRESH_OVERLAP     (empty table: every day)
        dirty = UTC days (of appearance) of items collected, (re)scored or claim-matched since
        for each dirty day: delete its rows, insert its counts recomputed from ``items``

One row counts, for one UTC day of ``items.appeared_at`` (published, unless missing or later
than collected: a first fetch that backfills a month lands on the right days), one topic,
source, language and
score bucket:
    items       items that are not syndicated copies (``duplicate_of IS NULL``)
    flagged     of those, the flagged ones
    duplicates  syndicated copies (trends leave them out; a source's volume keeps them)
``topic_id``: ALL_TOPICS (-1) carries every item once, NO_TOPIC (0) items without a topic, any
other id that topic (an item with two topics counts in both). ``score_bucket``: flagged items
by score, in SCORE_BUCKETS equal steps; NOT_FLAGGED (-1) for every other item.
An item's signal is its latest classification, whichever model version wrote it.

The same counts computed straight from ``items`` (``flagged_per_day_from_items``) are the
reference: tests compare both, and ``bench/dashboard_queries.py`` times both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from storage.queries import is_latest
from storage.schema import ClaimMatch, Classification, DailyTopicCount, Item, ItemTopic, UTCDateTime, utcnow

ALL_TOPICS = -1
NO_TOPIC = 0
NOT_FLAGGED = -1
#: Flagged items are counted per 1/SCORE_BUCKETS of score, so a minimum-score filter on that
#: grid is exact; the dashboard offers minimum scores on this grid only.
SCORE_BUCKETS = 20
#: How far back a refresh looks before the last one: longer than any write transaction of the
#: collector or classifier, whose rows become visible only when they commit.
REFRESH_OVERLAP = timedelta(minutes=15)


@dataclass(frozen=True)
class SignalFilter:
    """Whole UTC days ``first_day``..``last_day`` and the dashboard's filters."""

    first_day: date
    last_day: date
    topic_id: int | None = None
    source_id: int | None = None
    language: str | None = None
    min_score: float = 0.0


@dataclass(frozen=True, order=True)
class DayCount:
    day: date
    topic_id: int
    flagged: int


@dataclass(frozen=True)
class RefreshResult:
    days: list[date]
    rows: int


def min_score_bucket(min_score: float) -> int:
    """The first bucket at or above ``min_score``, rounded down to the bucket grid."""
    return max(0, min(SCORE_BUCKETS - 1, int(round(min_score * SCORE_BUCKETS, 6))))


def bucket_floor(min_score: float) -> float:
    """``min_score`` rounded down to the grid: what the list of signals filters on too."""
    return min_score_bucket(min_score) / SCORE_BUCKETS


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def as_date(value: object) -> date:
    """``func.date`` gives a string on SQLite and a date on PostgreSQL."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _score_bucket(classification) -> ColumnElement:
    ladder = case(
        *[(classification.score >= b / SCORE_BUCKETS, b) for b in range(SCORE_BUCKETS - 1, 0, -1)], else_=0
    )
    return case((classification.flagged.is_(True), ladder), else_=NOT_FLAGGED)


# --------------------------------------------------------------------------- refreshing
def refresh_daily_counts(session: Session, now: datetime | None = None, rebuild: bool = False) -> RefreshResult:
    """Bring ``daily_topic_counts`` up to date; ``rebuild`` recomputes every day."""
    now = now or utcnow()
    watermark = None if rebuild else session.scalar(select(func.max(DailyTopicCount.updated_at)))
    if watermark is None:
        days = _all_days(session)
        session.execute(delete(DailyTopicCount))
    else:
        days = dirty_days(session, watermark - REFRESH_OVERLAP)
    rows = sum(recompute_day(session, day, now) for day in days)
    return RefreshResult(sorted(days), rows)


def _all_days(session: Session) -> list[date]:
    return sorted({as_date(d) for d in session.scalars(select(func.date(Item.appeared_at)).distinct())})


def dirty_days(session: Session, since: datetime) -> list[date]:
    """Days whose counts may have changed since ``since``."""
    day = func.date(Item.appeared_at)
    queries = [
        select(day).where(Item.collected_at >= since),
        select(day).join(Classification, Classification.item_id == Item.id).where(Classification.created_at >= since),
        select(day).join(Classification, Classification.item_id == Item.id).where(Classification.matched_at >= since),
        select(day).join(ClaimMatch, ClaimMatch.item_id == Item.id).where(ClaimMatch.created_at >= since),
    ]
    found: set[date] = set()
    for query in queries:
        found.update(as_date(d) for d in session.scalars(query.distinct()))
    return sorted(found)


def recompute_day(session: Session, day: date, now: datetime) -> int:
    """Replace one day's rows with counts from ``items``; returns the number of rows written."""
    start, end = day_bounds(day)
    session.execute(delete(DailyTopicCount).where(DailyTopicCount.day == day))
    columns = ["day", "updated_at", "topic_id", "source_id", "language", "score_bucket", "items", "flagged",
               "duplicates"]
    for per_topic in (False, True):
        query = _day_counts_query(start, end, per_topic, day, now)
        session.execute(insert(DailyTopicCount).from_select(columns, query))
    # counted, because drivers do not agree on rowcount for INSERT ... SELECT
    return int(session.scalar(select(func.count()).select_from(DailyTopicCount).where(DailyTopicCount.day == day)))


def _day_counts_query(start: datetime, end: datetime, per_topic: bool, day: date, now: datetime):
    signal = aliased(Classification)
    original = Item.duplicate_of.is_(None)
    bucket = _score_bucket(signal)
    topic = func.coalesce(ItemTopic.topic_id, NO_TOPIC) if per_topic else literal(ALL_TOPICS)
    language = func.coalesce(Item.language, "")
    query = (
        select(
            literal(day, DailyTopicCount.day.type),
            literal(now, UTCDateTime()),
            topic,
            Item.source_id,
            language,
            bucket,
            func.sum(case((original, 1), else_=0)),
            func.sum(case((and_(original, signal.flagged.is_(True)), 1), else_=0)),
            func.sum(case((original, 0), else_=1)),
        )
        .select_from(Item)
        .outerjoin(signal, and_(signal.item_id == Item.id, is_latest(signal)))
        .where(Item.appeared_at >= start, Item.appeared_at < end)
        .group_by(topic, Item.source_id, language, bucket)
    )
    if per_topic:
        query = query.outerjoin(ItemTopic, ItemTopic.item_id == Item.id)
    return query


# --------------------------------------------------------------------------- reading
def _where(query, f: SignalFilter, topics_wanted: str):
    query = query.where(DailyTopicCount.day >= f.first_day, DailyTopicCount.day <= f.last_day)
    query = query.where(DailyTopicCount.score_bucket >= min_score_bucket(f.min_score))
    if f.topic_id is not None:
        query = query.where(DailyTopicCount.topic_id == f.topic_id)
    elif topics_wanted == "each":
        query = query.where(DailyTopicCount.topic_id != ALL_TOPICS)
    else:
        query = query.where(DailyTopicCount.topic_id == ALL_TOPICS)
    if f.source_id is not None:
        query = query.where(DailyTopicCount.source_id == f.source_id)
    if f.language is not None:
        query = query.where(DailyTopicCount.language == f.language)
    return query


def flagged_per_day(session: Session, f: SignalFilter) -> list[DayCount]:
    """Flagged items (copies left out) per day and topic, days without any left out."""
    total = func.sum(DailyTopicCount.flagged)
    query = _where(
        select(DailyTopicCount.day, DailyTopicCount.topic_id, total), f, "each"
    ).group_by(DailyTopicCount.day, DailyTopicCount.topic_id).having(total > 0)
    rows = session.execute(query.order_by(DailyTopicCount.day, DailyTopicCount.topic_id)).all()
    return [DayCount(as_date(r[0]), int(r[1]), int(r[2])) for r in rows]


def flagged_total(session: Session, f: SignalFilter) -> int:
    """Flagged items (copies left out) in the period, each item once whatever its topics."""
    query = _where(select(func.coalesce(func.sum(DailyTopicCount.flagged), 0)), f, "all")
    return int(session.scalar(query) or 0)


def first_counted_day(session: Session) -> date | None:
    """The first day with any items: before it nothing was collected (which is not zero)."""
    first = session.scalar(select(func.min(DailyTopicCount.day)))
    return as_date(first) if first is not None else None


def items_per_source(session: Session, first_day: date, last_day: date) -> dict[int, int]:
    """Items per source that appeared in the period, syndicated copies included."""
    query = (
        select(DailyTopicCount.source_id, func.sum(DailyTopicCount.items + DailyTopicCount.duplicates))
        .where(DailyTopicCount.day >= first_day, DailyTopicCount.day <= last_day,
               DailyTopicCount.topic_id == ALL_TOPICS)
        .group_by(DailyTopicCount.source_id)
    )
    return {int(s): int(n) for s, n in session.execute(query).all()}


def flagged_per_day_from_items(session: Session, f: SignalFilter) -> list[DayCount]:
    """The reference for ``flagged_per_day``: the same counts straight from the items."""
    signal = aliased(Classification)
    start, _ = day_bounds(f.first_day)
    _, end = day_bounds(f.last_day)
    day = func.date(Item.appeared_at)
    topic = func.coalesce(ItemTopic.topic_id, NO_TOPIC)
    query = (
        select(day, topic, func.count(Item.id))
        .select_from(Item)
        .join(signal, and_(signal.item_id == Item.id, is_latest(signal)))
        .outerjoin(ItemTopic, ItemTopic.item_id == Item.id)
        .where(Item.appeared_at >= start, Item.appeared_at < end, Item.duplicate_of.is_(None),
               signal.flagged.is_(True), signal.score >= bucket_floor(f.min_score))
        .group_by(day, topic)
    )
    if f.topic_id is not None:
        query = query.where(topic == f.topic_id)
    if f.source_id is not None:
        query = query.where(Item.source_id == f.source_id)
    if f.language is not None:
        query = query.where(func.coalesce(Item.language, "") == f.language)
    rows = session.execute(query).all()
    return sorted(DayCount(as_date(r[0]), int(r[1]), int(r[2])) for r in rows)


def days_between(first_day: date, last_day: date) -> Iterable[date]:
    for offset in range((last_day - first_day).days + 1):
        yield first_day + timedelta(days=offset)


__all__ = [
    "ALL_TOPICS", "NOT_FLAGGED", "NO_TOPIC", "REFRESH_OVERLAP", "SCORE_BUCKETS", "DayCount", "RefreshResult",
    "SignalFilter", "bucket_floor", "day_bounds", "days_between", "dirty_days", "flagged_per_day",
    "first_counted_day", "flagged_per_day_from_items", "flagged_total", "items_per_source", "min_score_bucket",
    "recompute_day", "refresh_daily_counts",
]

"""Read models for the HTTP API (``api/``) that the dashboard's do not give: the list of
signals paged by key (a cursor, not an offset), with the public contract's columns, and the
labels with who labelled.

    signal_page(session, f, sort, after, limit) -> SignalPage (rows, the key of the last row)
    recent_labels(session, since, limit, offset) -> LabelRow (analyst-only data in the API)

A key page stays stable while new signals arrive: the next page starts after the last row seen,
not at an offset that new rows at the top would shift. The filter is the dashboard's
(``storage.read_models.daily_counts.SignalFilter``) and so is the set of rows (``storage.read_models.signals._signals_base``:
flagged stories, syndicated copies left out, each item's latest signal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.read_models.daily_counts import SignalFilter
from storage.read_models.signals import SORT_KEYS, _signals_base, topic_names_of
from storage.schema import ClaimMatch, Item, Label, PolicyTopic, Source, User

#: The columns of a signal row, named as in the public contract (``items``, ``classifications``).
_ITEM_COLUMNS = (Item.id, Item.source_id, Source.name, Item.guid, Item.url, Item.canonical_url, Item.title,
                 Item.summary, Item.published_at, Item.collected_at, Item.appeared_at, Item.language,
                 Item.duplicate_of)


@dataclass(frozen=True)
class SignalKey:
    """Where a page ended: the sort value and the item id of its last row."""

    sort: str
    value: datetime | float
    item_id: int


@dataclass(frozen=True)
class ContractSignal:
    item_id: int
    source_id: int
    source_name: str
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str
    summary: str | None
    published_at: datetime | None
    collected_at: datetime
    appeared_at: datetime
    language: str | None
    duplicate_of: int | None
    model_version_id: int
    score: float
    flagged: bool
    flag_reasons: list[str]
    evidence_text: str | None
    signal_parts: dict | None
    topics: list[str] = field(default_factory=list)  # slugs, strongest first
    debunks: list[int] = field(default_factory=list)  # matched fact-check ids, most similar first


@dataclass(frozen=True)
class SignalPage:
    rows: list[ContractSignal]
    next_key: SignalKey | None  # None: this was the last page


def signal_page(
    session: Session, f: SignalFilter, sort: str = "time", after: SignalKey | None = None, limit: int = 50
) -> SignalPage:
    """One page of flagged stories, newest (or highest score) first, after ``after``."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORT_KEYS)}")
    if after is not None and after.sort != sort:
        raise ValueError(f"the cursor was made for sort={after.sort}, not sort={sort}")
    signal_columns = (lambda s: s.model_version_id, lambda s: s.score, lambda s: s.flagged,
                      lambda s: s.flag_reasons, lambda s: s.evidence_text, lambda s: s.signal_parts)
    query = _signals_base(f, *_ITEM_COLUMNS, *signal_columns, walk=sort).join(Source, Source.id == Item.source_id)
    score = query.selected_columns[len(_ITEM_COLUMNS) + 1]
    key = Item.appeared_at if sort == "time" else score
    if after is not None:
        query = query.where(or_(key < after.value, and_(key == after.value, Item.id < after.item_id)))
    rows = session.execute(query.order_by(key.desc(), Item.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [r[0] for r in rows]
    topics, debunks = topic_slugs_of(session, ids), debunk_ids_of(session, ids)
    signals = [
        ContractSignal(
            item_id=r[0], source_id=r[1], source_name=r[2], guid=r[3], url=r[4], canonical_url=r[5],
            title=r[6] or "", summary=r[7], published_at=r[8], collected_at=r[9], appeared_at=r[10],
            language=r[11], duplicate_of=r[12], model_version_id=r[13], score=float(r[14]), flagged=bool(r[15]),
            flag_reasons=list(r[16] or []), evidence_text=r[17], signal_parts=r[18] if isinstance(r[18], dict) else None,
            topics=topics.get(r[0], []), debunks=debunks.get(r[0], []),
        )
        for r in rows
    ]
    next_key = None
    if more and signals:
        last = signals[-1]
        next_key = SignalKey(sort, last.appeared_at if sort == "time" else last.score, last.item_id)
    return SignalPage(signals, next_key)


def topic_slugs_of(session: Session, item_ids: Sequence[int]) -> dict[int, list[str]]:
    return topic_names_of(session, item_ids, PolicyTopic.slug)


def debunk_ids_of(session: Session, item_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if not item_ids:
        return found
    rows = session.execute(
        select(ClaimMatch.item_id, ClaimMatch.fact_check_id).where(ClaimMatch.item_id.in_(list(item_ids)))
        .order_by(ClaimMatch.item_id, ClaimMatch.similarity.desc(), ClaimMatch.fact_check_id)
    ).all()
    for item_id, fact_check_id in rows:
        found.setdefault(item_id, []).append(fact_check_id)
    return found


# --------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class LabelRow:
    id: int
    item_id: int
    user_id: int
    username: str
    label: str
    wrong_part: str | None
    note: str | None
    created_at: datetime
    retracted_at: datetime | None


def recent_labels(
    session: Session, since: datetime | None = None, limit: int = 100, offset: int = 0, item_id: int | None = None
) -> list[LabelRow]:
    """Labels newest first (retracted ones too, marked), with who labelled."""
    query = select(Label, User.username).join(User, User.id == Label.user_id)
    if since is not None:
        query = query.where(Label.created_at >= since)
    if item_id is not None:
        query = query.where(Label.item_id == item_id)
    rows = session.execute(query.order_by(Label.created_at.desc(), Label.id.desc()).limit(limit).offset(offset)).all()
    return [
        LabelRow(r.Label.id, r.Label.item_id, r.Label.user_id, r.username, r.Label.label, r.Label.wrong_part,
                 r.Label.note, r.Label.created_at, r.Label.retracted_at)
        for r in rows
    ]


def item_exists(session: Session, item_id: int) -> bool:
    return session.get(Item, item_id) is not None

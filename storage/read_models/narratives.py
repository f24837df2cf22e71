"""Read models of narratives for the CLI, the dashboard and the alert rules (no writes).

    list_narratives(...)              -> NarrativeView rows (newest activity first)
    narrative_detail(session, id)     -> the view, its members and its debunks
    narrative_debunks(session, ids)   -> fact-checks matched to any member
    member_times(session, ids, since) -> when each narrative's members were seen (spikes, growth)
    daily_counts(session, ids, since) -> items per day per narrative (the timeline)
    rising_narratives(session, now, hours, ...) -> most growth in the last hours vs the hours before
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.errors import NotFound
from storage.queries import chunks
from storage.repositories.narratives import SEEN_AT
from storage.schema import DEBUNK_RATINGS, ClaimMatch, FactCheck, Item, Narrative, NarrativeItem, Source


@dataclass(frozen=True)
class NarrativeView:
    id: int
    title: str
    representative_sentence: str | None
    representative_item_id: int | None
    topics: list[str]
    status: str
    first_seen: datetime | None
    last_seen: datetime | None
    item_count: int
    source_count: int
    merged_into: int | None
    auto_merge: bool
    renamed_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class DebunkView:
    fact_check_id: int
    publisher: str
    url: str
    claim: str
    rating: str
    rating_text: str | None
    matched_items: int
    best_similarity: float


@dataclass(frozen=True)
class MemberView:
    item_id: int
    title: str
    url: str | None
    source_id: int
    source_name: str
    seen_at: datetime
    similarity: float


@dataclass(frozen=True)
class NarrativeDetail:
    narrative: NarrativeView
    members: list[MemberView]
    debunks: list[DebunkView]
    sources: list[tuple[str, int]] = field(default_factory=list)  # (source name, items), most first


@dataclass(frozen=True)
class RisingNarrative:
    narrative: NarrativeView
    recent: int
    previous: int

    @property
    def growth(self) -> int:
        return self.recent - self.previous


def _view(n: Narrative) -> NarrativeView:
    return NarrativeView(
        n.id, n.title, n.representative_sentence, n.representative_item_id, list(n.topics or []), n.status,
        n.first_seen, n.last_seen, n.item_count, n.source_count, n.merged_into, n.auto_merge, n.renamed_by,
        n.created_at,
    )


def list_narratives(
    session: Session,
    *,
    status: str | None = "open",
    min_items: int = 1,
    topic: str | None = None,
    seen_since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[NarrativeView]:
    query = select(Narrative).where(Narrative.item_count >= min_items)
    if status is not None:
        query = query.where(Narrative.status == status)
    else:
        query = query.where(Narrative.status != "merged")
    if seen_since is not None:
        query = query.where(Narrative.last_seen >= seen_since)
    query = query.order_by(Narrative.last_seen.desc(), Narrative.id.desc())
    rows = [_view(n) for n in session.scalars(query)]
    if topic is not None:  # topics are a JSON list: filtered here, the same on both databases
        rows = [r for r in rows if topic in r.topics]
    return rows[offset : offset + limit]


def narrative_views(session: Session, narrative_ids: Sequence[int]) -> dict[int, NarrativeView]:
    found: dict[int, NarrativeView] = {}
    for chunk in chunks(list(narrative_ids)):
        found.update({n.id: _view(n) for n in session.scalars(select(Narrative).where(Narrative.id.in_(chunk)))})
    return found


def narrative_debunks(session: Session, narrative_ids: Sequence[int]) -> dict[int, list[DebunkView]]:
    """Fact-checks matched to any member, debunks (false / mostly false) first, then by the
    number of members they matched."""
    found: dict[int, list[DebunkView]] = {nid: [] for nid in narrative_ids}
    for chunk in chunks(list(narrative_ids)):
        rows = session.execute(
            select(
                NarrativeItem.narrative_id, FactCheck.id, FactCheck.publisher, FactCheck.url, FactCheck.claim_reviewed,
                FactCheck.rating, FactCheck.rating_text, func.count(ClaimMatch.item_id).label("n"),
                func.max(ClaimMatch.similarity).label("best"),
            )
            .join(ClaimMatch, ClaimMatch.item_id == NarrativeItem.item_id)
            .join(FactCheck, FactCheck.id == ClaimMatch.fact_check_id)
            .where(NarrativeItem.narrative_id.in_(chunk))
            .group_by(NarrativeItem.narrative_id, FactCheck.id, FactCheck.publisher, FactCheck.url,
                      FactCheck.claim_reviewed, FactCheck.rating, FactCheck.rating_text)
        )
        for r in rows:
            found[r.narrative_id].append(
                DebunkView(r.id, r.publisher, r.url, r.claim_reviewed, r.rating, r.rating_text, int(r.n), float(r.best))
            )
    for views in found.values():
        views.sort(key=lambda d: (d.rating not in DEBUNK_RATINGS, -d.matched_items, -d.best_similarity, d.fact_check_id))
    return found


def narrative_detail(session: Session, narrative_id: int, member_limit: int = 200) -> NarrativeDetail:
    row = session.get(Narrative, int(narrative_id))
    if row is None:
        raise NotFound(f"no narrative {narrative_id}")
    members = [
        MemberView(r.id, r.title or "", r.url, r.source_id, r.name, r.seen_at, float(r.similarity))
        for r in session.execute(
            select(Item.id, Item.title, Item.url, Item.source_id, Source.name, SEEN_AT.label("seen_at"),
                   NarrativeItem.similarity)
            .join(NarrativeItem, NarrativeItem.item_id == Item.id)
            .join(Source, Source.id == Item.source_id)
            .where(NarrativeItem.narrative_id == row.id)
            .order_by(SEEN_AT.desc(), Item.id.desc())
        )
    ]
    per_source = Counter(m.source_name for m in members)
    return NarrativeDetail(
        _view(row), members[:member_limit], narrative_debunks(session, [row.id])[row.id],
        sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def member_times(session: Session, narrative_ids: Sequence[int], since: datetime | None = None) -> dict[int, list[datetime]]:
    found: dict[int, list[datetime]] = {nid: [] for nid in narrative_ids}
    for chunk in chunks(list(narrative_ids)):
        query = (
            select(NarrativeItem.narrative_id, SEEN_AT.label("seen_at"))
            .join(Item, Item.id == NarrativeItem.item_id)
            .where(NarrativeItem.narrative_id.in_(chunk))
        )
        if since is not None:
            query = query.where(SEEN_AT >= since)
        for r in session.execute(query):
            found[r.narrative_id].append(r.seen_at)
    return found


def daily_counts(session: Session, narrative_ids: Sequence[int], since: datetime) -> dict[int, dict[date, int]]:
    """Members per day (UTC) since ``since``: the growth line of each narrative."""
    out: dict[int, dict[date, int]] = {}
    for nid, times in member_times(session, narrative_ids, since).items():
        out[nid] = dict(sorted(Counter(t.date() for t in times).items()))
    return out


def rising_narratives(
    session: Session, now: datetime, hours: int, *, limit: int = 5, min_items: int = 2
) -> list[RisingNarrative]:
    """Open narratives with the most new items in the last ``hours`` compared with the
    ``hours`` before; only those that grew."""
    recent_start, previous_start = now - timedelta(hours=hours), now - timedelta(hours=2 * hours)
    candidates = [v.id for v in list_narratives(session, min_items=min_items, seen_since=recent_start, limit=10_000)]
    times = member_times(session, candidates, previous_start)
    views = narrative_views(session, candidates)
    rising = []
    for nid, seen in times.items():
        recent = sum(recent_start <= t <= now for t in seen)
        previous = sum(previous_start <= t < recent_start for t in seen)
        if recent > previous:
            rising.append(RisingNarrative(views[nid], recent, previous))
    rising.sort(key=lambda r: (-r.growth, -r.recent, -r.narrative.id))
    return rising[:limit]

"""Read models for the weekly briefing (no writes): what grew in a period, the claims behind it
with their evidence, and what analysts said.

    narrative_growth(session, start, end, previous_start, topic=...)
        -> NarrativeGrowth rows: open narratives with members seen in [start, end), with the
           count in that period and in [previous_start, start); most growth first
    flagged_members(session, narrative_ids, start, end, per_narrative)
        -> per narrative, its members seen in the period whose latest signal is flagged, highest
           score first
    claim_rows(session, item_ids) -> the item, its source, its latest signal (score, evidence
           sentence, the signal by its parts)
    label_summary(session, start, end, topic_id=...)
        -> analysts' labels given in the period (retracted ones left out): counts and examples

Periods are half-open [start, end) of aware UTC datetimes; an item's time is when it was seen
(published, unless missing or later than collected), as for narratives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from storage.queries import chunks, is_latest
from storage.read_models.narratives import NarrativeView, list_narratives, member_times
from storage.read_models.signal_parts import SignalPartsView, read_signal_parts
from storage.repositories.narratives import SEEN_AT
from storage.schema import Classification, Item, ItemTopic, Label, NarrativeItem, Source, User

#: Narratives looked at per briefing at most (open ones, most recently active first).
MAX_NARRATIVES = 5000


@dataclass(frozen=True)
class NarrativeGrowth:
    narrative: NarrativeView
    in_period: int
    previous: int

    @property
    def growth(self) -> int:
        return self.in_period - self.previous


@dataclass(frozen=True)
class ClaimRow:
    item_id: int
    title: str
    url: str | None
    source_name: str
    seen_at: datetime
    score: float | None
    flagged: bool
    evidence_text: str | None
    parts: SignalPartsView | None


@dataclass(frozen=True)
class LabelExample:
    item_id: int
    title: str
    label: str
    wrong_part: str | None
    username: str
    created_at: datetime


@dataclass(frozen=True)
class LabelSummary:
    counts: dict[str, int] = field(default_factory=dict)  # label -> labels given
    examples: list[LabelExample] = field(default_factory=list)  # newest first


def narrative_growth(
    session: Session, start: datetime, end: datetime, previous_start: datetime, *, topic: str | None = None,
    min_items: int = 2,
) -> list[NarrativeGrowth]:
    """Open narratives with members seen in the period, those that grew (more members in the
    period than in the one before) first, by growth."""
    views = {v.id: v for v in list_narratives(session, min_items=min_items, topic=topic, seen_since=start,
                                              limit=MAX_NARRATIVES)}
    times = member_times(session, list(views), previous_start)
    found = []
    for nid, seen in times.items():
        in_period = sum(start <= t < end for t in seen)
        previous = sum(previous_start <= t < start for t in seen)
        if in_period:
            found.append(NarrativeGrowth(views[nid], in_period, previous))
    found.sort(key=lambda g: (-g.growth, -g.in_period, -g.narrative.id))
    return found


def flagged_members(
    session: Session, narrative_ids: Sequence[int], start: datetime, end: datetime, per_narrative: int
) -> dict[int, list[int]]:
    signal = aliased(Classification)
    found: dict[int, list[int]] = {nid: [] for nid in narrative_ids}
    for chunk in chunks(list(narrative_ids)):
        rows = session.execute(
            select(NarrativeItem.narrative_id, Item.id)
            .join(Item, Item.id == NarrativeItem.item_id)
            .join(signal, and_(signal.item_id == Item.id, is_latest(signal)))
            .where(NarrativeItem.narrative_id.in_(chunk), SEEN_AT >= start, SEEN_AT < end,
                   signal.flagged.is_(True), Item.duplicate_of.is_(None))
            .order_by(NarrativeItem.narrative_id, signal.score.desc(), Item.id)
        )
        for nid, item_id in rows:
            if len(found[nid]) < per_narrative:
                found[nid].append(int(item_id))
    return found


def claim_rows(session: Session, item_ids: Sequence[int]) -> dict[int, ClaimRow]:
    signal = aliased(Classification)
    found: dict[int, ClaimRow] = {}
    for chunk in chunks(sorted(set(item_ids))):
        rows = session.execute(
            select(Item.id, Item.title, Item.url, Source.name, SEEN_AT.label("seen_at"), signal.score, signal.flagged,
                   signal.evidence_text, signal.signal_parts)
            .join(Source, Source.id == Item.source_id)
            .outerjoin(signal, and_(signal.item_id == Item.id, is_latest(signal)))
            .where(Item.id.in_(chunk))
        )
        for r in rows:
            found[int(r.id)] = ClaimRow(int(r.id), r.title or "", r.url, r.name, r.seen_at,
                                        None if r.score is None else float(r.score), bool(r.flagged),
                                        r.evidence_text, read_signal_parts(r.signal_parts))
    return found


def label_summary(
    session: Session, start: datetime, end: datetime, *, topic_id: int | None = None, examples: int = 10
) -> LabelSummary:
    query = (
        select(Label.item_id, Item.title, Label.label, Label.wrong_part, User.username, Label.created_at)
        .join(Item, Item.id == Label.item_id)
        .join(User, User.id == Label.user_id)
        .where(Label.created_at >= start, Label.created_at < end, Label.retracted_at.is_(None))
        .order_by(Label.created_at.desc(), Label.id.desc())
    )
    if topic_id is not None:
        query = query.where(select(ItemTopic.item_id).where(ItemTopic.item_id == Label.item_id,
                                                            ItemTopic.topic_id == topic_id).exists())
    rows = session.execute(query).all()
    counts = Counter(r.label for r in rows)
    return LabelSummary(
        dict(counts),
        [LabelExample(int(r.item_id), r.title or "", r.label, r.wrong_part, r.username, r.created_at)
         for r in rows[:examples]],
    )

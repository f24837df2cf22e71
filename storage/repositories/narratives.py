"""Repository functions for ``narratives`` and ``narrative_items``.

Two kinds of callers:
- the narrative runner (``classifier.narratives.runner``): flagged items not yet placed, open
  narratives, new narratives and members, the recomputed summary, automatic merges;
- analysts (CLI, dashboard): rename, merge, split, close, reopen. Every such change writes an
  ``audit_log`` entry. Changes of membership recount the narrative at once (counts, first and
  last seen) and mark it ``needs_refresh``; the runner recomputes its centroid,
  representative sentence and topics on its next pass.

A member's time ("seen") is when it was published, or when it was collected when the feed
gives no date or a date in the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.orm import Session

from storage.errors import InvalidInput, NotFound
from storage.queries import chunks, latest_classification_id
from storage.repositories import audit
from storage.repositories.classifications import CLASSIFIER_REASON
from storage.schema import Classification, Item, ItemEmbedding, Narrative, NarrativeItem, utcnow

NARRATIVE_STATUSES = ("open", "closed", "merged")
TITLE_MAX_CHARS = 300

#: The time an item was seen: published, unless missing or later than collected.
SEEN_AT = case(
    (and_(Item.published_at.is_not(None), Item.published_at < Item.collected_at), Item.published_at),
    else_=Item.collected_at,
)


@dataclass(frozen=True)
class MemberRow:
    """A flagged item as the narrative runner sees it."""

    item_id: int
    source_id: int
    seen_at: datetime
    vector: bytes | None
    topics: list[str]
    evidence: str | None
    title: str
    # flagged by the model itself, not only through a match with a fact-check's claim (an
    # article that quotes a claim to debunk it matches the claim too)
    model_flagged: bool = True


@dataclass(frozen=True)
class OpenNarrativeRow:
    id: int
    centroid: bytes
    item_count: int
    last_seen: datetime
    auto_merge: bool


@dataclass(frozen=True)
class SummaryValues:
    """What the runner computed for one narrative."""

    centroid: bytes | None
    representative_item_id: int | None
    representative_sentence: str | None
    title: str
    topics: list[str]
    member_similarity: dict[int, float]


def _member_query():
    signal = Classification
    return (
        select(Item.id, Item.source_id, SEEN_AT.label("seen_at"), ItemEmbedding.vector, signal.topics,
               signal.evidence_text, Item.title, signal.flag_reasons)
        .select_from(Item)
        .join(signal, signal.id == latest_classification_id(Item.id))
        .outerjoin(ItemEmbedding, ItemEmbedding.item_id == Item.id)
    )


def _member(row) -> MemberRow:
    return MemberRow(row.id, row.source_id, row.seen_at, row.vector, list(row.topics or []), row.evidence_text,
                     row.title or "", model_flagged=CLASSIFIER_REASON in (row.flag_reasons or []))


# --------------------------------------------------------------------------- runner: reading
def unplaced_flagged_items(session: Session, limit: int, seen_after: datetime | None = None) -> list[MemberRow]:
    """Items whose latest classification is flagged, with an embedding, in no narrative yet;
    oldest first."""
    placed = select(NarrativeItem.item_id).where(NarrativeItem.item_id == Item.id).exists()
    query = (
        _member_query()
        .where(Classification.flagged.is_(True), ItemEmbedding.vector.is_not(None), ~placed)
        .order_by(SEEN_AT, Item.id)
        .limit(limit)
    )
    if seen_after is not None:
        query = query.where(SEEN_AT >= seen_after)
    return [_member(r) for r in session.execute(query)]


def recent_item_vectors(session: Session, limit: int) -> list[bytes]:
    """Embeddings of the most recently collected items of every kind (the background)."""
    query = (
        select(ItemEmbedding.vector)
        .join(Item, Item.id == ItemEmbedding.item_id)
        .order_by(Item.collected_at.desc(), Item.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def open_narratives(session: Session, last_seen_after: datetime | None = None) -> list[OpenNarrativeRow]:
    query = select(Narrative).where(Narrative.status == "open", Narrative.centroid.is_not(None))
    if last_seen_after is not None:
        query = query.where(Narrative.last_seen >= last_seen_after)
    return [
        OpenNarrativeRow(n.id, n.centroid, n.item_count, n.last_seen or n.created_at, n.auto_merge)
        for n in session.scalars(query.order_by(Narrative.id))
    ]


def members_of(session: Session, narrative_ids: Sequence[int]) -> dict[int, list[MemberRow]]:
    found: dict[int, list[MemberRow]] = {nid: [] for nid in narrative_ids}
    for chunk in chunks(list(narrative_ids)):
        query = (
            _member_query()
            .add_columns(NarrativeItem.narrative_id)
            .join(NarrativeItem, NarrativeItem.item_id == Item.id)
            .where(NarrativeItem.narrative_id.in_(chunk))
            .order_by(Item.id)
        )
        for row in session.execute(query):
            found[row.narrative_id].append(_member(row))
    return found


def narratives_needing_refresh(session: Session) -> list[int]:
    return list(session.scalars(select(Narrative.id).where(Narrative.needs_refresh.is_(True)).order_by(Narrative.id)))


def narrative_of_items(session: Session, item_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in chunks(list(item_ids)):
        rows = session.execute(select(NarrativeItem.item_id, NarrativeItem.narrative_id).where(NarrativeItem.item_id.in_(chunk)))
        found.update({r.item_id: r.narrative_id for r in rows})
    return found


# --------------------------------------------------------------------------- runner: writing
def create_narrative(session: Session, now: datetime | None = None) -> Narrative:
    """An empty open narrative; the caller adds members and then its summary."""
    row = Narrative(title="", topics=[], status="open", created_at=now or utcnow(), needs_refresh=True)
    session.add(row)
    session.flush()
    return row


def add_members(session: Session, narrative_id: int, members: Sequence[tuple[int, float]], now: datetime | None = None) -> None:
    at = now or utcnow()
    session.add_all(NarrativeItem(narrative_id=narrative_id, item_id=i, similarity=float(s), added_at=at) for i, s in members)
    session.flush()
    recount(session, narrative_id)


def recount(session: Session, narrative_id: int) -> Narrative:
    """Item count, distinct sources, first and last seen, from the members."""
    row = _get(session, narrative_id)
    counts = session.execute(
        select(func.count(Item.id), func.count(func.distinct(Item.source_id)), func.min(SEEN_AT), func.max(SEEN_AT))
        .join(NarrativeItem, NarrativeItem.item_id == Item.id)
        .where(NarrativeItem.narrative_id == narrative_id)
    ).one()
    row.item_count, row.source_count, row.first_seen, row.last_seen = int(counts[0]), int(counts[1]), counts[2], counts[3]
    return row


def apply_summary(session: Session, narrative_id: int, values: SummaryValues) -> Narrative:
    row = _get(session, narrative_id)
    row.centroid = values.centroid
    row.representative_item_id = values.representative_item_id
    row.representative_sentence = values.representative_sentence
    row.topics = list(values.topics)
    if row.renamed_by is None:
        row.title = values.title[:TITLE_MAX_CHARS]
    row.needs_refresh = False
    for item_id, similarity in values.member_similarity.items():
        session.execute(
            update(NarrativeItem)
            .where(NarrativeItem.narrative_id == narrative_id, NarrativeItem.item_id == item_id)
            .values(similarity=float(similarity))
        )
    recount(session, narrative_id)
    return row


# --------------------------------------------------------------------------- analysts (and the merge pass)
def _get(session: Session, narrative_id: int) -> Narrative:
    row = session.get(Narrative, int(narrative_id))
    if row is None:
        raise NotFound(f"no narrative {narrative_id}")
    return row


def get_narrative(session: Session, narrative_id: int) -> Narrative:
    return _get(session, narrative_id)


def rename_narrative(session: Session, narrative_id: int, title: str, actor: str, user_id: int | None = None) -> Narrative:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("a narrative's title cannot be empty")
    if len(title) > TITLE_MAX_CHARS:
        raise InvalidInput(f"title longer than {TITLE_MAX_CHARS} characters")
    row = _get(session, narrative_id)
    before = row.title
    row.title, row.renamed_by = title, actor
    audit.record(session, actor, "narrative.rename", "narrative", row.id, {"from": before, "to": title}, user_id)
    return row


def set_status(session: Session, narrative_id: int, status: str, actor: str, user_id: int | None = None) -> Narrative:
    """Close (no new items join it) or reopen a narrative."""
    if status not in ("open", "closed"):
        raise InvalidInput(f"unknown narrative status {status!r}: use open or closed")
    row = _get(session, narrative_id)
    if row.status == "merged":
        raise InvalidInput(f"narrative {row.id} was merged into {row.merged_into}: change that one")
    before, row.status = row.status, status
    action = "narrative.close" if status == "closed" else "narrative.reopen"
    audit.record(session, actor, action, "narrative", row.id, {"from": before}, user_id)
    return row


def merge_narratives(
    session: Session, source_id: int, target_id: int, actor: str, user_id: int | None = None,
    similarity: float | None = None,
) -> Narrative:
    """Move every member of ``source_id`` into ``target_id``; the source is kept as 'merged'
    with ``merged_into`` pointing at the target, so links to it still lead somewhere."""
    if int(source_id) == int(target_id):
        raise InvalidInput("cannot merge a narrative into itself")
    source, target = _get(session, source_id), _get(session, target_id)
    for row in (source, target):
        if row.status == "merged":
            raise InvalidInput(f"narrative {row.id} was already merged into {row.merged_into}")
    moved = list(session.scalars(select(NarrativeItem.item_id).where(NarrativeItem.narrative_id == source.id)))
    existing = set(session.scalars(select(NarrativeItem.item_id).where(NarrativeItem.narrative_id == target.id)))
    session.execute(delete(NarrativeItem).where(NarrativeItem.narrative_id == source.id))
    now = utcnow()
    session.add_all(
        NarrativeItem(narrative_id=target.id, item_id=i, similarity=0.0, added_at=now) for i in moved if i not in existing
    )
    session.execute(update(Narrative).where(Narrative.merged_into == source.id).values(merged_into=target.id))
    source.status, source.merged_into, source.needs_refresh = "merged", target.id, False
    target.needs_refresh = True
    session.flush()
    recount(session, source.id)
    recount(session, target.id)
    details = {"into": target.id, "items": len(moved)}
    if similarity is not None:
        details["similarity"] = round(float(similarity), 4)
    audit.record(session, actor, "narrative.merge", "narrative", source.id, details, user_id)
    return target


def split_narrative(
    session: Session, narrative_id: int, item_ids: Sequence[int], actor: str, user_id: int | None = None,
    title: str | None = None,
) -> Narrative:
    """Move ``item_ids`` out of the narrative into a new one. Both are then left alone by the
    automatic merge pass (an analyst said they are different)."""
    source = _get(session, narrative_id)
    if source.status == "merged":
        raise InvalidInput(f"narrative {source.id} was merged into {source.merged_into}: split that one")
    wanted = sorted({int(i) for i in item_ids})
    members = set(session.scalars(select(NarrativeItem.item_id).where(NarrativeItem.narrative_id == source.id)))
    if not wanted:
        raise InvalidInput("name at least one item to split off")
    missing = [i for i in wanted if i not in members]
    if missing:
        raise InvalidInput(f"items not in narrative {source.id}: {', '.join(map(str, missing))}")
    if len(wanted) == len(members):
        raise InvalidInput("a split must leave at least one item behind")
    new = create_narrative(session)
    new.auto_merge = False
    if title:
        new.title, new.renamed_by = " ".join(title.split())[:TITLE_MAX_CHARS], actor
    session.execute(
        update(NarrativeItem)
        .where(NarrativeItem.narrative_id == source.id, NarrativeItem.item_id.in_(wanted))
        .values(narrative_id=new.id)
    )
    source.auto_merge, source.needs_refresh = False, True
    session.flush()
    recount(session, source.id)
    recount(session, new.id)
    audit.record(session, actor, "narrative.split", "narrative", source.id, {"new": new.id, "items": wanted}, user_id)
    return new


def delete_all_narratives(session: Session, actor: str, user_id: int | None = None) -> int:
    """For ``narratives rebuild``: every narrative and membership goes (analysts' renames,
    splits and merges too); the audit log keeps the count."""
    count = int(session.scalar(select(func.count(Narrative.id))) or 0)
    session.execute(delete(NarrativeItem))
    session.execute(update(Narrative).values(merged_into=None))
    session.execute(delete(Narrative))
    audit.record(session, actor, "narrative.rebuild", "narrative", None, {"deleted": count}, user_id)
    return count

"""The narrative step: reads and writes through ``storage``, decides nothing itself.

    place_pending:  per batch (one transaction)
        background  <- mean embedding of recent items       (wait until there are enough)
        items       <- flagged, embedded, not yet placed     (oldest first)
        narratives  <- open, seen within the window of the oldest item
        placements  =  classifier.narratives.clustering.place_items(...)
        create the new narratives, add the members, recompute the touched summaries
    merge_pass:     one transaction: plan_merges over the open narratives, apply, refresh
    refresh:        recompute the summaries an analyst's change left stale
    rebuild:        delete every narrative, then place every flagged item again
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier.narratives.clustering import (
    FlaggedItem,
    Member,
    NarrativeIndex,
    OpenNarrative,
    default_title,
    place_items,
    plan_merges,
    summarise,
    vector_from_bytes,
    vector_to_bytes,
)
from classifier.narratives.settings import NarrativeSettings
from storage import transaction
from storage.repositories import SYSTEM_ACTOR
from storage.repositories import narratives as repo
from storage.schema import utcnow

#: Placing never loops for ever: at most this many batches per call (the next call goes on).
MAX_BATCHES_PER_CALL = 1000


@dataclass
class NarrativeReport:
    placed: int = 0
    new_narratives: int = 0
    merged: int = 0
    refreshed: int = 0
    skipped_dimension: int = 0
    waiting_for_background: bool = False
    touched: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        return {
            "placed": self.placed, "new_narratives": self.new_narratives, "merged": self.merged,
            "refreshed": self.refreshed, "skipped_dimension": self.skipped_dimension,
            "waiting_for_background": self.waiting_for_background,
        }


def background_vector(session: Session, settings: NarrativeSettings) -> np.ndarray | None:
    """Mean of the recent items' embeddings, or None while there are too few."""
    vectors = [vector_from_bytes(v) for v in repo.recent_item_vectors(session, settings.background_items) if v]
    if not vectors:
        return None
    dim = Counter(len(v) for v in vectors).most_common(1)[0][0]
    same = [v for v in vectors if len(v) == dim]
    if len(same) < settings.min_background_items:
        return None
    return np.mean(np.array(same, dtype=np.float64), axis=0)


def _members(rows: Iterable[repo.MemberRow]) -> list[Member]:
    return [
        Member(r.item_id, r.source_id, r.seen_at, vector_from_bytes(r.vector) if r.vector else None,
               tuple(r.topics), r.evidence, r.title, r.model_flagged)
        for r in rows
    ]


def refresh_summaries(session: Session, narrative_ids: Iterable[int], settings: NarrativeSettings,
                      background: np.ndarray | None) -> int:
    ids = sorted(set(narrative_ids))
    members = repo.members_of(session, ids)
    for nid in ids:
        summary = summarise(_members(members[nid]), settings, background)
        repo.apply_summary(session, nid, repo.SummaryValues(
            centroid=None if summary.centroid is None else vector_to_bytes(summary.centroid),
            representative_item_id=summary.representative_item_id,
            representative_sentence=summary.representative_sentence,
            title=default_title(summary.representative_sentence),
            topics=summary.topics,
            member_similarity=summary.member_similarity,
        ))
    return len(ids)


def _place_batch(session: Session, settings: NarrativeSettings, background: np.ndarray, now: datetime,
                 report: NarrativeReport) -> bool:
    rows = repo.unplaced_flagged_items(session, settings.batch_size)
    if not rows:
        return False
    dim = len(background)
    usable = [r for r in rows if r.vector and len(r.vector) == 4 * dim]
    report.skipped_dimension += len(rows) - len(usable)
    if not usable:
        return False
    oldest = min(r.seen_at for r in usable) - timedelta(days=settings.window_days)
    existing = [
        OpenNarrative(n.id, vector_from_bytes(n.centroid), n.item_count, n.last_seen, n.auto_merge)
        for n in repo.open_narratives(session, oldest) if len(n.centroid) == 4 * dim
    ]
    index = NarrativeIndex(dim, existing, background)
    placements = place_items(index, [FlaggedItem(r.item_id, r.seen_at, vector_from_bytes(r.vector)) for r in usable],
                             settings)
    created: dict[int, int] = {}
    grouped: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for p in placements:
        if p.starts_narrative and p.narrative_id not in created:
            created[p.narrative_id] = repo.create_narrative(session, now).id
        grouped[created.get(p.narrative_id, p.narrative_id)].append((p.item_id, p.similarity))
    for nid, members in grouped.items():
        repo.add_members(session, nid, members, now)
    report.refreshed += refresh_summaries(session, grouped, settings, background)
    report.placed += len(placements)
    report.new_narratives += len(created)
    report.touched.update(grouped)
    return len(rows) == settings.batch_size


def place_pending(sessions: sessionmaker[Session], settings: NarrativeSettings, now: datetime | None = None,
                  should_stop=lambda: False) -> NarrativeReport:
    """Place every flagged item that has no narrative yet, batch by batch."""
    report = NarrativeReport()
    now = now or utcnow()
    for _ in range(MAX_BATCHES_PER_CALL):
        with transaction(sessions) as session:
            background = background_vector(session, settings)
            if background is None:
                report.waiting_for_background = True
                return report
            more = _place_batch(session, settings, background, now, report)
        if not more or should_stop():
            break
    return report


def refresh_stale(sessions: sessionmaker[Session], settings: NarrativeSettings) -> int:
    """Recompute the summaries of narratives changed by hand (split, merge)."""
    with transaction(sessions) as session:
        stale = repo.narratives_needing_refresh(session)
        if not stale:
            return 0
        return refresh_summaries(session, stale, settings, background_vector(session, settings))


def merge_pass(sessions: sessionmaker[Session], settings: NarrativeSettings, now: datetime | None = None) -> NarrativeReport:
    """Merge open narratives that drifted together (average linkage >= merge_threshold)."""
    report = NarrativeReport()
    now = now or utcnow()
    with transaction(sessions) as session:
        background = background_vector(session, settings)
        if background is None:
            report.waiting_for_background = True
            return report
        dim = len(background)
        rows = repo.open_narratives(session, now - timedelta(days=settings.window_days))
        narratives = [
            OpenNarrative(n.id, vector_from_bytes(n.centroid), n.item_count, n.last_seen, n.auto_merge)
            for n in rows if len(n.centroid) == 4 * dim
        ]
        merges = plan_merges(narratives, settings, background)
        for merge in merges:
            repo.merge_narratives(session, merge.source_id, merge.target_id, SYSTEM_ACTOR, similarity=merge.similarity)
        targets = {m.target_id for m in merges}
        report.refreshed = refresh_summaries(session, targets, settings, background)
        report.merged = len(merges)
        report.touched = targets
    return report


def run_step(sessions: sessionmaker[Session], settings: NarrativeSettings, now: datetime | None = None,
             should_stop=lambda: False) -> NarrativeReport:
    """The service's step after classification and matching: stale summaries, then placement."""
    refreshed = refresh_stale(sessions, settings)
    report = place_pending(sessions, settings, now, should_stop)
    report.refreshed += refreshed
    return report


def rebuild(sessions: sessionmaker[Session], settings: NarrativeSettings, actor: str,
            user_id: int | None = None) -> NarrativeReport:
    """Delete every narrative and place all flagged items again, then run the merge pass."""
    with transaction(sessions) as session:
        repo.delete_all_narratives(session, actor, user_id)
    report = place_pending(sessions, settings)
    merged = merge_pass(sessions, settings)
    report.merged = merged.merged
    return report

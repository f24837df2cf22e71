"""The label queue: which items an analyst should judge next.

    priority = uncertainty   (score near the threshold: the model learns most from these)
             + recency       (exponential decay with a half-life)
             + topic         (the highest priority among the item's topics, relative to the top one)
             + check-worthy  (evidence that is a checkable claim)
    then greedily, best first, skip an item that is a near-duplicate of one already chosen:
    the same duplicate group (``duplicate_of``) or embedding cosine above the cut-off

``rank_label_queue`` is pure; ``label_queue`` reads the candidates (what the active
disinformation version scored) and writes nothing. Its knobs are the classifier's settings
section, taken as the ``QueueSettings`` protocol of the three fields it reads, so that storage
imports no classifier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from storage.repositories import classifications, model_versions
from storage.repositories import labels as label_store
from storage.repositories import topics as topic_store
from storage.schema import utcnow

#: Weights of the priority parts. Uncertainty leads: it is what active learning is for.
WEIGHTS = {"uncertainty": 0.5, "recency": 0.2, "topic": 0.2, "checkworthy": 0.1}
#: The task whose active version's scores the queue ranks (``classifier.TASK_DISINFORMATION``:
#: analysts label the item signal, not the check-worthiness head).
QUEUE_TASK = "disinformation"


class QueueSettings(Protocol):
    """What the queue reads of the classifier's settings (``classifier.ClassifierSettings``)."""

    queue_days: int  # look at items collected this many days back
    recency_half_life_hours: float  # how fast recency fades
    near_duplicate_cosine: float  # above this cosine to a chosen item, an item is skipped


@dataclass(frozen=True)
class QueueCandidate:
    item_id: int
    score: float
    threshold: float
    collected_at: datetime
    topic_weight: float = 0.0  # the item's most important topic: its priority / the highest priority
    checkworthiness: float | None = None
    duplicate_group: int | None = None  # duplicate_of, or the item's own id
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class QueueEntry:
    item_id: int
    priority: float
    parts: dict[str, float]


def uncertainty(score: float, threshold: float) -> float:
    """1 at the threshold, 0 at the far end of the scale on either side."""
    span = threshold if score < threshold else 1.0 - threshold
    return max(0.0, 1.0 - abs(score - threshold) / max(span, 1e-9))


def priority_parts(candidate: QueueCandidate, now: datetime, half_life_hours: float) -> dict[str, float]:
    age_hours = max(0.0, (now - candidate.collected_at).total_seconds() / 3600)
    return {
        "uncertainty": uncertainty(candidate.score, candidate.threshold),
        "recency": math.pow(0.5, age_hours / half_life_hours),
        "topic": min(max(candidate.topic_weight, 0.0), 1.0),
        "checkworthy": candidate.checkworthiness or 0.0,
    }


def rank_label_queue(
    candidates: Sequence[QueueCandidate],
    *,
    now: datetime,
    limit: int,
    half_life_hours: float = 48.0,
    near_duplicate_cosine: float = 0.95,
    weights: Mapping[str, float] = WEIGHTS,
) -> list[QueueEntry]:
    scored = []
    for c in candidates:
        parts = priority_parts(c, now, half_life_hours)
        scored.append((sum(weights[k] * v for k, v in parts.items()), c, parts))
    scored.sort(key=lambda t: (-t[0], -t[1].collected_at.timestamp(), t[1].item_id))
    chosen: list[QueueEntry] = []
    groups: set[int] = set()
    vectors: list[np.ndarray] = []
    for priority, c, parts in scored:
        if len(chosen) >= limit:
            break
        group = c.duplicate_group if c.duplicate_group is not None else c.item_id
        if group in groups:
            continue
        if c.vector is not None and vectors and float(np.max(np.stack(vectors) @ c.vector)) > near_duplicate_cosine:
            continue
        chosen.append(QueueEntry(c.item_id, round(priority, 4), {k: round(v, 4) for k, v in parts.items()}))
        groups.add(group)
        if c.vector is not None:
            vectors.append(c.vector)
    return chosen


def label_queue(
    session: Session, settings: QueueSettings, *, limit: int = 20, user_id: int | None = None,
    now: datetime | None = None,
) -> list[QueueEntry]:
    """The next items to label: classified by the active version, recent, not labelled yet
    (by anyone, or by ``user_id`` when given), ranked and de-duplicated."""
    now = now or utcnow()
    active = model_versions.active_model_version(session, QUEUE_TASK)
    if active is None:
        return []
    done = label_store.labelled_item_ids(session, user_id)
    scored = classifications.scored_items_since(session, active.id, now - timedelta(days=settings.queue_days), exclude=done)
    priorities = {t.slug: t.priority for t in topic_store.list_topics(session)}
    top = max(priorities.values(), default=1) or 1
    vectors = classifications.item_embeddings(session, [s.item_id for s in scored])
    candidates = [
        QueueCandidate(
            s.item_id, s.score, s.threshold, s.collected_at,
            max((priorities.get(slug, 0) for slug in s.topics), default=0) / top,
            s.evidence_checkworthiness, s.duplicate_of, vectors.get(s.item_id),
        )
        for s in scored
    ]
    return rank_label_queue(
        candidates, now=now, limit=limit, half_life_hours=settings.recency_half_life_hours,
        near_duplicate_cosine=settings.near_duplicate_cosine,
    )

"""Drift and feedback per model version, for the Modellen page (read only).

    flag_rates(session, version, first_day, last_day, by="topic" | "source")
        per UTC day of ``items.appeared_at``, per topic (or source): how many items this version
        scored and how many of those it flagged. Each version's own classifications count, not
        only the latest signal, so a candidate that re-scored past items is seen over the same
        days as the active version. Syndicated copies are left out; an item with two topics
        counts in both; items without a topic under NO_TOPIC. Topics are the item's current ones
        (``item_topics``, written by the latest classification), the same for every version.
    label_agreement(session, version)
        the analysts' labels in force on items this version scored, against its flag: overall
        (disinformation and misleading count as positive, "unsure" is left out) and per part of
        the signal: on how many labelled signals the part was there, how often the analysts
        agreed when it raised the flag, and how often they named it as the part that was wrong
        (``labels.wrong_part``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.read_models.daily_counts import NO_TOPIC, as_date, day_bounds
from storage.read_models.signal_parts import PART_ORDER, read_signal_parts
from storage.repositories.labels import BINARY_TARGET
from storage.schema import Classification, Item, ItemTopic, Label

GROUPINGS = ("topic", "source")


@dataclass(frozen=True, order=True)
class FlagRate:
    day: date
    key: int  # topic id (NO_TOPIC: none) or source id
    scored: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.scored if self.scored else 0.0


def flag_rates(session: Session, model_version_id: int, first_day: date, last_day: date,
               by: str = "topic") -> list[FlagRate]:
    """Items scored and flagged by this version per day and topic (or source), oldest first."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}: use one of {', '.join(GROUPINGS)}")
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    day = func.date(Item.appeared_at)
    key = func.coalesce(ItemTopic.topic_id, NO_TOPIC) if by == "topic" else Item.source_id
    query = (
        select(day, key, func.count(), func.sum(case((Classification.flagged.is_(True), 1), else_=0)))
        .select_from(Classification)
        .join(Item, Item.id == Classification.item_id)
        .where(Classification.model_version_id == model_version_id, Item.duplicate_of.is_(None),
               Item.appeared_at >= start, Item.appeared_at < end)
        .group_by(day, key)
    )
    if by == "topic":
        query = query.outerjoin(ItemTopic, ItemTopic.item_id == Item.id)
    return sorted(FlagRate(as_date(d), int(k), int(n), int(f or 0)) for d, k, n, f in session.execute(query).all())


@dataclass(frozen=True)
class LabelledSignal:
    """One analyst's label in force, beside this version's signal for the item."""

    label: str
    wrong_part: str | None
    flagged: bool
    signal_parts: dict | None


@dataclass(frozen=True)
class PartAgreement:
    part: str
    present: int  # labels on signals that carry this part
    raised: int  # of the labels that judge (not "unsure"), those on signals this part raised
    raised_confirmed: int  # of those, labelled disinformation or misleading
    named_wrong: int  # labels naming this part as the one that was wrong

    @property
    def agreement_when_raised(self) -> float | None:
        return self.raised_confirmed / self.raised if self.raised else None


@dataclass(frozen=True)
class Agreement:
    labels: int  # labels in force on items this version scored
    judged: int  # of those, the ones that say yes or no (not "unsure")
    agreed: int  # flag and label say the same
    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int
    parts: tuple[PartAgreement, ...]

    @property
    def rate(self) -> float | None:
        return self.agreed / self.judged if self.judged else None


def agreement_of(rows: Iterable[LabelledSignal]) -> Agreement:
    """The agreement of flags with labels, overall and per part (pure)."""
    rows = list(rows)
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    present = dict.fromkeys(PART_ORDER, 0)
    raised = dict.fromkeys(PART_ORDER, 0)
    confirmed = dict.fromkeys(PART_ORDER, 0)
    named = dict.fromkeys(PART_ORDER, 0)
    for row in rows:
        target = BINARY_TARGET.get(row.label)
        if target is not None:
            counts[("t" if bool(target) == row.flagged else "f") + ("p" if row.flagged else "n")] += 1
        if row.wrong_part in named:
            named[row.wrong_part] += 1
        view = read_signal_parts(row.signal_parts)
        for part in view.parts if view is not None else ():
            present[part.name] += 1
            if target is not None and part.raised_flag:
                raised[part.name] += 1
                confirmed[part.name] += int(target == 1)
    parts = tuple(PartAgreement(p, present[p], raised[p], confirmed[p], named[p]) for p in PART_ORDER)
    judged = sum(counts.values())
    return Agreement(len(rows), judged, counts["tp"] + counts["tn"], counts["tp"], counts["fp"], counts["fn"],
                     counts["tn"], parts)


def labelled_signals(session: Session, model_version_id: int) -> list[LabelledSignal]:
    rows = session.execute(
        select(Label.label, Label.wrong_part, Classification.flagged, Classification.signal_parts)
        .join(Classification, Classification.item_id == Label.item_id)
        .where(Classification.model_version_id == model_version_id, Label.retracted_at.is_(None))
        .order_by(Label.id)
    ).all()
    return [LabelledSignal(r.label, r.wrong_part, bool(r.flagged), r.signal_parts) for r in rows]


def label_agreement(session: Session, model_version_id: int) -> Agreement:
    return agreement_of(labelled_signals(session, model_version_id))

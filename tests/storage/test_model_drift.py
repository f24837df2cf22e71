"""Drift and feedback per model version: flag rates per day and topic or source, and the
agreement with analysts' labels overall and per part, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import storage
from storage.read_models.daily_counts import NO_TOPIC
from storage.read_models.model_drift import (
    FlagRate,
    LabelledSignal,
    agreement_of,
    flag_rates,
    label_agreement,
)
from storage.repositories import labels
from storage.repositories.users import add_user
from storage.schema import Item, ModelVersion, PolicyTopic, Source
from tests.support.signal_parts import classify, contract_parts

DAY = date(2026, 3, 2)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def world(db):
    """Two versions; items on two days from two sources, with and without a topic and one copy.
    old flags items 0, 1, 3 and the copy 4; new (a candidate that re-scored them) flags item 0 only."""
    with storage.transaction(db.sessions) as s:
        omroep, forum = Source(url="https://o.example/rss", name="omroep"), Source(url="https://f.example/rss", name="forum")
        topic = PolicyTopic(slug="stikstof", name="Stikstof")
        old = ModelVersion(name="old", base_model="e5", path="m/o", threshold=0.5, status="active")
        new = ModelVersion(name="new", base_model="e5", path="m/n", threshold=0.5, status="candidate")
        s.add_all([omroep, forum, topic, old, new])
        s.flush()
        specs = [  # (source, day, published, topic?, duplicate of index)
            (omroep, DAY, True, True, None), (omroep, DAY, True, True, None), (forum, DAY, False, False, None),
            (forum, DAY + timedelta(days=1), True, True, None), (forum, DAY + timedelta(days=1), True, True, 0),
        ]
        ids = []
        for n, (source, day, published, has_topic, copy_of) in enumerate(specs):
            item = Item(source_id=source.id, entry_key=f"d{n}", guid=f"d{n}", title=f"t{n}", content_hash=f"h{n}",
                        collected_at=_at(day, 12), published_at=_at(day, 8) if published else None,
                        duplicate_of=ids[copy_of] if copy_of is not None else None)
            s.add(item)
            s.flush()
            ids.append(item.id)
            topics = [(topic.id, 0.9)] if has_topic else []
            classify(s, item.id, old.id, score=0.8, flagged=n in (0, 1, 3, 4), topic_scores=topics,
                     parts=contract_parts(flagged_by=("head", "narrative")) if n in (0, 1, 3, 4) else None)
            classify(s, item.id, new.id, score=0.6, flagged=n == 0, topic_scores=topics,
                     parts=contract_parts(flagged_by=("narrative",) if n == 0 else ()))
        anna = add_user(s, "anna", "a long password", "analyst", "admin")
        bert = add_user(s, "bert", "a long password", "analyst", "admin")
        labels.add_label(s, ids[0], anna, "disinformation")
        labels.add_label(s, ids[1], anna, "not_disinformation", wrong_part="narrative")
        labels.add_label(s, ids[1], bert, "misleading")
        labels.add_label(s, ids[2], anna, "unsure", wrong_part="checkworthy")
        labels.add_label(s, ids[3], bert, "not_disinformation", wrong_part="head")
        retracted = labels.add_label(s, ids[2], bert, "disinformation")
        labels.retract_last_label(s, bert)
        assert retracted.retracted_at is not None
        return {"old": old.id, "new": new.id, "topic": topic.id, "omroep": omroep.id, "forum": forum.id}


def test_flag_rates_per_topic_and_source_per_day_leave_copies_out(db, world):
    with db.read_sessions() as session:
        by_topic = flag_rates(session, world["old"], DAY, DAY + timedelta(days=1), by="topic")
        assert by_topic == [FlagRate(DAY, NO_TOPIC, 1, 0), FlagRate(DAY, world["topic"], 2, 2),
                            FlagRate(DAY + timedelta(days=1), world["topic"], 1, 1)]
        by_source = flag_rates(session, world["new"], DAY, DAY + timedelta(days=1), by="source")
        assert by_source == sorted([FlagRate(DAY, world["omroep"], 2, 1), FlagRate(DAY, world["forum"], 1, 0),
                                    FlagRate(DAY + timedelta(days=1), world["forum"], 1, 0)])
        assert FlagRate(DAY, 1, 4, 1).rate == 0.25 and FlagRate(DAY, 1, 0, 0).rate == 0.0
        assert flag_rates(session, world["old"], DAY + timedelta(days=2), DAY + timedelta(days=9)) == []
        with pytest.raises(ValueError):
            flag_rates(session, world["old"], DAY, DAY, by="language")


def test_label_agreement_overall_and_per_part(db, world):
    with db.read_sessions() as session:
        old = label_agreement(session, world["old"])
        new = label_agreement(session, world["new"])
    # old flagged 0, 1, 3: labels in force: 0 disinfo (tp), 1 not (fp), 1 misleading (tp), 2 unsure, 3 not (fp)
    assert (old.labels, old.judged, old.agreed) == (5, 4, 2)
    assert (old.true_positive, old.false_positive, old.false_negative, old.true_negative) == (2, 2, 0, 0)
    assert old.rate == 0.5
    parts = {p.part: p for p in old.parts}
    assert (parts["narrative"].present, parts["narrative"].raised, parts["narrative"].raised_confirmed,
            parts["narrative"].named_wrong) == (4, 4, 2, 1)
    assert parts["narrative"].agreement_when_raised == 0.5
    assert (parts["head"].raised, parts["head"].named_wrong) == (4, 1)
    assert (parts["checkworthy"].present, parts["checkworthy"].raised, parts["checkworthy"].named_wrong) == (4, 0, 1)
    assert parts["checkworthy"].agreement_when_raised is None
    # new flagged only item 0: tp 1, fn 1 (misleading on item 1), tn 2 (item 1 not, item 3 not)
    assert (new.true_positive, new.false_positive, new.false_negative, new.true_negative) == (1, 0, 1, 2)
    assert new.rate == 0.75
    assert {p.part: p.present for p in new.parts}["claim_match"] == 5  # every row of new carries its parts


def test_agreement_copes_with_rows_without_parts_and_no_labels():
    empty = agreement_of([])
    assert (empty.labels, empty.judged, empty.rate) == (0, 0, None)
    assert all(p.present == p.raised == p.named_wrong == 0 for p in empty.parts)
    odd = agreement_of([LabelledSignal("disinformation", "claim_match", True, None),
                        LabelledSignal("not_disinformation", None, False, {"rule": "x", "head": "broken"})])
    assert (odd.judged, odd.agreed, odd.true_positive, odd.true_negative) == (2, 2, 1, 1)
    assert {p.part: (p.present, p.named_wrong) for p in odd.parts}["claim_match"] == (0, 1)

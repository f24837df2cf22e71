"""``daily_topic_counts``: the aggregate equals the counts straight from the items, and a
refresh picks up new items, re-scoring and new claim matches."""

from __future__ import annotations

from datetime import timedelta

import storage
from storage.read_models import daily_counts, signals
from storage.read_models.daily_counts import (
    ALL_TOPICS,
    SignalFilter,
    flagged_per_day,
    flagged_per_day_from_items,
    refresh_daily_counts,
)
from storage.schema import Classification, DailyTopicCount, Item, ItemTopic, utcnow
from tests.dashboard.conftest import seed


def _filters(seeded, today):
    first = today - timedelta(days=25)
    return [
        SignalFilter(first, today),
        SignalFilter(first, today, topic_id=seeded.topics["stikstof"]),
        SignalFilter(first, today, source_id=seeded.sources["krant"]),
        SignalFilter(first, today, min_score=0.8),
        SignalFilter(first, today, language="nl"),
        SignalFilter(first, today, language="en"),
    ]


def test_aggregate_equals_the_counts_from_items(db, password_hash):
    with storage.transaction(db.sessions) as session:
        seeded = seed(session, password_hash)
    today = utcnow().date()
    with db.read_sessions() as session:
        for f in _filters(seeded, today):
            assert flagged_per_day(session, f) == flagged_per_day_from_items(session, f), f
        everything = SignalFilter(today - timedelta(days=25), today)
        # 19 days x 1 flagged + the newest signal + the hostile item; the syndicated copy is left out
        assert daily_counts.flagged_total(session, everything) == 21
        assert signals.count_signals(session, everything) == 21
        volume = daily_counts.items_per_source(session, today - timedelta(days=25), today)
        assert volume[seeded.sources["krant"]] == 20  # 19 + the copy: copies count for a source's volume


def test_refresh_picks_up_new_items_rescoring_and_matches(db, password_hash):
    with storage.transaction(db.sessions) as session:
        seeded = seed(session, password_hash)
    today = utcnow().date()
    everything = SignalFilter(today - timedelta(days=25), today)
    with storage.transaction(db.sessions) as session:
        # a new flagged item today, and the plain item re-scored as flagged
        item = Item(source_id=seeded.sources["nos"], entry_key="late", title="Laat", content_hash="late",
                    language="nl", collected_at=utcnow())
        session.add(item)
        session.flush()
        session.add(Classification(item_id=item.id, model_version_id=seeded.model_id, score=0.99, label="x",
                                   flagged=True, flag_reasons=["classifier"], created_at=utcnow()))
        session.add(ItemTopic(item_id=item.id, topic_id=seeded.topics["woningmarkt"], score=0.8))
        plain = session.get(Classification, session.query(Classification.id).filter_by(item_id=seeded.plain_item).scalar())
        plain.flagged, plain.score, plain.created_at = True, 0.66, utcnow()
        plain_day = session.get(Item, seeded.plain_item).collected_at.date()
    with storage.transaction(db.sessions) as session:
        result = refresh_daily_counts(session, utcnow() + timedelta(seconds=1))
        assert result.days == sorted({today, plain_day})
    with db.read_sessions() as session:
        assert daily_counts.flagged_total(session, everything) == 23
        assert flagged_per_day(session, everything) == flagged_per_day_from_items(session, everything)
    with storage.transaction(db.sessions) as session:  # a refresh well after the changes ...
        refresh_daily_counts(session, utcnow() + timedelta(hours=1))
    with storage.transaction(db.sessions) as session:  # ... leaves nothing for the next one
        assert refresh_daily_counts(session, utcnow() + timedelta(hours=2)).days == []


def test_rebuild_recomputes_every_day(db, password_hash):
    with storage.transaction(db.sessions) as session:
        seed(session, password_hash)
    with storage.transaction(db.sessions) as session:
        session.query(DailyTopicCount).filter(DailyTopicCount.topic_id == ALL_TOPICS).delete()
        result = refresh_daily_counts(session, rebuild=True)
        assert len(result.days) >= 20 and result.rows > 0  # 19 days back and today (21 across midnight)
    with db.read_sessions() as session:
        assert session.query(DailyTopicCount).filter(DailyTopicCount.topic_id == ALL_TOPICS).count() > 0


def test_min_score_filter_rounds_down_to_the_bucket_grid():
    assert daily_counts.min_score_bucket(0.7) == 14
    assert daily_counts.bucket_floor(0.73) == 0.7
    assert daily_counts.bucket_floor(1.0) == 0.95


def test_the_latest_classification_is_the_signal(db, password_hash):
    from storage.schema import ModelVersion

    with storage.transaction(db.sessions) as session:
        seeded = seed(session, password_hash)
    today = utcnow().date()
    everything = SignalFilter(today - timedelta(days=25), today)
    with storage.transaction(db.sessions) as session:  # a newer version no longer flags the newest signal
        newer = ModelVersion(name="v2", base_model="e5", path="models/v2", threshold=0.6, status="active")
        session.add(newer)
        session.flush()
        session.add(Classification(item_id=seeded.flagged_item, model_version_id=newer.id, score=0.3, label="x",
                                   flagged=False, created_at=utcnow()))
    with storage.transaction(db.sessions) as session:
        refresh_daily_counts(session, utcnow() + timedelta(seconds=1))
    with db.read_sessions() as session:
        assert daily_counts.flagged_total(session, everything) == 20
        assert signals.count_signals(session, everything) == 20
        assert signals.signal_detail(session, seeded.flagged_item).score == 0.3

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import storage
from storage.schema import Source, utcnow


def test_times_come_back_as_aware_utc(db):
    amsterdam = timezone(timedelta(hours=1))
    local = datetime(2026, 3, 1, 12, 0, tzinfo=amsterdam)
    with storage.transaction(db.sessions) as session:
        session.add(Source(url="https://t.example/", name="t", next_due_at=local))
    with db.read_sessions() as session:
        stored = session.query(Source).one().next_due_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == local


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"):
        with storage.transaction(db.sessions) as session:
            session.add(Source(url="https://n.example/", name="n", next_due_at=datetime(2026, 1, 1)))
            session.flush()
    assert utcnow().tzinfo is not None

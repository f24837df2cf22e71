"""storage.repositories.briefings on SQLite and PostgreSQL: a briefing is recorded with its file and audited,
bad input is refused, the latest and the one of a week are found without loading the file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import storage
from storage.errors import InvalidInput
from storage.repositories.briefings import (
    briefing_by_id,
    briefing_content,
    briefing_for,
    latest_briefing,
    record_briefing,
)
from storage.schema import AuditEntry

AT = datetime(2025, 9, 1, 7, tzinfo=UTC)


def _record(session, week="2025-W35", topic=None, language="nl", fmt="pdf", content=b"%PDF-1.7 x", at=AT):
    return record_briefing(session, week=week, topic=topic, language=language, format=fmt, content=content,
                           path="/srv/b.pdf", summary={"flagged": 3}, actor="cli:anna", at=at)


def test_recorded_with_its_file_and_audited(db):
    with storage.transaction(db.sessions) as s:
        record = _record(s)
    assert (record.week, record.size, record.created_by, record.summary) == ("2025-W35", 10, "cli:anna", {"flagged": 3})
    with db.read_sessions() as s:
        assert briefing_content(s, record.id) == b"%PDF-1.7 x"
        assert briefing_by_id(s, record.id) == record and briefing_by_id(s, record.id + 1) is None
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "briefing.write"))
        assert (entry.actor, entry.object_id, entry.details["week"]) == ("cli:anna", str(record.id), "2025-W35")


@pytest.mark.parametrize(("changes", "message"), [
    ({"week": "2025-35"}, "not an ISO week"), ({"language": "fr"}, "language"), ({"fmt": "docx"}, "format"),
    ({"content": b""}, "needs its file"),
])
def test_bad_input_is_refused(db, changes, message):
    with storage.transaction(db.sessions) as s, pytest.raises(InvalidInput, match=message):
        _record(s, **changes)


def test_latest_and_the_one_of_a_week(db):
    with storage.transaction(db.sessions) as s:
        _record(s, week="2025-W34", at=datetime(2025, 8, 25, 7, tzinfo=UTC))
        first = _record(s, week="2025-W35")
        again = _record(s, week="2025-W35", at=datetime(2025, 9, 1, 9, tzinfo=UTC))
        english = _record(s, week="2025-W35", language="en", fmt="html", content=b"<html>")
        farming = _record(s, week="2025-W35", topic="stikstof-landbouw")
    with db.read_sessions() as s:
        assert latest_briefing(s).id == again.id  # newest week, then newest made
        assert latest_briefing(s, language="en").id == english.id
        assert latest_briefing(s, format="html").id == english.id
        assert briefing_for(s, "2025-W35", None, "nl", "pdf").id == again.id != first.id
        assert briefing_for(s, "2025-W35", "stikstof-landbouw", "nl", "pdf").id == farming.id
        assert briefing_for(s, "2025-W36", None, "nl", "pdf") is None
        assert latest_briefing(s, language="en").size == len(b"<html>")

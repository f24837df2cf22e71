"""Overzicht links to the latest weekly briefing, read through storage (SQLite and PostgreSQL):
none yet, the latest in the page's language, and the one an alert links to."""

from __future__ import annotations

from datetime import UTC, datetime

import storage
from storage.repositories.briefings import record_briefing
from tests.dashboard.conftest import texts


def _record(db, week: str, language: str, content: bytes, at: datetime) -> int:
    with storage.transaction(db.sessions) as session:
        return record_briefing(session, week=week, topic=None, language=language, format="pdf", content=content,
                               path=f"/tmp/{week}.pdf", summary={"week": week, "in_progress": False}, actor="test",
                               at=at).id


def _download_labels(at) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


def test_overview_says_there_is_no_briefing_yet(make_app):
    at = make_app("viewer", "overzicht")
    at.run()
    assert not at.exception
    assert "Nog geen weekbriefing" in texts(at)
    assert _download_labels(at) == []


def test_overview_offers_the_latest_briefing_in_its_language_and_the_one_an_alert_links_to(db, make_app):
    first = _record(db, "2025-W34", "nl", b"%PDF-1.7 week 34", datetime(2025, 8, 25, 7, tzinfo=UTC))
    _record(db, "2025-W35", "nl", b"%PDF-1.7 week 35", datetime(2025, 9, 1, 7, tzinfo=UTC))
    _record(db, "2025-W35", "en", b"%PDF-1.7 week 35 en", datetime(2025, 9, 1, 7, 1, tzinfo=UTC))
    at = make_app("viewer", "overzicht")
    at.run()
    assert not at.exception
    assert _download_labels(at) == ["Download weekbriefing 2025-W35"]
    assert "Weekbriefing 2025-W35 (NL, PDF)" in texts(at)
    english = make_app("viewer", "overzicht", lang="en")
    english.run()
    assert _download_labels(english) == ["Download weekly briefing 2025-W35"]
    assert "Weekly briefing 2025-W35 (EN, PDF)" in texts(english)
    linked = make_app("viewer", "overzicht", briefing=str(first))
    linked.run()
    assert _download_labels(linked) == ["Download weekbriefing 2025-W34"]

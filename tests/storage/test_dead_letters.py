"""storage.repositories.dead_letters: one row per task given up, newest first, the source by name while it
exists, long errors cut to their end."""

from __future__ import annotations

import storage
from storage.repositories import dead_letters
from storage.repositories.dead_letters import MAX_ERROR_CHARS, DeadLetterRecord
from storage.schema import Source


def test_record_list_and_count(db):
    with storage.transaction(db.sessions) as session:
        source = Source(url="https://feed.example/rss", name="Voorbeeld")
        session.add(source)
        session.flush()
        long_error = "x" * (MAX_ERROR_CHARS + 10) + "END"
        first = dead_letters.record_dead_letter(
            session, DeadLetterRecord("waakhond.fetch_source", "t1", {"source_id": source.id}, long_error, 6, source.id)
        )
        second = dead_letters.record_dead_letter(
            session, DeadLetterRecord("waakhond.classify_batch", None, {"item_ids": [1, 2]}, "boom", 3, 999_999)
        )
    with db.read_sessions() as session:
        listed = dead_letters.recent_dead_letters(session)
        assert [d.id for d in listed] == [second, first]
        assert listed[0].source_id is None  # the source did not exist: kept without it
        assert listed[0].arguments == {"item_ids": [1, 2]}
        assert listed[1].source_name == "Voorbeeld" and listed[1].error.endswith("END")
        assert len(listed[1].error) == MAX_ERROR_CHARS
        assert dead_letters.count_dead_letters(session) == 2
        assert [d.id for d in dead_letters.recent_dead_letters(session, limit=1)] == [second]

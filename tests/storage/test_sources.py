from __future__ import annotations

import pytest

import storage
from storage.errors import InvalidInput, NotFound
from storage.repositories import audit
from storage.repositories import sources as repo
from storage.repositories.sources import SourceSpec


def test_same_source_twice_is_one_row(db):
    with storage.transaction(db.sessions) as session:
        first, created1 = repo.add_source(session, SourceSpec(url="https://nos.example/feed", name="NOS"), "anna")
        second, created2 = repo.add_source(session, SourceSpec(url="https://nos.example/feed"), "anna")
    assert created1 and not created2
    assert first.id == second.id
    with db.read_sessions() as session:
        assert [s.url for s in repo.list_sources(session)] == ["https://nos.example/feed"]


@pytest.mark.parametrize(
    "spec, message",
    [
        (SourceSpec(url="ftp://x.nl/feed"), "not an http"),
        (SourceSpec(url="https:///nohost"), "no host"),
        (SourceSpec(url="https://x.nl:99999/"), "bad port"),
        (SourceSpec(url="https://x.nl/feed", kind="podcast"), "unknown source kind"),
        (SourceSpec(url="https://x.nl/feed", interval_seconds=30), "out of range"),
        (SourceSpec(url="https://x.nl/feed", interval_seconds=90_000), "out of range"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(db, spec, message):
    with pytest.raises(InvalidInput, match=message):
        with storage.transaction(db.sessions) as session:
            repo.add_source(session, spec, "anna")
    with db.read_sessions() as session:
        assert repo.list_sources(session) == []


def test_update_records_old_and_new_values_in_the_audit_log(db):
    with storage.transaction(db.sessions) as session:
        source, _ = repo.add_source(session, SourceSpec(url="https://a.example/rss", interval_seconds=900), "op1")
    with storage.transaction(db.sessions) as session:
        repo.update_source(session, source.id, {"interval_seconds": 300, "name": "A"}, "op2")
    with db.read_sessions() as session:
        updated = repo.get_source(session, source.id)
        assert updated.interval_seconds == 300
        entry = audit.entries(session, object_type="source", object_id=source.id, action="source.update")[0]
        assert entry.actor == "op2"
        assert entry.details["changes"]["interval_seconds"] == [900, 300]
        assert entry.at is not None and entry.at.tzinfo is not None


def test_update_without_real_change_writes_no_audit_entry(db):
    with storage.transaction(db.sessions) as session:
        source, _ = repo.add_source(session, SourceSpec(url="https://b.example/rss", name="B"), "op")
    with storage.transaction(db.sessions) as session:
        repo.update_source(session, source.id, {"name": "B"}, "op")
    with db.read_sessions() as session:
        assert audit.entries(session, action="source.update") == []


def test_unknown_fields_and_sources_are_refused(db):
    with storage.transaction(db.sessions) as session:
        source, _ = repo.add_source(session, SourceSpec(url="https://c.example/rss"), "op")
    with pytest.raises(InvalidInput, match="cannot change"):
        with storage.transaction(db.sessions) as session:
            repo.update_source(session, source.id, {"etag": "x"}, "op")
    with pytest.raises(NotFound):
        with db.read_sessions() as session:
            repo.get_source(session, 999)


def test_disable_enable_and_remove(db):
    with storage.transaction(db.sessions) as session:
        source, _ = repo.add_source(session, SourceSpec(url="https://d.example/rss"), "op")
    with storage.transaction(db.sessions) as session:
        repo.set_enabled(session, source.id, False, "op", reason="site down for maintenance")
    with db.read_sessions() as session:
        found = repo.get_source(session, "https://d.example/rss")
        assert not found.enabled and found.disabled_reason == "site down for maintenance"
    with storage.transaction(db.sessions) as session:
        repo.set_enabled(session, source.id, True, "op")
        repo.remove_source(session, source.id, "op")
    with db.read_sessions() as session:
        assert repo.list_sources(session) == []
        actions = [e.action for e in audit.entries(session, object_type="source")]
        assert actions == ["source.remove", "source.update", "source.update", "source.add"]

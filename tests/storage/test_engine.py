"""The embedded default: SQLite with WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import storage
from storage.schema import FetchRun, utcnow


def test_sqlite_pragmas(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15_000


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        with storage.transaction(db.sessions) as session:
            session.add(FetchRun(source_id=12345, status="ok", started_at=utcnow()))


def test_unsupported_url_is_a_clear_error():
    with pytest.raises(storage.DatabaseUrlError, match="unsupported database"):
        storage.create_db_engine("mysql://x/y")
    with pytest.raises(storage.DatabaseUrlError, match="not a database URL"):
        storage.create_db_engine("::nonsense::")


def test_concurrent_writers_wait_instead_of_failing(sqlite_db):
    """Two threads doing read-then-write transactions: BEGIN IMMEDIATE makes them queue."""
    from storage.repositories import sources
    from storage.repositories.sources import SourceSpec

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with storage.transaction(sqlite_db.sessions) as session:
                    sources.list_sources(session)
                    sources.add_source(session, SourceSpec(url=f"https://w{n}.example/{i}"), "test")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite_db.read_sessions() as session:
        assert len(sources.list_sources(session)) == 45

"""Two collectors on one database never fetch the same source at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import storage
from collector.leases import dead_local_owners, parse_owner
from storage.repositories import fetches as fetching
from storage.schema import FetchRun, Source
from tests.collector.conftest import add_source, make_collector, run_collect
from tests.support.feed_server import Route, rss_feed


def test_two_collectors_at_once_fetch_each_source_exactly_once(db, server):
    paths = [f"/feed{i}" for i in range(8)]
    ids = [
        add_source(db, server.route(p, Route(body=rss_feed([{"guid": p, "title": p}]), delay=0.3)))
        for p in paths
    ]
    collectors = [make_collector(db), make_collector(db)]
    reports = [None, None]
    barrier = threading.Barrier(2)

    def work(index: int) -> None:
        barrier.wait()
        reports[index] = collectors[index].collect_once()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for collector in collectors:
        collector.close()
    fetched = sorted(o.source_id for report in reports for o in report.outcomes)
    assert fetched == sorted(ids)
    assert all(len(server.requests_to(p)) == 1 for p in paths)
    with db.read_sessions() as session:
        per_source = [session.scalar(select(FetchRun.id).where(FetchRun.source_id == i)) for i in ids]
        assert all(per_source)
        assert session.scalar(select(Source.id).where(Source.lease_owner.is_not(None))) is None


def test_a_source_fetched_by_another_collector_after_the_due_list_was_read_is_not_claimed(db, server, monkeypatch):
    """The race behind a double fetch: collector B reads the due list, collector A fetches a
    source on it and releases it (now not due for minutes), then B claims. B must skip it."""
    if db.dialect == "sqlite":
        pytest.skip("on SQLite B's read lock keeps A's commit out until B is done: the interleaving cannot happen")
    source_id = add_source(db, server.route("/feed", Route(body=rss_feed([{"guid": "g", "title": "t"}]))))
    due_list = fetching.due_source_ids

    def due_then_fetched_by_someone_else(session, now, limit=None):
        ids = due_list(session, now, limit)
        with storage.transaction(db.sessions) as other:  # A: fetched, released, due again later
            other.execute(update(Source).values(lease_owner=None, lease_expires_at=None,
                                                next_due_at=now + timedelta(minutes=30)))
        return ids

    monkeypatch.setattr(fetching, "due_source_ids", due_then_fetched_by_someone_else)
    assert run_collect(db).outcomes == []
    assert server.requests_to("/feed") == []
    with db.read_sessions() as session:
        assert session.get(Source, source_id).lease_owner is None


def test_claims_are_exclusive_until_the_lease_expires(db):
    source_id = add_source(db, "https://feeds.example.test/a")
    now = datetime.now(UTC)
    with storage.transaction(db.sessions) as session:
        assert [s.id for s in fetching.claim_sources(session, [source_id], "me", now, 60)] == [source_id]
    with storage.transaction(db.sessions) as session:
        assert fetching.claim_sources(session, [source_id], "other", now, 60) == []
        assert fetching.claim_sources(session, [source_id], "other", now + timedelta(seconds=61), 60)


def test_a_lease_left_by_a_killed_local_process_is_taken_over(db, server):
    source_id = add_source(db, server.route("/feed", Route(body=rss_feed([{"guid": "g", "title": "t"}]))))
    dead_pid = _dead_pid()
    dead_owner = f"{socket.gethostname()}:{dead_pid}:deadbeef"
    live_owner = f"{socket.gethostname()}:{os.getpid()}:cafebabe"
    later = datetime.now(UTC) + timedelta(hours=1)
    with storage.transaction(db.sessions) as session:
        session.execute(update(Source).values(lease_owner=live_owner, lease_expires_at=later))
    assert run_collect(db).outcomes == []  # a live holder is respected
    with storage.transaction(db.sessions) as session:
        session.execute(update(Source).values(lease_owner=dead_owner, lease_expires_at=later))
    assert [o.source_id for o in run_collect(db).outcomes] == [source_id]


def test_stale_owner_decision():
    host = "collector-1"
    holders = {f"{host}:100:a", f"{host}:200:b", "other-host:100:c", "service:collector-1:300:d", "garbage"}
    alive = {200}
    dead = dead_local_owners(holders, host, me=f"{host}:999:z", is_alive=lambda pid: pid in alive)
    assert dead == {f"{host}:100:a", "service:collector-1:300:d"}
    assert parse_owner("service:h:12:ab") == ("h", 12) and parse_owner("garbage") is None
    assert dead_local_owners({f"{host}:100:a"}, host, me=f"{host}:100:a", is_alive=lambda pid: False) == set()


def test_named_leases_for_exclusive_jobs(db):
    now = datetime.now(UTC)
    with storage.transaction(db.sessions) as session:
        assert fetching.try_acquire_lease(session, "step:classify", "a", now, 60)
    with storage.transaction(db.sessions) as session:
        assert not fetching.try_acquire_lease(session, "step:classify", "b", now, 60)
        assert fetching.try_acquire_lease(session, "step:classify", "a", now, 60)  # renewal
        assert fetching.try_acquire_lease(session, "step:classify", "b", now + timedelta(seconds=61), 60)
    with storage.transaction(db.sessions) as session:
        fetching.release_lease(session, "step:classify", "b")
    with storage.transaction(db.sessions) as session:
        assert fetching.try_acquire_lease(session, "step:classify", "c", now, 60)


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid

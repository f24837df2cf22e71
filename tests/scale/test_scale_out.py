"""Scale-out with real parts: Celery workers and schedulers as ``waakhond`` subprocesses, a real
Redis broker, the real PostgreSQL server, local feeds over HTTP and the tiny random encoder.

    same results    two workers and a scheduler end with the embedded mode's items and scores
    SIGKILL         a classify worker killed in the middle of a batch: nothing lost or doubled
    hand-over       the leader scheduler killed: the standby leads, no source fetched twice
                    within its interval
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from storage.schema import Classification, DeadLetter, FetchRun, Item
from tests.scale.support import (
    Processes,
    add_sources,
    count,
    fetched_sources,
    free_port,
    install_tiny_version,
    lease_owner,
    scale_env,
    serve_feeds,
    settings_from,
    snapshot,
)
from tests.scale.test_metrics import QUEUES, scrape, value
from tests.support.database import truncate_all
from tests.support.feed_server import FeedServer
from waakhond.context import AppContext
from waakhond.service import Service
from waakhond.workers.leader import LEADER_LEASE

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]
#: The shortest interval a source may have; the takeover test's leader lease is 3 s.
INTERVAL_SECONDS = 60
#: Items of the first sub-batch (classifier.items_per_batch) that commit before the lock bites.
FIRST_SUB_BATCH = 3


@pytest.fixture
def feeds():
    with FeedServer() as server:
        yield serve_feeds(server)


@pytest.fixture
def setup(tmp_path, pg_db, redis_url, tiny_folder, monkeypatch):
    env = scale_env(tmp_path, pg_db.url, redis_url, tiny_folder)
    settings = settings_from(env, monkeypatch)
    install_tiny_version(settings)
    processes = Processes(env, tmp_path / "logs")
    yield settings, processes
    processes.stop_all()


def embedded_run(settings, db, urls):
    """The embedded mode on the same feeds (collect, then classify, in this process); returns
    its snapshot and empties the database again for the scale-out run."""
    add_sources(db.sessions, urls)
    app = AppContext(settings)
    try:
        asyncio.run(Service(app).run_once(["collect", "classify"]))
    finally:
        app.dispose()
    result = snapshot(db.read_sessions)
    assert len(result.items) == len(urls) * 8 and result.classifications.keys() == result.items.keys()
    truncate_all(db.engine)
    add_sources(db.sessions, urls)
    return result


def test_two_workers_and_a_scheduler_end_like_the_embedded_mode(setup, pg_db, feeds) -> None:
    settings, processes = setup
    expected = embedded_run(settings, pg_db, feeds)
    ports = {"fetch": free_port(), "classify": free_port(), "scheduler": free_port()}
    processes.worker("fetch", "--metrics-port", str(ports["fetch"]))
    processes.worker("classify,match", "--metrics-port", str(ports["classify"]))
    processes.scheduler("--metrics-port", str(ports["scheduler"]))
    processes.wait_for(
        lambda: count(pg_db.read_sessions, Classification) == len(expected.classifications), "every item classified"
    )
    fetch, classify, scheduler = (scrape(ports[p]) for p in ("fetch", "classify", "scheduler"))
    processes.stop_all()
    # each worker's own counters, and the shared gauges from the scheduler
    assert value(fetch, "waakhond_fetches_total", status="ok") == len(feeds)
    assert value(fetch, "waakhond_items_collected_total") == len(expected.items)
    assert value(classify, "waakhond_items_classified_total") == len(expected.classifications)
    assert value(classify, "waakhond_items_flagged_total") == sum(c[2] for c in expected.classifications.values())
    assert value(classify, "waakhond_classification_seconds_count") >= 1
    assert value(scheduler, "waakhond_scheduler_leader") == 1
    assert {dict(labels)["queue"] for name, labels in scheduler if name == "waakhond_queue_depth"} == set(QUEUES)
    assert len([1 for name, _ in scheduler if name == "waakhond_source_newest_item_age_seconds"]) == len(feeds)
    snapshot(pg_db.read_sessions).assert_same_as(expected)
    assert fetched_sources(pg_db.read_sessions) == count(pg_db.read_sessions, FetchRun) == len(feeds)
    assert count(pg_db.read_sessions, DeadLetter) == 0


def _waiting_on_a_lock(db) -> bool:
    with db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )))


def test_a_classify_worker_killed_mid_batch_loses_and_duplicates_nothing(setup, pg_db, feeds) -> None:
    settings, processes = setup
    expected = embedded_run(settings, pg_db, feeds)
    processes.worker("fetch")
    processes.scheduler()
    processes.wait_for(lambda: count(pg_db.read_sessions, Item) == len(expected.items), "every item collected")
    # Lock every item but the first few: the worker stores its first sub-batch, then blocks in
    # the middle of its batch on the next write that refers to a locked item.
    locker = pg_db.engine.connect()
    lock = locker.begin()
    ids = locker.scalars(select(Item.id).order_by(Item.id)).all()
    # (a WHERE rather than an OFFSET: PostgreSQL locks the rows an OFFSET skips, too)
    locker.execute(select(Item.id).where(Item.id > ids[FIRST_SUB_BATCH - 1]).with_for_update()).all()
    try:
        first = processes.worker("classify")
        processes.wait_for(
            lambda: count(pg_db.read_sessions, Classification) >= FIRST_SUB_BATCH and _waiting_on_a_lock(pg_db),
            "the classify worker to block in the middle of its batch",
        )
        assert count(pg_db.read_sessions, Classification) < len(expected.classifications)
        processes.kill(first)
    finally:
        lock.rollback()
        locker.close()
    processes.worker("classify")
    processes.wait_for(
        lambda: count(pg_db.read_sessions, Classification) == len(expected.classifications),
        "the restarted worker to finish the batch",
    )
    processes.stop_all()
    snapshot(pg_db.read_sessions).assert_same_as(expected)
    assert count(pg_db.read_sessions, DeadLetter) == 0


def test_the_standby_scheduler_takes_over_and_no_source_is_fetched_twice_per_interval(setup, pg_db) -> None:
    _settings, processes = setup
    with FeedServer() as server:
        first_feeds = serve_feeds(server, feeds=3)
        later_feeds = [server.route(f"/later{n}.xml", server.routes[f"/feed{n}.xml"]) for n in range(3)]
        add_sources(pg_db.sessions, first_feeds, interval_seconds=INTERVAL_SECONDS)
        processes.worker("fetch")
        leader = processes.scheduler()
        standby = processes.scheduler()
        processes.wait_for(
            lambda: lease_owner(pg_db.read_sessions, LEADER_LEASE) is not None
            and fetched_sources(pg_db.read_sessions) == len(first_feeds)
            and all("scheduler started" in p.output() for p in (leader, standby)),
            "one scheduler to lead and fetch every source, the other to wait",
        )
        first_owner = lease_owner(pg_db.read_sessions, LEADER_LEASE)
        if f":{standby.popen.pid}:" in first_owner:
            leader, standby = standby, leader
        assert f":{leader.popen.pid}:" in first_owner
        processes.kill(leader)
        # Sources added after the leader died are due at once: only a new leader fetches them.
        add_sources(pg_db.sessions, later_feeds, interval_seconds=INTERVAL_SECONDS)
        processes.wait_for(
            lambda: f":{standby.popen.pid}:" in (lease_owner(pg_db.read_sessions, LEADER_LEASE) or ""),
            "the standby to lead",
        )
        processes.wait_for(
            lambda: fetched_sources(pg_db.read_sessions) == len(first_feeds) + len(later_feeds),
            "the new leader to have the new sources fetched",
        )
        processes.stop_all()
    with pg_db.read_sessions() as session:
        runs = session.execute(select(FetchRun.source_id, FetchRun.started_at).order_by(FetchRun.started_at)).all()
    starts: dict[int, list] = {}
    for source_id, started_at in runs:
        starts.setdefault(source_id, []).append(started_at)
    interval = timedelta(seconds=INTERVAL_SECONDS)
    for source_id, times in starts.items():
        gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        assert all(gap >= interval for gap in gaps), (source_id, gaps)

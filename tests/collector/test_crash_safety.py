"""Kill the collector process in the middle of a run, run it again, and compare the stored items
with those of an uninterrupted run: nothing lost, nothing twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import delete, func, select, update

import storage
from storage.schema import FetchRun, Item, Source
from tests.collector.conftest import add_source
from tests.support.feed_server import Route, rss_feed

FEEDS = 12
FAST = 4  # answered at once; the others hang long enough for the kill to land mid-run
HANG_SECONDS = 30
POLL_SECONDS = 0.05
WAIT_FOR_FIRST_COMMIT_SECONDS = 60


def feed(index: int) -> bytes:
    return rss_feed([
        {"guid": f"f{index}-{i}", "title": f"Bericht {i} van feed {index}", "link": f"https://n{index}.test/{i}",
         "description": f"Feed {index} meldt bericht {i}: de gemeenteraad besluit over parkeertarieven in wijk {i}."}
        for i in range(6)
    ])


def snapshot(db) -> set[tuple]:
    with db.read_sessions() as session:
        rows = session.execute(
            select(Source.url, Item.entry_key, Item.title, Item.content_hash, Item.canonical_url, Item.language,
                   Item.duplicate_of).join(Source, Source.id == Item.source_id)
        ).all()
        keys = dict(session.execute(select(Item.id, Item.entry_key)).all())
    return {(url, key, title, digest, canonical, language, keys.get(dup)) for url, key, title, digest, canonical, language, dup in rows}


def reset(db) -> None:
    with storage.transaction(db.sessions) as session:
        session.execute(delete(Item))
        session.execute(delete(FetchRun))
        session.execute(update(Source).values(next_due_at=None, etag=None, last_modified=None, lease_owner=None,
                                              lease_expires_at=None, consecutive_failures=0))


def collect_process(db, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "WAAKHOND_DATABASE_URL": db.url,
        "WAAKHOND_DATA_DIR": str(tmp_path / "var"),
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__READ_TIMEOUT": str(HANG_SECONDS * 2),
        "WAAKHOND_COLLECTOR__TOTAL_TIMEOUT": str(HANG_SECONDS * 2),
    }
    return subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "collect", "--once"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def runs_stored(db) -> int:
    with db.read_sessions() as session:
        return int(session.scalar(select(func.count(FetchRun.id))))


@pytest.mark.slow
def test_a_killed_run_completed_by_a_rerun_equals_an_uninterrupted_run(db, server, tmp_path):
    for i in range(FEEDS):
        add_source(db, server.route(f"/feed{i}", Route(body=feed(i))))

    uninterrupted = collect_process(db, tmp_path)
    assert uninterrupted.wait(120) == 0, uninterrupted.stderr.read()
    expected = snapshot(db)
    assert len(expected) == FEEDS * 6

    reset(db)
    for i in range(FAST, FEEDS):
        server.route(f"/feed{i}", Route(body=feed(i), delay=HANG_SECONDS))
    killed = collect_process(db, tmp_path)
    deadline = time.monotonic() + WAIT_FOR_FIRST_COMMIT_SECONDS
    while runs_stored(db) < FAST and time.monotonic() < deadline and killed.poll() is None:
        time.sleep(POLL_SECONDS)
    assert killed.poll() is None, "the run ended before it could be killed"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(30)
    partial = snapshot(db)
    assert 0 < len(partial) < len(expected) and partial <= expected

    for i in range(FAST, FEEDS):
        server.route(f"/feed{i}", Route(body=feed(i)))
    rerun = collect_process(db, tmp_path)  # takes over the dead process's leases at once
    assert rerun.wait(120) == 0, rerun.stderr.read()
    assert snapshot(db) == expected

"""Crash safety, beyond tests/collector/test_crash_safety.py (one kill of ``collect --once``,
whose helpers this reuses): ``waakhond collect --once`` over many feeds killed with SIGKILL at
several moments in a row, and ``waakhond classify`` killed twice. After a rerun: every item
exactly once, no lease left held, ``PRAGMA integrity_check`` ok, no item left unscored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select, text

import storage
from storage.schema import Classification, Item, Source
from tests.classifier.conftest import tiny_encoder, tiny_folder, tiny_settings  # noqa: F401 - fixtures
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)
from tests.collector.conftest import add_source
from tests.collector.test_crash_safety import feed, reset, runs_stored, snapshot
from tests.support.cli import invoke
from tests.support.feed_server import FeedServer, Route

FEEDS = 20
#: Each feed answers after this long, two fetches at a time: the run lasts long enough to be
#: killed at several moments (the kills wait for commits, not for time).
FEED_DELAY_SECONDS = 0.3
KILL_AFTER_RUNS = (2, 7, 13)  # kill the collector once this many fetch runs are stored in all
CLASSIFY_ITEMS = 150
KILL_AFTER_SCORES = (20, 75)
WAIT_SECONDS = 120
POLL_SECONDS = 0.02


def integrity(db) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar()


def _kill_when(process: subprocess.Popen, ready, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(POLL_SECONDS)
    assert process.poll() is None, f"{what} ended before it could be killed: {process.stderr.read()[-2000:]}"
    assert ready(), f"{what}: nothing committed within {WAIT_SECONDS}s"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)


def collect_process(db, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ, "WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "var"),
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": '["127.0.0.0/8"]', "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__GLOBAL_CONCURRENCY": "2", "WAAKHOND_COLLECTOR__RETRIES": "0",
    }
    env.pop("WAAKHOND_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "collect", "--once"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_collect_killed_at_several_moments_then_rerun_stores_every_item_once(db, tmp_path):
    with FeedServer() as server:
        for i in range(FEEDS):
            add_source(db, server.route(f"/feed{i}", Route(body=feed(i), delay=FEED_DELAY_SECONDS)))
        uninterrupted = collect_process(db, tmp_path)
        assert uninterrupted.wait(WAIT_SECONDS) == 0, uninterrupted.stderr.read()
        expected = snapshot(db)
        assert len(expected) == FEEDS * 6

        reset(db)
        seen = []
        for after in KILL_AFTER_RUNS:
            process = collect_process(db, tmp_path)  # each takes over the dead one's leases
            _kill_when(process, lambda after=after: runs_stored(db) >= after, f"collect (kill after {after} runs)")
            partial = snapshot(db)
            assert partial <= expected
            seen.append(len(partial))
        assert 0 < seen[0] <= seen[-1] < len(expected), seen

        rerun = collect_process(db, tmp_path)
        assert rerun.wait(WAIT_SECONDS) == 0, rerun.stderr.read()
    assert snapshot(db) == expected
    with db.read_sessions() as session:
        assert session.scalar(select(func.count(Item.id))) == FEEDS * 6  # exactly once: no item twice
        assert session.scalars(select(Source.lease_owner).where(Source.lease_owner.is_not(None))).all() == []
    assert integrity(db) == "ok"


@pytest.fixture
def classify_env(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder):  # noqa: F811 - fixtures
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    return {
        "WAAKHOND_DATABASE_URL": db.url, "WAAKHOND_DATA_DIR": str(tmp_path / "data"),
        "WAAKHOND_MODEL_DIR": str(tmp_path / "models"), "WAAKHOND_ACTOR": "tester",
        "WAAKHOND_CLASSIFIER__BASE_MODEL_PATH": str(tiny_folder),
        "WAAKHOND_CLASSIFIER__MAX_TOKENS": str(tiny_settings.max_tokens),
        "WAAKHOND_CLASSIFIER__WINDOW_STRIDE_TOKENS": str(tiny_settings.window_stride_tokens),
        "WAAKHOND_CLASSIFIER__THREADS": "1", "WAAKHOND_CLASSIFIER__ITEMS_PER_BATCH": "3",
    }


def classify_process(env: dict[str, str]) -> subprocess.Popen:
    full = {k: v for k, v in {**os.environ, **env}.items() if k != "WAAKHOND_CONFIG"}
    return subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "classify"], env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_classify_killed_twice_then_rerun_scores_every_item_once(db, classify_env, capsys):
    assert invoke(["init"], classify_env, capsys).exit_code == 0
    texts = POSITIVE + NEGATIVE
    with storage.transaction(db.sessions) as session:
        ids = add_items(session, [(f"{texts[n % len(texts)]} ({n})", "", None) for n in range(CLASSIFY_ITEMS)],
                        to_classify=True)

    def scored() -> int:
        with db.read_sessions() as session:
            return int(session.scalar(select(func.count(func.distinct(Classification.item_id)))))

    counts = []
    for after in KILL_AFTER_SCORES:
        _kill_when(classify_process(classify_env), lambda after=after: scored() >= after, f"classify (after {after})")
        counts.append(scored())
    assert KILL_AFTER_SCORES[0] <= counts[0] <= counts[-1] < CLASSIFY_ITEMS, counts

    rerun = classify_process(classify_env)
    assert rerun.wait(WAIT_SECONDS) == 0, rerun.stderr.read()
    with db.read_sessions() as session:
        per_item = dict(session.execute(
            select(Classification.item_id, func.count(Classification.id)).group_by(Classification.item_id)).all())
    assert set(per_item) == set(ids)  # no item left unscored
    assert set(per_item.values()) == {1}  # and none scored twice
    assert integrity(db) == "ok"

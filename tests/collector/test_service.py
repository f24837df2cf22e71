"""The service (waakhond run): pipeline steps on APScheduler with jobs in the database, clean
stop on SIGTERM with the work in flight finished, and two services sharing one database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from storage.repositories.fetches import SCHEDULER_JOBS_TABLE
from storage.schema import FetchRun, Item, Source
from tests.collector.conftest import add_source
from tests.support.feed_server import Route, rss_feed
from waakhond.context import AppContext
from waakhond.pipeline import PipelineStep, StepContext
from waakhond.pipeline.collect import collect_step
from waakhond.service import Service
from waakhond.settings import Settings

WAIT_SECONDS = 60
POLL_SECONDS = 0.05


@pytest.fixture
def clean_jobs(db):
    """The job table is APScheduler's, not ours: empty it so runs on PostgreSQL start fresh."""
    if SCHEDULER_JOBS_TABLE in inspect(db.engine).get_table_names():
        with db.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {SCHEDULER_JOBS_TABLE}"))
    yield


def app_for(db, tmp_path, **collector) -> AppContext:
    settings = Settings(
        database_url=db.url, data_dir=tmp_path / "var",
        collector={"allow_networks": ["127.0.0.0/8"], "per_host_min_delay": 0, "tick_seconds": 0.5, **collector},
    )
    return AppContext(settings)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


class RunningService:
    """A Service on its own thread and event loop, as `waakhond run` would run it."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self.service.run(ready=self.ready.set))
        except BaseException as exc:  # noqa: BLE001 - surfaced by stop()
            self.error = exc

    def __enter__(self) -> RunningService:
        self.thread.start()
        assert self.ready.wait(WAIT_SECONDS), "service did not start"
        return self

    def stop(self) -> None:
        self.service.request_stop()
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive(), "service did not stop"
        if self.error:
            raise self.error

    def __exit__(self, *exc_info) -> None:
        if self.thread.is_alive():
            self.stop()


def count_items(db) -> int:
    with db.read_sessions() as session:  # a new session each time: a long one keeps its snapshot
        return int(session.scalar(select(func.count(Item.id))))


def stored_jobs(db) -> dict[str, float]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {SCHEDULER_JOBS_TABLE}")).all()
    return dict(rows)


def test_steps_run_after_collection_and_their_jobs_live_in_the_database(db, tmp_path, server, clean_jobs):
    add_source(db, server.route("/feed", Route(body=rss_feed([{"guid": "g1", "title": "Eerste"}]))))
    app = app_for(db, tmp_path)
    calls: list[str] = []

    def sync_step(context: StepContext) -> None:
        assert isinstance(context.stopping, threading.Event)
        with context.app.read_sessions() as session:
            calls.append(f"sync:{session.scalar(select(func.count(Item.id)))}")

    async def async_step(context: StepContext) -> None:
        calls.append("async")

    steps = [
        PipelineStep("collect", collect_step, 0.5, exclusive=False),
        PipelineStep("count", sync_step, 3600),
        PipelineStep("ping", async_step, 3600),
    ]
    with RunningService(Service(app, steps)) as running:
        wait_for(lambda: "async" in calls and any(c.startswith("sync") for c in calls), "steps")
        wait_for(lambda: len(stored_jobs(db)) == 3, "jobs")
        wait_for(lambda: count_items(db) == 1, "collected item")
        running.stop()
    jobs = stored_jobs(db)
    assert set(jobs) == {"step:collect", "step:count", "step:ping"}

    # A restart keeps a stored job whose interval did not change (its next run time survives)...
    calls.clear()
    with RunningService(Service(app, steps)):
        time.sleep(1)
    assert stored_jobs(db)["step:count"] == jobs["step:count"] and calls == []
    # ...and replaces it when the interval changed, running it now.
    changed = [steps[0], PipelineStep("count", sync_step, 1800), steps[2]]
    with RunningService(Service(app, changed)):
        wait_for(lambda: any(c.startswith("sync") for c in calls), "changed step")
    assert stored_jobs(db)["step:count"] != jobs["step:count"]


def test_a_failing_step_does_not_stop_the_service(db, tmp_path, clean_jobs):
    app = app_for(db, tmp_path)
    calls = []

    def broken(context):
        calls.append("broken")
        raise RuntimeError("model file missing")

    def fine(context):
        calls.append("fine")

    with RunningService(Service(app, [PipelineStep("broken", broken, 3600), PipelineStep("fine", fine, 3600)])):
        wait_for(lambda: {"broken", "fine"} <= set(calls), "both steps")


def test_an_exclusive_step_runs_in_one_service_at_a_time(db, tmp_path, clean_jobs):
    active, peak, runs = [0], [0], []
    lock = threading.Lock()

    def slow(context: StepContext) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            runs.append(context.worker)
        time.sleep(1.0)
        with lock:
            active[0] -= 1

    first = Service(app_for(db, tmp_path), [PipelineStep("aggregate", slow, 3600)])
    second = Service(app_for(db, tmp_path), [PipelineStep("aggregate", slow, 3600)])
    with RunningService(first), RunningService(second):
        wait_for(lambda: len(runs) >= 1 and active[0] == 0, "the scheduled run")
        runs.clear()
        # both services try the step at the same moment: the named lease lets one through
        both = [asyncio.run_coroutine_threadsafe(s.run_step("aggregate"), s._loop) for s in (first, second)]
        for future in both:
            future.result(WAIT_SECONDS)
        assert len(runs) == 1 and peak[0] == 1
        # the lease was released: the other service can run it next
        loser = second if runs[0] == first.worker else first
        asyncio.run_coroutine_threadsafe(loser.run_step("aggregate"), loser._loop).result(WAIT_SECONDS)
        assert runs[-1] == loser.worker


def service_process(db, tmp_path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "WAAKHOND_DATABASE_URL": db.url,
        "WAAKHOND_DATA_DIR": str(tmp_path / name),
        "WAAKHOND_COLLECTOR__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        "WAAKHOND_COLLECTOR__PER_HOST_MIN_DELAY": "0",
        "WAAKHOND_COLLECTOR__TICK_SECONDS": "0.5",
    }
    return subprocess.Popen([sys.executable, "-m", "waakhond.cli.main", "run"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigterm_finishes_the_fetch_in_flight_then_exits_cleanly(db, tmp_path, server, clean_jobs):
    slow_id = add_source(db, server.route("/slow", Route(body=rss_feed([{"guid": "s1", "title": "Traag"}]), delay=2)))
    proc = service_process(db, tmp_path, "one")
    try:
        wait_for(lambda: server.requests_to("/slow"), "the slow fetch to start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(WAIT_SECONDS) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stop requested" in proc.stderr.read()
    with db.read_sessions() as session:
        [run] = session.scalars(select(FetchRun).where(FetchRun.source_id == slow_id)).all()
        assert run.status == "ok" and run.items_new == 1
        source = session.get(Source, slow_id)
        assert source.lease_owner is None and source.next_due_at > datetime.now(UTC) + timedelta(seconds=60)


@pytest.mark.slow
def test_two_services_on_one_database_fetch_each_source_once(db, tmp_path, server, clean_jobs):
    paths = [f"/feed{i}" for i in range(6)]
    for p in paths:
        add_source(db, server.route(p, Route(body=rss_feed([{"guid": p, "title": p}]), delay=0.5)))
    procs = [service_process(db, tmp_path, "a"), service_process(db, tmp_path, "b")]
    try:
        def all_fetched() -> bool:
            with db.read_sessions() as session:
                return session.scalar(select(func.count(func.distinct(FetchRun.source_id)))) == len(paths)

        wait_for(all_fetched, "every source fetched")
        time.sleep(2)  # several more ticks of both services: nothing is due again for minutes
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(WAIT_SECONDS) == 0, proc.stderr.read()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [len(server.requests_to(p)) for p in paths] == [1] * len(paths)
    with db.read_sessions() as session:
        assert session.scalar(select(func.count(FetchRun.id))) == len(paths)

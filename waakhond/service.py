"""The long-running service (``waakhond run``): pipeline steps on APScheduler, jobs in the database.

    start     AsyncIOScheduler, job store = table apscheduler_jobs in the project database;
              one job per pipeline step (kept when its interval is unchanged, so its next run
              time survives a restart); one shared Collector (HTTP client, robots.txt cache)
    each job  run_step(name): exclusive steps first take the named lease "step:<name>", so
              of several `waakhond run` processes only one runs them at a time; the collect
              step needs none (every source is leased on its own)
    SIGTERM / SIGINT
              no new jobs; the collect step stops starting sources; whatever is in flight
              (fetches and their writes, sync steps on their threads) finishes; then exit 0

Adding a step (classification, claim matching, aggregates, ...): write
``def my_step(context: StepContext) -> None`` (or ``async def``) and add
``PipelineStep("my_step", my_step, interval_seconds)`` to ``pipeline_steps`` below. A sync
step runs on a worker thread; it should check ``context.stopping.is_set()`` between batches.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

import storage
from collector import Collector, CollectReport, default_page_processors
from collector.leases import new_owner_id
from storage.fetching import SCHEDULER_JOBS_TABLE, release_lease, try_acquire_lease
from storage.schema import utcnow
from waakhond.classify_wiring import classify_step
from waakhond.collect_wiring import collect_sources
from waakhond.context import AppContext
from waakhond.dashboard_wiring import aggregates_step
from waakhond.debunk_wiring import match_step, with_claim_review_processor
from waakhond.narrative_wiring import narrative_and_alert_steps

log = logging.getLogger(__name__)
JOB_PREFIX = "step:"
# An exclusive step's lease outlives a crashed holder by this many of its intervals at most
# (never less than a minute); a running step renews it this many times per lease period.
STEP_LEASE_INTERVALS = 3
MIN_STEP_LEASE_SECONDS = 60
LEASE_RENEWALS_PER_LEASE = 3
# Threads for synchronous steps (classification etc.); steps are few and mostly sequential.
STEP_THREADS = 2


@dataclass
class StepContext:
    """What a step gets: the app (settings, engine, sessions), the shared collector, and the
    stop signals (``stopping`` for threads, ``async_stopping`` for coroutines)."""

    app: AppContext
    worker: str
    collector: Collector
    stopping: threading.Event
    async_stopping: asyncio.Event
    last_results: dict[str, Any] = field(default_factory=dict)


StepFunction = Callable[[StepContext], None] | Callable[[StepContext], Awaitable[Any]]


@dataclass(frozen=True)
class PipelineStep:
    name: str
    run: StepFunction
    interval_seconds: float
    exclusive: bool = True  # one process at a time (named lease); False for self-leasing steps


async def collect_step(context: StepContext) -> CollectReport:
    """Fetch every due source once (the per-source leases keep processes from colliding)."""
    return await collect_sources(context.collector, stop=context.async_stopping)


def pipeline_steps(app: AppContext) -> list[PipelineStep]:
    """The service's steps, in the order they are scheduled. Add yours here."""
    return [
        PipelineStep("collect", collect_step, app.settings.collector.tick_seconds, exclusive=False),
        PipelineStep("classify", classify_step, app.settings.pipeline.classify_interval_seconds),
        PipelineStep("match", match_step, app.settings.pipeline.match_interval_seconds),
        PipelineStep("aggregates", aggregates_step, app.settings.dashboard.aggregates_refresh_seconds),
        *narrative_and_alert_steps(app, PipelineStep),
    ]


# APScheduler's stored jobs name a module-level function; it finds the service whose event loop
# runs the job here (one service per loop; tests run several in one process).
_running: dict[asyncio.AbstractEventLoop, Service] = {}


async def run_step(name: str) -> None:
    """The function every stored job calls (by its textual reference)."""
    service = _running.get(asyncio.get_running_loop())
    if service is None:
        log.warning("a job ran without a running service", extra={"step": name})
        return
    await service.run_step(name)


class Service:
    def __init__(self, app: AppContext, steps: list[PipelineStep] | None = None, collector: Collector | None = None):
        self.app = app
        self.steps = {s.name: s for s in (steps if steps is not None else pipeline_steps(app))}
        self.worker = new_owner_id("service")
        self.collector = collector or Collector(
            app.settings.collector, app.sessions, app.read_sessions,
            page_processors=with_claim_review_processor(default_page_processors()), owner=self.worker,
        )
        self.stopping = threading.Event()
        self.async_stopping: asyncio.Event | None = None
        self._threads = ThreadPoolExecutor(max_workers=STEP_THREADS, thread_name_prefix="waakhond-step")
        self._in_flight: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.context: StepContext | None = None

    def request_stop(self, *_args: Any) -> None:
        """Stop after the work in flight; safe to call from a signal handler or another thread."""
        if not self.stopping.is_set():
            log.info("stop requested: finishing work in flight")
        self.stopping.set()
        if self.async_stopping is None or self._loop is None:
            return
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is self._loop:
            self.async_stopping.set()
        else:
            self._loop.call_soon_threadsafe(self.async_stopping.set)

    async def run(self, ready: Callable[[], None] | None = None) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self.async_stopping = asyncio.Event()
        if self.stopping.is_set():
            self.async_stopping.set()
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(signum, self.request_stop)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests) or not Unix
                pass
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.app.engine, tablename=SCHEDULER_JOBS_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone="UTC",
        )
        _running[loop] = self
        try:
            async with self.collector:
                self.context = StepContext(self.app, self.worker, self.collector, self.stopping, self.async_stopping)
                scheduler.start(paused=True)
                self._schedule(scheduler)
                scheduler.resume()
                log.info("service started", extra={"worker": self.worker, "steps": sorted(self.steps)})
                if ready:
                    ready()
                await self.async_stopping.wait()
                # Pause first: APScheduler's shutdown cancels the job tasks it still tracks, so
                # it only comes after the work in flight has finished.
                scheduler.pause()
                while self._in_flight:
                    await asyncio.gather(*list(self._in_flight), return_exceptions=True)
                scheduler.shutdown(wait=False)
        finally:
            _running.pop(loop, None)
            self._threads.shutdown(wait=True)
            self.collector.close()
            log.info("service stopped", extra={"worker": self.worker})

    async def run_once(self, names: list[str] | None = None) -> dict[str, Any]:
        """Run the steps once, in order, without the scheduler: one full cycle (collect, classify,
        match, ...), as ``waakhond demo`` does first so that signals show up as soon as possible.
        Returns each step's result; stops early when a stop is requested."""
        self._loop = asyncio.get_running_loop()
        self.async_stopping = asyncio.Event()
        if self.stopping.is_set():
            self.async_stopping.set()
        results: dict[str, Any] = {}
        try:
            async with self.collector:
                self.context = StepContext(self.app, self.worker, self.collector, self.stopping, self.async_stopping)
                for name in names if names is not None else list(self.steps):
                    if self.stopping.is_set():
                        break
                    log.info("cycle step", extra={"step": name})
                    results[name] = await self.run_step(name)
        finally:
            self._threads.shutdown(wait=True)
            self.collector.close()
        return results

    def _schedule(self, scheduler: AsyncIOScheduler) -> None:
        for step in self.steps.values():
            job_id = JOB_PREFIX + step.name
            interval = timedelta(seconds=step.interval_seconds)
            existing = scheduler.get_job(job_id)
            if existing is not None and getattr(existing.trigger, "interval", None) == interval:
                continue  # same interval: keep the stored job and its next run time
            scheduler.add_job(
                f"{__name__}:run_step", IntervalTrigger(seconds=step.interval_seconds), args=[step.name],
                id=job_id, name=step.name, replace_existing=True, next_run_time=utcnow(),
                misfire_grace_time=max(1, int(step.interval_seconds)),
            )
        for job in scheduler.get_jobs():  # steps that no longer exist
            if job.id.startswith(JOB_PREFIX) and job.id[len(JOB_PREFIX):] not in self.steps:
                job.remove()

    async def run_step(self, name: str) -> Any:
        """Run one step now (what its job does). The work runs in its own task, shielded: a
        cancelled job (scheduler shutdown) never interrupts a step half-way."""
        step = self.steps.get(name)
        if step is None or self.stopping.is_set() or self.context is None:
            return None
        work = asyncio.ensure_future(self._run_guarded(step))
        self._in_flight.add(work)
        work.add_done_callback(self._in_flight.discard)
        return await asyncio.shield(work)

    async def _run_guarded(self, step: PipelineStep) -> Any:
        assert self.context is not None
        try:
            if step.exclusive and not await self._lease(step, acquire=True):
                return None  # another process runs this step right now
            renewer = asyncio.create_task(self._keep_lease(step)) if step.exclusive else None
            try:
                result = await self._call(step)
                self.context.last_results[step.name] = result
                return result
            finally:
                if renewer is not None:
                    renewer.cancel()
                    await self._lease(step, acquire=False)
        except Exception:  # one failing step must not stop the service
            log.exception("pipeline step failed", extra={"step": step.name})
            return None

    async def _call(self, step: PipelineStep) -> Any:
        assert self.context is not None
        if inspect.iscoroutinefunction(step.run):
            return await step.run(self.context)
        return await asyncio.get_running_loop().run_in_executor(self._threads, step.run, self.context)

    async def _keep_lease(self, step: PipelineStep) -> None:
        """Renew an exclusive step's lease while it runs, however long that takes."""
        while True:
            await asyncio.sleep(_lease_seconds(step) / LEASE_RENEWALS_PER_LEASE)
            await self._lease(step, acquire=True)

    async def _lease(self, step: PipelineStep, *, acquire: bool) -> bool:
        name = JOB_PREFIX + step.name
        seconds = _lease_seconds(step)

        def work() -> bool:
            with storage.transaction(self.app.sessions) as session:
                if acquire:
                    return try_acquire_lease(session, name, self.worker, utcnow(), seconds)
                release_lease(session, name, self.worker)
                return True

        return await asyncio.get_running_loop().run_in_executor(self._threads, work)


def _lease_seconds(step: PipelineStep) -> float:
    return max(MIN_STEP_LEASE_SECONDS, step.interval_seconds * STEP_LEASE_INTERVALS)


def run_service(app: AppContext) -> None:
    """Entry point of ``waakhond run``: blocks until SIGTERM/SIGINT, then stops cleanly. With
    ``broker_url`` set this process is a scale-out scheduler instead: it only enqueues, and
    Celery workers (``waakhond worker``) do the work."""
    if app.settings.broker_url:
        from waakhond.workers.scheduler import run_scheduler

        run_scheduler(app)
        return
    from waakhond.metrics import start_metrics_server

    metrics = start_metrics_server(app.settings.metrics, read_sessions=app.read_sessions)
    try:
        asyncio.run(Service(app).run())
    finally:
        if metrics is not None:
            metrics.stop()

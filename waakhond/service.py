"""The embedded runtime (``waakhond run`` without a broker): the pipeline's steps on
APScheduler, jobs in the database.

    start     AsyncIOScheduler, job store = table apscheduler_jobs in the project database;
              one job per pipeline step (kept when its interval is unchanged, so its next run
              time survives a restart); one shared Collector (HTTP client, robots.txt cache)
    each job  run_step(name): exclusive steps first take the named lease "step:<name>"
              (``pipeline.lease``), so of several `waakhond run` processes only one runs them at
              a time; the collect step needs none (every source is leased on its own)
    SIGTERM / SIGINT
              no new jobs; the collect step stops starting sources; whatever is in flight
              (fetches and their writes, sync steps on their threads) finishes; then exit 0

The steps themselves, and where a new one goes, are in ``waakhond.pipeline``; the scale-out
runtime (``waakhond.workers``) runs the same steps.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from collector import Collector, new_owner_id
from storage.repositories import SCHEDULER_JOBS_TABLE
from storage.schema import utcnow
from waakhond.context import AppContext
from waakhond.metrics import start_metrics_server
from waakhond.pipeline import (
    STEP_LEASE_PREFIX,
    PipelineStep,
    StepContext,
    acquire_step_lease,
    build_collector,
    pipeline_steps,
    release_step_lease,
    renew_every_seconds,
)

log = logging.getLogger(__name__)
JOB_PREFIX = STEP_LEASE_PREFIX  # a step's job id is its lease name
# Threads for synchronous steps (classification etc.); steps are few and mostly sequential.
STEP_THREADS = 2


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
        self.collector = collector or build_collector(app, owner=self.worker)
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
            await asyncio.sleep(renew_every_seconds(step))
            await self._lease(step, acquire=True)

    async def _lease(self, step: PipelineStep, *, acquire: bool) -> bool:
        def work() -> bool:
            if acquire:
                return acquire_step_lease(self.app.sessions, step, self.worker)
            release_step_lease(self.app.sessions, step, self.worker)
            return True

        return await asyncio.get_running_loop().run_in_executor(self._threads, work)


def run_service(app: AppContext) -> None:
    """The embedded service: blocks until SIGTERM/SIGINT, then stops cleanly. (``waakhond run``
    with ``broker_url`` set runs the scale-out scheduler instead, see ``waakhond.cli.collect_cmd``.)"""
    metrics = start_metrics_server(app.settings.metrics, read_sessions=app.read_sessions)
    try:
        asyncio.run(Service(app).run())
    finally:
        if metrics is not None:
            metrics.stop()

"""The scale-out scheduler (``waakhond scheduler``, or ``waakhond run`` with a broker): a
beat-less loop that only enqueues. Many may run; one leads (``leader.LeaderElection``), the
others wait as hot standbys.

    every scheduler_tick_seconds:   hold the leader lease; a standby does nothing else
    as leader, each step when due:
        collect   (collector.tick_seconds)   due sources without a recent task -> one fetch
                                             task each (expires after requeue_after_seconds)
        classify  (pipeline.classify_interval_seconds, at most scale.classify_max_wait_seconds;
                   at once again while a backlog fills the queue)
                                             pending items without a recent task -> batches
                                             (planning.plan_classify_batches), up to
                                             classify_max_queued_batches outstanding
        others    (their own intervals)      one run_step task (expires after its interval)

What is enqueued is kept in memory only (``planning.InFlight``); the database says what is
due and what is pending, so a new leader simply starts from there.
"""

from __future__ import annotations

import logging
import math
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import Celery

from classifier import TASK_DISINFORMATION, install_default_versions
from collector import new_owner_id
from storage.repositories import classifications, due_source_ids, model_versions
from storage.schema import utcnow
from waakhond.context import AppContext
from waakhond.metrics.settings import MetricsSettings
from waakhond.pipeline import PipelineStep, pipeline_steps
from waakhond.workers import tasks
from waakhond.workers.leader import LeaderElection
from waakhond.workers.planning import InFlight, plan_classify_batches, plan_fetches

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, app: AppContext, celery: Celery, now: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.celery = celery
        self.now = now
        self.scale = app.settings.scale
        self.owner = new_owner_id("scheduler")
        self.election = LeaderElection(app.sessions, self.owner, self.scale.leader_lease_seconds, now)
        self.steps = pipeline_steps(app)
        requeue_after = timedelta(seconds=self.scale.requeue_after_seconds)
        self.fetches = InFlight(requeue_after)
        self.classify = InFlight(requeue_after)
        self.next_run: dict[str, datetime] = {}
        self.stopping = threading.Event()
        self._leading = False

    def request_stop(self, *_args) -> None:
        self.stopping.set()

    def run(self, ready: Callable[[], None] | None = None) -> None:
        log.info("scheduler started", extra={"owner": self.owner, "steps": [s.name for s in self.steps]})
        if ready:
            ready()
        try:
            while not self.stopping.is_set():
                if self.election.hold():
                    if not self._leading:  # a new term: nothing is known to be in flight
                        self._leading = True
                        self.next_run.clear()
                        self.fetches.enqueued.clear()
                        self.classify.enqueued.clear()
                    self.tick()
                else:
                    self._leading = False
                self.stopping.wait(self.scale.scheduler_tick_seconds)
        finally:
            self.election.release()
            log.info("scheduler stopped", extra={"owner": self.owner})

    def tick(self) -> None:
        for step in self.steps:
            now = self.now()
            due = self.next_run.get(step.name)
            if due is not None and due > now:
                continue
            again_soon = False
            try:
                again_soon = self._enqueue(step, now)
            except Exception:  # broker or database away: try again at the step's next time
                log.exception("enqueueing failed", extra={"step": step.name})
            wait = self.scale.scheduler_tick_seconds if again_soon else self._interval(step)
            self.next_run[step.name] = now + timedelta(seconds=wait)

    def _interval(self, step: PipelineStep) -> float:
        if step.name == "classify":
            return min(step.interval_seconds, self.scale.classify_max_wait_seconds)
        return step.interval_seconds

    def _enqueue(self, step: PipelineStep, now: datetime) -> bool:
        """Enqueue the step's work; True when more is waiting right now (a backlog)."""
        if step.name == "collect":
            self._enqueue_fetches(now)
            return False
        if step.name == "classify":
            return self._enqueue_classify(now)
        self._send(tasks.STEP_TASK, [step.name], tasks.queue_of_step(step.name), step.interval_seconds)
        return False

    def _send(self, name: str, args: list, queue: str, expires_seconds: float) -> None:
        self.celery.send_task(name, args=args, queue=queue, expires=expires_seconds)

    def _enqueue_fetches(self, now: datetime) -> None:
        with self.app.read_sessions() as session:
            due = due_source_ids(session, now)
        self.fetches.keep_only(due)
        chosen = plan_fetches(due, self.fetches.waiting(now))
        for source_id in chosen:
            self._send(tasks.FETCH_TASK, [source_id], tasks.FETCH_QUEUE, self.scale.requeue_after_seconds)
            self.fetches.add([source_id], now)
        if chosen:
            log.info("fetches enqueued", extra={"sources": len(chosen), "due": len(due)})

    def _active_version_id(self) -> int | None:
        with self.app.read_sessions() as session:
            active = model_versions.active_model_version(session, TASK_DISINFORMATION)
        if active is None:  # a fresh database: the shipped default, as the embedded step would
            install_default_versions(self.app.sessions, self.app.settings)
            with self.app.read_sessions() as session:
                active = model_versions.active_model_version(session, TASK_DISINFORMATION)
        return None if active is None else active.id

    def _enqueue_classify(self, now: datetime) -> bool:
        size = self.scale.classify_batch_size
        waiting = self.classify.waiting(now)
        room = self.scale.classify_max_queued_batches - math.ceil(len(waiting) / size)
        if room <= 0:
            return True  # the queue is full: look again at the next tick
        version_id = self._active_version_id()
        if version_id is None:
            log.warning("no active model version: nothing to classify with")
            return False
        cfg = self.app.settings.classifier
        limit = len(waiting) + room * size
        since = now - timedelta(days=cfg.pending_window_days)
        with self.app.read_sessions() as session:
            pending = classifications.pending_items(session, version_id, cfg.classify_languages, since, limit=limit)
        truncated = len(pending) == limit
        self.classify.keep_only([p.item_id for p in pending], pending[-1].item_id if truncated else None)
        batches = plan_classify_batches(pending, waiting, now, size, timedelta(seconds=self.scale.classify_max_wait_seconds))
        for batch in batches[:room]:
            self._send(tasks.CLASSIFY_TASK, [batch], tasks.CLASSIFY_QUEUE, self.scale.requeue_after_seconds)
            self.classify.add(batch, now)
        if batches:
            log.info("classify batches enqueued", extra={"batches": min(len(batches), room), "pending": len(pending)})
        return truncated or len(batches) > room


def run_scheduler(app: AppContext, metrics_settings: MetricsSettings | None = None) -> None:
    """Entry point of ``waakhond scheduler``: blocks until SIGTERM/SIGINT. ``metrics_settings``
    replaces ``settings.metrics`` (the command's ``--metrics-port``)."""
    from waakhond.metrics import start_metrics_server
    from waakhond.workers.celery_app import create_celery_app

    celery = create_celery_app(app.settings)
    scheduler = Scheduler(app, celery)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, scheduler.request_stop)
    metrics = start_metrics_server(
        metrics_settings or app.settings.metrics, read_sessions=app.read_sessions, broker_url=app.settings.broker_url,
        queues=tasks.QUEUES, is_leader=scheduler.election.is_leader,
    )
    try:
        scheduler.run()
    finally:
        if metrics is not None:
            metrics.stop()
        app.dispose()

"""An exclusive pipeline step on a worker holds the same named lease as in the embedded
service (``step:<name>``), so of all workers and services on one database only one runs it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import storage
from storage.fetching import release_lease, try_acquire_lease
from storage.schema import utcnow
from waakhond.service import (
    JOB_PREFIX,
    LEASE_RENEWALS_PER_LEASE,
    MIN_STEP_LEASE_SECONDS,
    STEP_LEASE_INTERVALS,
    PipelineStep,
)
from waakhond.workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)


def step_lease_seconds(step: PipelineStep) -> float:
    """The embedded service's rule: a few intervals, never less than a minute."""
    return max(MIN_STEP_LEASE_SECONDS, step.interval_seconds * STEP_LEASE_INTERVALS)


@contextmanager
def held_step_lease(runtime: WorkerRuntime, step: PipelineStep) -> Iterator[bool]:
    """Yields True while this worker holds the step's lease (renewed on a thread), False when
    another process runs the step right now."""
    name, seconds = JOB_PREFIX + step.name, step_lease_seconds(step)
    sessions, owner = runtime.app.sessions, runtime.owner

    def acquire() -> bool:
        with storage.transaction(sessions) as session:
            return try_acquire_lease(session, name, owner, utcnow(), seconds)

    if not acquire():
        yield False
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(seconds / LEASE_RENEWALS_PER_LEASE):
            try:
                acquire()
            except Exception:  # the database is briefly away: the next renewal may succeed
                log.warning("renewing a step lease failed", extra={"step": step.name}, exc_info=True)

    renewer = threading.Thread(target=renew, name=f"lease-{step.name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        with storage.transaction(sessions) as session:
            release_lease(session, name, owner)

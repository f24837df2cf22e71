"""The one lease rule of an exclusive pipeline step, for both runtimes: the named lease
``step:<name>`` in the ``leases`` table, so of all services and workers on one database only
one runs the step at a time.

    step_lease_name(step)     (pure)  "step:<name>"
    step_lease_seconds(step)  (pure)  a few of the step's intervals, never less than a minute
    renew_every_seconds(step) (pure)  a running step renews its lease this often
    acquire_step_lease / release_step_lease   one short transaction each
    held_step_lease           a context manager for threads (the Celery workers); the embedded
                              service calls acquire/release from its own event loop
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

import storage
from storage.repositories import release_lease, try_acquire_lease
from storage.schema import utcnow
from waakhond.pipeline.step import PipelineStep

log = logging.getLogger(__name__)
STEP_LEASE_PREFIX = "step:"
# An exclusive step's lease outlives a crashed holder by this many of its intervals at most
# (never less than a minute); a running step renews it this many times per lease period.
STEP_LEASE_INTERVALS = 3
MIN_STEP_LEASE_SECONDS = 60
LEASE_RENEWALS_PER_LEASE = 3


def step_lease_name(step: PipelineStep) -> str:
    return STEP_LEASE_PREFIX + step.name


def step_lease_seconds(step: PipelineStep) -> float:
    """A few intervals, never less than a minute."""
    return max(MIN_STEP_LEASE_SECONDS, step.interval_seconds * STEP_LEASE_INTERVALS)


def renew_every_seconds(step: PipelineStep) -> float:
    return step_lease_seconds(step) / LEASE_RENEWALS_PER_LEASE


def acquire_step_lease(sessions: sessionmaker[Session], step: PipelineStep, owner: str) -> bool:
    """Take or renew the step's lease; False when another owner holds it."""
    with storage.transaction(sessions) as session:
        return try_acquire_lease(session, step_lease_name(step), owner, utcnow(), step_lease_seconds(step))


def release_step_lease(sessions: sessionmaker[Session], step: PipelineStep, owner: str) -> None:
    with storage.transaction(sessions) as session:
        release_lease(session, step_lease_name(step), owner)


@contextmanager
def held_step_lease(sessions: sessionmaker[Session], step: PipelineStep, owner: str) -> Iterator[bool]:
    """Yields True while ``owner`` holds the step's lease (renewed on a thread), False when
    another process runs the step right now."""
    if not acquire_step_lease(sessions, step, owner):
        yield False
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(renew_every_seconds(step)):
            try:
                acquire_step_lease(sessions, step, owner)
            except Exception:  # the database is briefly away: the next renewal may succeed
                log.warning("renewing a step lease failed", extra={"step": step.name}, exc_info=True)

    renewer = threading.Thread(target=renew, name=f"lease-{step.name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        release_step_lease(sessions, step, owner)

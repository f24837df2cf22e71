"""Repository functions for fetching: which sources are due, leases, and ``upsert_fetch``.

Leases live on the ``sources`` row (``lease_owner``, ``lease_expires_at``). Claiming is one
conditional UPDATE per source, so of two processes that race for a source exactly one wins
on SQLite and on PostgreSQL alike. ``upsert_fetch`` stores one fetch in the caller's
transaction: its ``fetch_runs`` row, its new items, the source's new schedule and validators,
and the release of the lease. A crash before commit leaves none of it; the lease then expires
(or is taken over as stale) and a rerun fetches again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.repositories import audit
from storage.repositories.items import NewItem, insert_new_items
from storage.schema import FetchRun, Item, Lease, Source

COLLECTOR_ACTOR = "collector"
# APScheduler's SQLAlchemyJobStore keeps its own table in our database; the migrations and
# their consistency test leave it alone.
SCHEDULER_JOBS_TABLE = "apscheduler_jobs"
FOREIGN_TABLES = frozenset({SCHEDULER_JOBS_TABLE})


def is_own_table(name: str | None) -> bool:
    return name not in FOREIGN_TABLES


@dataclass(frozen=True)
class ClaimedSource:
    """A plain snapshot of a source, taken when its lease was claimed."""

    id: int
    url: str
    name: str
    kind: str
    full_text: bool
    language: str | None
    etag: str | None
    last_modified: str | None
    interval_seconds: int
    min_interval_seconds: int | None
    max_interval_seconds: int | None
    poll_factor: float
    consecutive_failures: int
    enabled: bool
    next_due_at: datetime | None


def due_source_ids(session: Session, now: datetime, limit: int | None = None) -> list[int]:
    query = (
        select(Source.id)
        .where(Source.enabled.is_(True), or_(Source.next_due_at.is_(None), Source.next_due_at <= now))
        .order_by(Source.next_due_at.is_not(None), Source.next_due_at, Source.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def lease_holders(session: Session, now: datetime) -> set[str]:
    """Owners of leases that have not expired."""
    query = select(Source.lease_owner).where(Source.lease_owner.is_not(None), Source.lease_expires_at > now).distinct()
    return set(session.scalars(query))


def claim_sources(
    session: Session,
    source_ids: Iterable[int],
    owner: str,
    now: datetime,
    lease_seconds: int,
    take_over: Iterable[str] = (),
    *,
    only_due: bool = False,
) -> list[ClaimedSource]:
    """Lease the given sources to ``owner``; returns those it got. A lease held by someone
    else is respected until it expires, unless its owner is in ``take_over`` (known dead).
    ``only_due``: a source is claimed only while it is enabled and due, in the same UPDATE, so
    a second request for a source that was just fetched (a task enqueued twice) claims nothing."""
    until = now + timedelta(seconds=lease_seconds)
    stale = sorted(set(take_over))
    claimed: list[int] = []
    for source_id in source_ids:
        free = or_(Source.lease_owner.is_(None), Source.lease_expires_at.is_(None), Source.lease_expires_at <= now)
        if stale:
            free = or_(free, Source.lease_owner.in_(stale))
        conditions = [Source.id == source_id, free]
        if only_due:
            conditions += [Source.enabled.is_(True), or_(Source.next_due_at.is_(None), Source.next_due_at <= now)]
        result = session.execute(
            update(Source)
            .where(*conditions)
            .values(lease_owner=owner, lease_expires_at=until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(source_id)
    if not claimed:
        return []
    rows = session.scalars(select(Source).where(Source.id.in_(claimed)).order_by(Source.id)).all()
    return [_snapshot(s) for s in rows]


def _snapshot(s: Source) -> ClaimedSource:
    return ClaimedSource(
        id=s.id, url=s.url, name=s.name, kind=s.kind, full_text=s.full_text, language=s.language,
        etag=s.etag, last_modified=s.last_modified, interval_seconds=s.interval_seconds,
        min_interval_seconds=s.min_interval_seconds, max_interval_seconds=s.max_interval_seconds,
        poll_factor=s.poll_factor if s.poll_factor is not None else 1.0,
        consecutive_failures=s.consecutive_failures, enabled=s.enabled, next_due_at=s.next_due_at,
    )


def renew_leases(session: Session, owner: str, source_ids: Sequence[int], until: datetime) -> int:
    if not source_ids:
        return 0
    result = session.execute(
        update(Source)
        .where(Source.id.in_(list(source_ids)), Source.lease_owner == owner)
        .values(lease_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def release_leases(session: Session, owner: str, source_ids: Sequence[int]) -> int:
    if not source_ids:
        return 0
    result = session.execute(
        update(Source)
        .where(Source.id.in_(list(source_ids)), Source.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass(frozen=True)
class FetchRunRecord:
    started_at: datetime
    finished_at: datetime
    status: str  # ok | not_modified | failed | skipped
    http_status: int | None = None
    error_kind: str | None = None
    error_message: str | None = None
    bytes_received: int = 0
    items_seen: int = 0
    duration_ms: int | None = None
    worker: str | None = None
    attempts: int = 1
    final_url: str | None = None


@dataclass(frozen=True)
class SourceUpdate:
    """What one fetch changes on its source. Validators are replaced only when ``store_validators``
    (a 200 answer); a 304 or a failure keeps the ones we have."""

    next_due_at: datetime
    poll_factor: float
    consecutive_failures: int
    disable: bool = False
    disabled_reason: str | None = None
    store_validators: bool = False
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class UpsertResult:
    fetch_run_id: int | None
    items_new: int = 0
    new_items: list[Item] = field(default_factory=list)


def upsert_fetch(
    session: Session,
    source_id: int,
    owner: str | None,
    run: FetchRunRecord,
    items: Sequence[NewItem],
    source_update: SourceUpdate,
) -> UpsertResult:
    """Store one fetch in the caller's transaction. Idempotent for items."""
    source = session.get(Source, source_id)
    if source is None:  # removed by an operator while we were fetching
        return UpsertResult(fetch_run_id=None)
    fetch_run = FetchRun(
        source_id=source_id, started_at=run.started_at, finished_at=run.finished_at, status=run.status,
        http_status=run.http_status, error_kind=run.error_kind,
        error_message=(run.error_message or None) and run.error_message[:4000],
        bytes_received=run.bytes_received, items_seen=run.items_seen, items_new=0,
        duration_ms=run.duration_ms, worker=run.worker, attempts=run.attempts,
        final_url=(run.final_url or None) and run.final_url[:2048],
    )
    session.add(fetch_run)
    session.flush()
    new_items = insert_new_items(session, source_id, fetch_run.id, items, run.finished_at)
    fetch_run.items_new = len(new_items)

    failed = run.status == "failed"
    source.last_fetched_at = run.finished_at
    source.last_status = run.status
    source.last_error = f"{run.error_kind}: {run.error_message}" if failed else None
    source.total_fetches = (source.total_fetches or 0) + 1
    source.total_failures = (source.total_failures or 0) + (1 if failed else 0)
    source.consecutive_failures = source_update.consecutive_failures
    source.poll_factor = source_update.poll_factor
    source.next_due_at = source_update.next_due_at
    if new_items:
        source.last_new_item_at = run.finished_at
    if source_update.store_validators:
        source.etag = (source_update.etag or None) and source_update.etag[:512]
        source.last_modified = (source_update.last_modified or None) and source_update.last_modified[:128]
    if source_update.disable and source.enabled:
        source.enabled = False
        source.disabled_reason = source_update.disabled_reason
        audit.record(
            session, COLLECTOR_ACTOR, "source.disable", "source", source_id,
            {"reason": source_update.disabled_reason, "consecutive_failures": source_update.consecutive_failures},
        )
    if owner is not None and source.lease_owner == owner:
        source.lease_owner = None
        source.lease_expires_at = None
    return UpsertResult(fetch_run_id=fetch_run.id, items_new=len(new_items), new_items=new_items)


def add_run_note(session: Session, fetch_run_id: int, note: str) -> None:
    """Append a note to a stored run (e.g. page processors that failed while the fetch was fine)."""
    fetch_run = session.get(FetchRun, fetch_run_id)
    if fetch_run is not None:
        text = f"{fetch_run.error_message}; {note}" if fetch_run.error_message else note
        fetch_run.error_message = text[:4000]


# ---------------------------------------------------------------------------------------------
# Named leases (table ``leases``): one process at a time runs a named job, e.g. a service step.
# ---------------------------------------------------------------------------------------------
def try_acquire_lease(session: Session, name: str, owner: str, now: datetime, seconds: float) -> bool:
    """Take or extend the lease ``name`` for ``owner``; False while someone else holds it."""
    until = now + timedelta(seconds=seconds)
    result = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.owner == owner, Lease.expires_at <= now))
        .values(owner=owner, expires_at=until, acquired_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, owner=owner, expires_at=until, acquired_at=now))
    except IntegrityError:  # another process inserted it first
        return False
    return True


def release_lease(session: Session, name: str, owner: str) -> None:
    lease = session.get(Lease, name)
    if lease is not None and lease.owner == owner:
        session.delete(lease)

"""Repository functions for ``dead_letters``: tasks that kept failing after their retries.

A scale-out worker writes one row when a task has used its last retry (task, arguments, the
error, attempts, and the source when the task was about one). The Bronnen page shows the
unresolved ones to operators; nothing retries them automatically. An operator who has dealt
with one (fixed the source, re-fetched it) marks it handled: ``resolve_dead_letters``, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.repositories import audit
from storage.schema import DeadLetter, Source, utcnow

#: Stored error texts are cut to this length (a traceback's last lines are what matter).
MAX_ERROR_CHARS = 4000


@dataclass(frozen=True)
class DeadLetterRecord:
    task_name: str
    task_id: str | None
    arguments: dict[str, Any]
    error: str
    attempts: int
    source_id: int | None = None


@dataclass(frozen=True)
class DeadLetterView:
    id: int
    task_name: str
    task_id: str | None
    arguments: dict[str, Any]
    error: str
    attempts: int
    source_id: int | None
    source_name: str | None
    created_at: datetime


def record_dead_letter(session: Session, record: DeadLetterRecord) -> int:
    """Store one dead letter in the caller's transaction; returns its id. A source that no
    longer exists is not referred to (the row is kept without it)."""
    source_id = record.source_id
    if source_id is not None and session.get(Source, source_id) is None:
        source_id = None
    row = DeadLetter(
        task_name=record.task_name[:200], task_id=(record.task_id or None) and record.task_id[:200],
        arguments=dict(record.arguments), error=record.error[-MAX_ERROR_CHARS:], attempts=record.attempts,
        source_id=source_id, created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id


def recent_dead_letters(session: Session, limit: int = 50) -> list[DeadLetterView]:
    """Unresolved dead letters, newest first, with the source's name when there is one."""
    rows = session.execute(
        select(DeadLetter, Source.name)
        .outerjoin(Source, Source.id == DeadLetter.source_id)
        .where(DeadLetter.resolved_at.is_(None))
        .order_by(DeadLetter.created_at.desc(), DeadLetter.id.desc())
        .limit(limit)
    ).all()
    return [
        DeadLetterView(d.id, d.task_name, d.task_id, d.arguments or {}, d.error, d.attempts, d.source_id, name,
                       d.created_at)
        for d, name in rows
    ]


def count_dead_letters(session: Session) -> int:
    """Unresolved dead letters."""
    return int(session.scalar(select(func.count(DeadLetter.id)).where(DeadLetter.resolved_at.is_(None))) or 0)


def resolve_dead_letters(
    session: Session, ids: list[int], actor: str, user_id: int | None = None
) -> int:
    """Mark unresolved dead letters as handled (they leave the Bronnen page, the rows stay);
    returns how many changed. Each one gets an audit entry with who did it."""
    now = utcnow()
    open_ids = list(session.scalars(
        select(DeadLetter.id).where(DeadLetter.id.in_(list(ids)), DeadLetter.resolved_at.is_(None))
    ))
    if not open_ids:
        return 0
    session.execute(
        update(DeadLetter).where(DeadLetter.id.in_(open_ids)).values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    for dead_letter_id in open_ids:
        audit.record(session, actor, "dead_letter.resolve", "dead_letter", dead_letter_id, {}, user_id)
    return len(open_ids)

"""The audit log: who changed what, and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.schema import AuditEntry, utcnow

SYSTEM_ACTOR = "system"


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    details: dict[str, Any] | None = None,
    user_id: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry to the caller's transaction."""
    entry = AuditEntry(
        actor=actor or SYSTEM_ACTOR,
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=dict(details or {}),
        at=at or utcnow(),
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return session.scalars(query).all()

"""Operator actions on a source's schedule that are not edits of its settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage import audit
from storage.schema import Source, utcnow
from storage.sources import get_source


def fetch_now(session: Session, ref: int | str, actor: str, user_id: int | None = None) -> Source:
    """"Nu ophalen": make the source due at once; the running scheduler reads ``next_due_at``
    on its next tick, so no restart is needed. Recorded in the audit log."""
    source = get_source(session, ref)
    previous = source.next_due_at
    source.next_due_at = utcnow()
    audit.record(
        session, actor, "source.fetch_now", "source", source.id,
        {"previous_next_due_at": previous.isoformat() if previous else None}, user_id,
    )
    return source

"""Repository functions for the weekly briefings written (``briefings``): record one, find the
latest, find the one of a week.

A briefing row keeps the file itself, so the dashboard (which reads only through storage) and
the alert channels can offer it without the writer's disk. Recording one writes an
``audit_log`` entry (who, when).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.errors import InvalidInput
from storage.repositories import audit
from storage.schema import Briefing, utcnow

BRIEFING_FORMATS = ("pdf", "html")
BRIEFING_LANGUAGES = ("nl", "en")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class BriefingRecord:
    """A stored briefing without its file (listing it never loads the bytes)."""

    id: int
    week: str
    topic: str | None
    language: str
    format: str
    path: str | None
    size: int
    created_by: str | None
    created_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)


def _record(row: Briefing, size: int) -> BriefingRecord:
    return BriefingRecord(row.id, row.week, row.topic, row.language, row.format, row.path, size, row.created_by,
                          row.created_at, dict(row.summary or {}))


def record_briefing(
    session: Session, *, week: str, topic: str | None, language: str, format: str, content: bytes,
    path: str | None, summary: dict[str, Any], actor: str, at: datetime | None = None,
) -> BriefingRecord:
    if not _WEEK.match(week or ""):
        raise InvalidInput(f"not an ISO week like 2026-W48: {week!r}")
    if language not in BRIEFING_LANGUAGES:
        raise InvalidInput(f"a briefing's language is one of {', '.join(BRIEFING_LANGUAGES)}")
    if format not in BRIEFING_FORMATS:
        raise InvalidInput(f"a briefing's format is one of {', '.join(BRIEFING_FORMATS)}")
    if not content:
        raise InvalidInput("a briefing needs its file")
    row = Briefing(week=week, topic=topic, language=language, format=format, path=path, content=bytes(content),
                   summary=dict(summary), created_by=actor, created_at=at or utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "briefing.write", "briefing", row.id,
                 {"week": week, "topic": topic, "language": language, "format": format, "path": path})
    return _record(row, len(content))


def _listing():
    return select(Briefing, func.length(Briefing.content).label("size"))


def latest_briefing(session: Session, language: str | None = None, format: str | None = None) -> BriefingRecord | None:
    """The newest briefing of the newest week (optionally in one language or format)."""
    query = _listing()
    if language is not None:
        query = query.where(Briefing.language == language)
    if format is not None:
        query = query.where(Briefing.format == format)
    found = session.execute(query.order_by(Briefing.week.desc(), Briefing.created_at.desc(), Briefing.id.desc())
                            .limit(1)).first()
    return _record(found[0], int(found[1] or 0)) if found else None


def briefing_for(session: Session, week: str, topic: str | None, language: str, format: str) -> BriefingRecord | None:
    """The newest briefing written for this week, topic (None: all), language and format."""
    topic_match = Briefing.topic.is_(None) if topic is None else Briefing.topic == topic
    found = session.execute(
        _listing().where(Briefing.week == week, topic_match, Briefing.language == language, Briefing.format == format)
        .order_by(Briefing.created_at.desc(), Briefing.id.desc()).limit(1)
    ).first()
    return _record(found[0], int(found[1] or 0)) if found else None


def briefing_content(session: Session, briefing_id: int) -> bytes | None:
    """The file of one stored briefing."""
    return session.scalar(select(Briefing.content).where(Briefing.id == int(briefing_id)))


def briefing_by_id(session: Session, briefing_id: int) -> BriefingRecord | None:
    found = session.execute(_listing().where(Briefing.id == int(briefing_id))).first()
    return _record(found[0], int(found[1] or 0)) if found else None

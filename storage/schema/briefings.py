"""Weekly briefings: each one written, with its file, so the dashboard and the alert channels
can offer the latest without reading the writer's disk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class Briefing(Base):
    __tablename__ = "briefings"
    __table_args__ = (Index("ix_briefings_week", "week", "topic", "language"),
                      Index("ix_briefings_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))  # ISO week, e.g. "2026-W48"
    topic: Mapped[str | None] = mapped_column(String(64))  # policy topic slug; None: every topic
    language: Mapped[str] = mapped_column(String(2))  # nl or en
    format: Mapped[str] = mapped_column(String(4))  # pdf or html
    path: Mapped[str | None] = mapped_column(Text)  # where it was written, for the operator
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the file itself
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # figures for links and alerts
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

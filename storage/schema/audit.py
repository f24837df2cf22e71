"""Audit and aggregates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class AuditEntry(Base):
    """Who changed what, and when: sources, schedules, models, users, labels, logins."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DailyTopicCount(Base):
    """Daily counts per topic, source, language and score bucket, kept up to date by the
    service (``storage.read_models.daily_counts``) so that the dashboard's trend queries never scan ``items``.
    ``topic_id`` 0 means "no topic", -1 "all topics" (each item once); ``score_bucket`` -1 means
    "not flagged"."""

    __tablename__ = "daily_topic_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    score_bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    # syndicated copies (items.duplicate_of set): left out of items/flagged, kept for source volume
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Sources and fetching."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import FETCH_STATUSES, SOURCE_KINDS, Base, _in, utcnow


class Source(Base):
    """A feed or fact-check site that the collector polls. *contract*: id, url, name, kind,
    enabled, interval_seconds."""

    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint(_in("kind", SOURCE_KINDS), name="kind"),
        CheckConstraint("interval_seconds BETWEEN 60 AND 86400", name="interval"),
        Index("ix_sources_due", "enabled", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="feed")
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    min_interval_seconds: Mapped[int | None] = mapped_column(Integer)
    max_interval_seconds: Mapped[int | None] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    full_text: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    owner: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # conditional GET
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    # schedule and health
    next_due_at: Mapped[datetime | None] = mapped_column()
    last_fetched_at: Mapped[datetime | None] = mapped_column()
    last_new_item_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    total_fetches: Mapped[int] = mapped_column(Integer, default=0)
    total_failures: Mapped[int] = mapped_column(Integer, default=0)
    # a lease, so that two processes never fetch one source at the same time
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    # adaptive polling: the interval actually used is interval_seconds * poll_factor, kept
    # within the operator's bounds; the collector learns the factor from how often items change
    poll_factor: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FetchRun(Base):
    """One fetch attempt of one source. *contract*: source_id, status, http_status, error_kind,
    error_message."""

    __tablename__ = "fetch_runs"
    __table_args__ = (
        CheckConstraint(_in("status", FETCH_STATUSES), name="status"),
        Index("ix_fetch_runs_source_started", "source_id", "started_at"),
        Index("ix_fetch_runs_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_kind: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    bytes_received: Mapped[int] = mapped_column(BigInteger, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    final_url: Mapped[str | None] = mapped_column(String(2048))

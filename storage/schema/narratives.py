"""Narratives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class Narrative(Base):
    __tablename__ = "narratives"
    __table_args__ = (Index("ix_narratives_status_last_seen", "status", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    representative_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    representative_sentence: Mapped[str | None] = mapped_column(Text)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    first_seen: Mapped[datetime | None] = mapped_column()
    last_seen: Mapped[datetime | None] = mapped_column()
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("narratives.id", ondelete="SET NULL"))
    # an analyst split it: the automatic merge pass leaves it alone
    auto_merge: Mapped[bool] = mapped_column(Boolean, default=True)
    # an analyst renamed it: the title no longer follows the representative sentence
    renamed_by: Mapped[str | None] = mapped_column(String(120))
    # members changed by hand: centroid, representative and topics are recomputed next pass
    needs_refresh: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NarrativeItem(Base):
    __tablename__ = "narrative_items"
    __table_args__ = (Index("ix_narrative_items_item", "item_id"),)

    narrative_id: Mapped[int] = mapped_column(ForeignKey("narratives.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    similarity: Mapped[float] = mapped_column(Float)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

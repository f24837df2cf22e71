"""Fact-checks and matches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import false

from storage.schema.base import RATINGS, Base, _in, utcnow


class FactCheck(Base):
    """One reviewed claim. A page with several ClaimReviews gives several rows (``claim_key``
    tells them apart)."""

    __tablename__ = "fact_checks"
    __table_args__ = (
        UniqueConstraint("url", "claim_key"),
        CheckConstraint(_in("rating", RATINGS), name="rating"),
        Index("ix_fact_checks_published_at", "published_at"),
        Index("ix_fact_checks_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    publisher: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2048))
    claim_key: Mapped[str] = mapped_column(String(64))
    claim_reviewed: Mapped[str] = mapped_column(Text)
    headline: Mapped[str | None] = mapped_column(Text)
    rating_text: Mapped[str | None] = mapped_column(String(300))
    rating: Mapped[str] = mapped_column(String(16), default="unknown")
    rating_value: Mapped[float | None] = mapped_column(Float)
    best_rating: Mapped[float | None] = mapped_column(Float)
    worst_rating: Mapped[float | None] = mapped_column(Float)
    claim_author: Mapped[str | None] = mapped_column(String(500))
    appearances: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    # the encoder fingerprint that made ``vector``: another encoder means encoding it again
    encoder: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(16), default="collected")
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column()


class ClaimMatch(Base):
    """A fact-check whose claim matches a sentence of an item. *contract*: item_id,
    fact_check_id, similarity. ``similarity`` is the stage-one cosine, ``score`` the stage-two
    probability that the sentence states the claim (None: matched before the second stage);
    ``debunk``: the item quotes the claim to refute it (a debunk article), so it does not spread it."""

    __tablename__ = "claim_matches"
    __table_args__ = (
        UniqueConstraint("item_id", "fact_check_id"),
        Index("ix_claim_matches_fact_check", "fact_check_id"),
        Index("ix_claim_matches_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_checks.id", ondelete="CASCADE"))
    similarity: Mapped[float] = mapped_column(Float)
    sentence: Mapped[str | None] = mapped_column(Text)
    sentence_start: Mapped[int | None] = mapped_column(Integer)
    sentence_end: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    # a server default too: rows written by plain SQL (benches, older code) are no debunk
    debunk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the debunking words found around the quote ("klopt niet", ...), or "source" for a fact-checker
    debunk_cue: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

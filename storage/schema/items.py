"""Items: collected articles, their embeddings, sentences and policy topics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.schema.base import Base, utcnow
from storage.schema.sources import Source


def appeared_at(published_at: datetime | None, collected_at: datetime) -> datetime:
    """When an item appeared: its published time, unless that is missing or later than when it
    was collected (a wrong clock, a date in the future). Trends, periods and the signal list
    count items by this time, so a first fetch that backfills a month lands on the right days."""
    if published_at is None or published_at > collected_at:
        return collected_at
    return published_at


def _appeared_default(context) -> datetime:  # noqa: ANN001 - SQLAlchemy's execution context
    params = context.get_current_parameters()
    return appeared_at(params.get("published_at"), params.get("collected_at") or utcnow())


class Item(Base):
    """One collected article or post. *contract*: id, source_id, guid, url, canonical_url,
    title, summary, body_text, published_at, language, duplicate_of.

    ``entry_key`` is the identity within a source: the GUID, else the canonical URL.
    """

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_id", "entry_key"),
        Index("ix_items_published_at", "published_at"),
        Index("ix_items_collected_at", "collected_at"),
        Index("ix_items_appeared_at", "appeared_at"),
        Index("ix_items_source_published", "source_id", "published_at"),
        Index("ix_items_content_hash", "content_hash"),
        Index("ix_items_canonical_url", "canonical_url"),
        Index("ix_items_duplicate_of", "duplicate_of"),
        Index("ix_items_language_collected", "language", "collected_at"),
        Index("ix_items_to_classify", "to_classify", "id"),
        # the last 24 hours' figures (copies left out)
        Index("ix_items_original_collected", "duplicate_of", "collected_at"),
        # the dashboard's stories (copies left out) newest first, and its periods
        Index("ix_items_original_appeared", "duplicate_of", "appeared_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    fetch_run_id: Mapped[int | None] = mapped_column(ForeignKey("fetch_runs.id", ondelete="SET NULL"))
    entry_key: Mapped[str] = mapped_column(String(2048))
    guid: Mapped[str | None] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column()
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    appeared_at: Mapped[datetime] = mapped_column(default=_appeared_default)
    language: Mapped[str | None] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    near_dup_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    # the collector's hand-off to the classifier: True when the item's language is one that
    # settings say to classify (collector.classify_languages)
    to_classify: Mapped[bool] = mapped_column(Boolean, default=False)
    # the article page fetch for full text / fact-check pages: None (not asked), "ok", or the
    # error_kind of the failed fetch (the feed summary is then the fallback)
    article_status: Mapped[str | None] = mapped_column(String(64))

    source: Mapped[Source] = relationship(lazy="raise_on_sql")


class ItemEmbedding(Base):
    """The item's embedding, computed once by the classifier and reused by claim matching,
    narratives and the dashboard. float32 little-endian bytes."""

    __tablename__ = "item_embeddings"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    encoder: Mapped[str] = mapped_column(String(200))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemSentence(Base):
    """A sentence of an item, with its offsets into the item's text and its embedding."""

    __tablename__ = "item_sentences"
    __table_args__ = (UniqueConstraint("item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    checkworthiness: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)


class PolicyTopic(Base):
    __tablename__ = "policy_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ministry: Mapped[str | None] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ItemTopic(Base):
    __tablename__ = "item_topics"
    __table_args__ = (Index("ix_item_topics_topic", "topic_id", "item_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("policy_topics.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)

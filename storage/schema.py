"""The ORM models: Waakhond's tables.

Table and column names marked *contract* below are public: analysts query them directly
with SQL or Datasette. Change them only with a migration and a note in the changelog.

Times are stored as naive UTC and handed back as aware UTC datetimes (``UTCDateTime``), so
SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = ("feed", "factcheck")
FETCH_STATUSES = ("ok", "not_modified", "failed", "skipped")
ROLES = ("viewer", "analyst", "operator", "admin")
LABELS = ("disinformation", "misleading", "not_disinformation", "unsure")
MODEL_STATUSES = ("candidate", "active", "retired")
RATINGS = ("false", "mostly_false", "mixed", "mostly_true", "true", "unproven", "unknown")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime given to a UTC column: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


# ---------------------------------------------------------------------------------------------
# Sources and fetching
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------
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
        Index("ix_items_source_published", "source_id", "published_at"),
        Index("ix_items_content_hash", "content_hash"),
        Index("ix_items_canonical_url", "canonical_url"),
        Index("ix_items_duplicate_of", "duplicate_of"),
        Index("ix_items_language_collected", "language", "collected_at"),
        Index("ix_items_to_classify", "to_classify", "id"),
        # the dashboard's stories (copies left out) newest first, and the last 24 hours' figures
        Index("ix_items_original_collected", "duplicate_of", "collected_at"),
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


# ---------------------------------------------------------------------------------------------
# Models, classifications, labels
# ---------------------------------------------------------------------------------------------
class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        CheckConstraint(_in("status", MODEL_STATUSES), name="status"),
        Index("ix_model_versions_task_status", "task", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    task: Mapped[str] = mapped_column(String(64), default="disinformation")
    base_model: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(1024))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    threshold: Mapped[float] = mapped_column(Float)
    calibration: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    training_fingerprint: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))
    promoted_at: Mapped[datetime | None] = mapped_column()


class Classification(Base):
    """A model version's signal for one item. *contract*: item_id, model_version_id, score,
    flagged, evidence_text.

    ``flagged`` is the combined signal; ``flag_reasons`` says why (``classifier`` and/or
    ``claim_match``), so both reasons can be shown.
    """

    __tablename__ = "classifications"
    __table_args__ = (
        UniqueConstraint("item_id", "model_version_id"),
        Index("ix_classifications_version_flagged", "model_version_id", "flagged", "created_at"),
        Index("ix_classifications_flagged_score", "flagged", "score"),
        # the dashboard's aggregate refresh finds re-scored and re-matched items by time
        Index("ix_classifications_created_at", "created_at"),
        Index("ix_classifications_matched_at", "matched_at"),
        # the threshold preview counts one version's recent scores from the index alone
        Index("ix_classifications_version_created_score", "model_version_id", "created_at", "score"),
        # an item's latest signal and its flag from the index alone (the dashboard's lists)
        Index("ix_classifications_item_signal", "item_id", "created_at", "flagged", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    raw_score: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(32))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()


class Label(Base):
    """An analyst's judgement of one item. *contract*: item_id, user_id, label.
    Undo sets ``retracted_at``; the row stays, so the history is complete."""

    __tablename__ = "labels"
    __table_args__ = (
        CheckConstraint(_in("label", LABELS), name="label"),
        Index("ix_labels_item", "item_id"),
        Index("ix_labels_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column()


# ---------------------------------------------------------------------------------------------
# Fact-checks and matches
# ---------------------------------------------------------------------------------------------
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
    fact_check_id, similarity."""

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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------------------------------------
# Audit and aggregates
# ---------------------------------------------------------------------------------------------
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
    service (``storage.aggregates``) so that the dashboard's trend queries never scan ``items``.
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


# ---------------------------------------------------------------------------------------------
# Narratives and alerts
# ---------------------------------------------------------------------------------------------
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


class AlertChannel(Base):
    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertRule(Base):
    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channel_id: Mapped[int] = mapped_column(ForeignKey("alert_channels.id", ondelete="CASCADE"))
    cooldown_seconds: Mapped[int] = mapped_column(Integer, default=21_600)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_rule_dedup", "rule_id", "dedup_key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rules.id", ondelete="SET NULL"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("alert_channels.id", ondelete="SET NULL"))
    dedup_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the newest event behind the alert: the same evidence never pages twice
    evidence_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------------------------------------
# Scale-out bookkeeping
# ---------------------------------------------------------------------------------------------
class Lease(Base):
    """A named lease row: scheduler leader election and other singletons."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadLetter(Base):
    """A task that kept failing after its retries, kept for the operator."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index("ix_dead_letters_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(200))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


__all__ = [name for name in dir() if name[0].isupper() and not name.startswith("_")] + [
    "utcnow",
    "func",
]

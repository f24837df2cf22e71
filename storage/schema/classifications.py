"""Models, classifications, labels (and the users who label)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import LABELS, MODEL_STATUSES, ROLES, Base, _in, utcnow


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
    #: the signal by its parts, each with its own calibrated number, and the rule that combined
    #: them (written by the classifier, read by the dashboard, alerts and API); None for rows
    #: scored before the parts existed
    signal_parts: Mapped[dict | None] = mapped_column(JSON)


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
    #: which part of the signal the analyst says was wrong (e.g. "checkworthy", "claim_match",
    #: "narrative", "head"); None when the label does not say
    wrong_part: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column()

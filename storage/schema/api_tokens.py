"""API tokens: who may read the HTTP API (``api/``), with which role, until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, _in, utcnow

#: The roles a token can carry: the API only reads, so the dashboard's operator and admin
#: roles (which change sources, models and users) have nothing more to read there.
API_TOKEN_ROLES = ("viewer", "analyst")


class ApiToken(Base):
    """One API token. Only the SHA-256 of the token is stored (``token_hash``, hex); the token
    itself is shown once when it is created. ``prefix`` (its first characters) lets an admin
    recognise a token in ``waakhond tokens list`` without storing it.
    A revoked token keeps its row (``revoked_at``), so the audit trail stays readable."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(_in("role", API_TOKEN_ROLES), name="role"),
        Index("ix_api_tokens_name", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    last_used_at: Mapped[datetime | None] = mapped_column()

"""Repository functions for ``api_tokens``: create (shown once), look up, revoke, record use.

A token is ``TOKEN_PREFIX`` + 32 random bytes (URL-safe base64). Only its SHA-256 is stored.
A plain (unsalted, unkeyed) hash is right here, unlike for passwords: the token has 256 bits of
entropy, so no dictionary or brute force can reach it from its hash, and a lookup by hash is
one index probe (argon2 costs hundreds of milliseconds per check and needs the row first). A keyed hash
would add nothing against a stolen table but tie every token to one server secret.

Creation and revocation are audited (``audit_log``, object type ``api_token``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import API_TOKEN_ROLES, ApiToken, utcnow

#: Makes a leaked token recognisable to secret scanners and to people ("wkh" = Waakhond).
TOKEN_PREFIX = "wkh_"
#: 32 random bytes: 256 bits, beyond any brute force of the stored hash.
TOKEN_BYTES = 32
#: Characters of the token kept in clear (``prefix``) so an admin can tell tokens apart.
SHOWN_PREFIX_LENGTH = 10
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class TokenView:
    """A token as the CLI and the API see it (never the token itself)."""

    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        return token_state(self.revoked_at, self.expires_at, now)


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    view: TokenView


def token_state(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    """Pure: whether a token may be used at ``now``."""
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate_token_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise InvalidInput(f"invalid token name {name!r}: 1-{MAX_NAME_LENGTH} printable characters, no spaces")
    return name


def validate_token_role(role: str) -> str:
    if role not in API_TOKEN_ROLES:
        raise InvalidInput(f"unknown token role {role!r}: use one of {', '.join(API_TOKEN_ROLES)}")
    return role


def _view(row: ApiToken) -> TokenView:
    return TokenView(row.id, row.name, row.role, row.prefix, row.created_at, row.created_by, row.expires_at,
                     row.revoked_at, row.revoked_by, row.last_used_at)


def _active_named(session: Session, name: str, now: datetime) -> ApiToken | None:
    rows = session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).all()
    return next((r for r in rows if token_state(r.revoked_at, r.expires_at, now) == "active"), None)


def create_token(
    session: Session, name: str, role: str, actor: str, expires_days: int | None = None, now: datetime | None = None
) -> NewToken:
    """A new token; ``expires_days`` None or 0: it never expires. A name can be used again once
    its earlier token is revoked or expired (so a team can rotate its token under one name)."""
    name = validate_token_name(name)
    validate_token_role(role)
    if expires_days is not None and expires_days < 0:
        raise InvalidInput(f"--expires must be a number of days >= 0, not {expires_days}")
    now = now or utcnow()
    if _active_named(session, name, now) is not None:
        raise AlreadyExists(f"an active token named {name!r} exists: revoke it first or use another name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    row = ApiToken(name=name, role=role, token_hash=hash_token(token), prefix=token[:SHOWN_PREFIX_LENGTH],
                   created_at=now, created_by=actor, expires_at=expires_at)
    session.add(row)
    session.flush()
    audit.record(session, actor, "api_token.create", "api_token", row.id,
                 {"name": name, "role": role, "expires_at": expires_at.isoformat() if expires_at else None}, at=now)
    return NewToken(token, _view(row))


def revoke_token(session: Session, name: str, actor: str, now: datetime | None = None) -> TokenView:
    """Revoke the token in force under ``name`` (refused on its next request)."""
    now = now or utcnow()
    name = validate_token_name(name)
    row = session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(1)
    )
    if row is None:
        raise NotFound(f"no unrevoked token named {name!r}")
    row.revoked_at, row.revoked_by = now, actor
    session.flush()
    audit.record(session, actor, "api_token.revoke", "api_token", row.id, {"name": name, "role": row.role}, at=now)
    return _view(row)


def list_tokens(session: Session) -> list[TokenView]:
    return [_view(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.name, ApiToken.id))]


def find_token(session: Session, token: str) -> TokenView | None:
    """The token's row, whatever its state (the caller decides with ``token_state``)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    return _view(row) if row is not None else None


def mark_used(session: Session, token_ids: Sequence[int], at: datetime) -> int:
    """Record the last use (the API calls it at most once per token per interval)."""
    if not token_ids:
        return 0
    result = session.execute(update(ApiToken).where(ApiToken.id.in_(list(token_ids))).values(last_used_at=at))
    return int(result.rowcount or 0)

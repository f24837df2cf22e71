"""Repository functions for ``users``: argon2 password hashes, roles, audit entries."""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import audit
from storage.schema import ROLES, User, utcnow

MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
#: Verified against when the user does not exist, so a missing user costs the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-but-same-cost")

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


def role_at_least(role: str, needed: str) -> bool:
    """Roles are ordered viewer < analyst < operator < admin."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def validate_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    return password


def validate_username(username: str) -> str:
    username = (username or "").strip()
    if not username or len(username) > 120 or any(ch.isspace() for ch in username):
        raise InvalidInput(f"invalid user name {username!r}: 1-120 characters, no spaces")
    return username


def add_user(
    session: Session, username: str, password: str, role: str, actor: str, display_name: str | None = None
) -> User:
    username = validate_username(username)
    validate_role(role)
    validate_password(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AlreadyExists(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=_HASHER.hash(password),
        role=role,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", user.id, {"username": username, "role": role})
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def set_role(session: Session, username: str, role: str, actor: str) -> User:
    user = get_user(session, username)
    validate_role(role)
    if user.role != role:
        audit.record(session, actor, "user.set_role", "user", user.id, {"from": user.role, "to": role})
        user.role = role
    return user


def set_enabled(session: Session, username: str, enabled: bool, actor: str) -> User:
    user = get_user(session, username)
    if user.enabled != enabled:
        user.enabled = enabled
        audit.record(session, actor, "user.enable" if enabled else "user.disable", "user", user.id)
    return user


def set_password(session: Session, username: str, password: str, actor: str) -> User:
    user = get_user(session, username)
    user.password_hash = _HASHER.hash(validate_password(password))
    user.password_changed_at = utcnow()
    audit.record(session, actor, "user.passwd", "user", user.id)
    return user


def verify_password(session: Session, username: str, password: str) -> User | None:
    """The enabled user with this name and password, else ``None``. Upgrades old hashes."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.enabled:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user

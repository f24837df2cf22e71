"""Dashboard logins: every attempt goes to ``audit_log``, and failures are counted from it.

The audit log is the one record of logins, so the rate limit needs no table of its own and
holds across dashboard processes. Entries have ``object_type="login"`` and the user name as
``object_id`` (also for names that do not exist, so guessing names is limited too). A failure
from a known client address also gets an entry with ``object_type="login_client"`` and the
address as ``object_id``, so one client trying many names is limited as well.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.repositories import audit
from storage.schema import AuditEntry, User, utcnow

LOGIN_OBJECT = "login"
CLIENT_OBJECT = "login_client"
SUCCESS = "login.success"
FAILURE = "login.failure"
BLOCKED = "login.blocked"
LOGOUT = "logout"
#: Longest user name stored in the audit log for a failed attempt (the column's size).
_MAX_NAME = 64


def _name(username: str) -> str:
    return (username or "").strip()[:_MAX_NAME]


def failures_since(session: Session, username: str, since: datetime) -> int:
    """Failed attempts for this name since ``since`` that came after its last success."""
    name = _name(username)
    last_success = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.action == SUCCESS, AuditEntry.object_type == LOGIN_OBJECT, AuditEntry.object_id == name
        )
    )
    start = max(since, last_success) if last_success is not None else since
    return int(session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == FAILURE, AuditEntry.object_type == LOGIN_OBJECT,
            AuditEntry.object_id == name, AuditEntry.at >= start,
        )
    ) or 0)


def client_failures_since(session: Session, client: str, since: datetime) -> int:
    """Failed attempts from this client address since ``since``, for any user name."""
    return int(session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == FAILURE, AuditEntry.object_type == CLIENT_OBJECT,
            AuditEntry.object_id == _name(client), AuditEntry.at >= since,
        )
    ) or 0)


def record_success(session: Session, user: User, details: dict | None = None) -> None:
    user.last_login_at = utcnow()
    audit.record(session, user.username, SUCCESS, LOGIN_OBJECT, _name(user.username), details or {}, user.id)


def record_failure(session: Session, username: str, reason: str, client: str | None = None) -> None:
    details = {"reason": reason, **({"client": client} if client else {})}
    audit.record(session, _name(username) or "?", FAILURE, LOGIN_OBJECT, _name(username), details)
    if client:
        audit.record(session, _name(username) or "?", FAILURE, CLIENT_OBJECT, _name(client), {"reason": reason})


def record_blocked(session: Session, username: str, client: str | None = None, scope: str = "user") -> None:
    """An attempt refused by the rate limit (``scope``: user or client), without checking the password."""
    details = {"scope": scope, **({"client": client} if client else {})}
    audit.record(session, _name(username) or "?", BLOCKED, LOGIN_OBJECT, _name(username), details)


def record_logout(session: Session, user: User, reason: str) -> None:
    audit.record(session, user.username, LOGOUT, LOGIN_OBJECT, _name(user.username), {"reason": reason}, user.id)

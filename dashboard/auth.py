"""Login, sessions and roles, all decided on the server.

    login:   rate limit (failures of this user name, and of this client address, in the window,
             from audit_log)
             -> argon2 check (storage.repositories.users.verify_password) -> audit entry either way
             -> a signed session token in st.session_state
    each run: token signature (HMAC with the secret key) -> not expired (session_ttl_minutes)
             -> the user still exists, is enabled, and has not changed password since
             -> the role is read from the database, never from the browser or session state
    each page and each action: ``require_role`` / ``acting_user`` against that role; a refusal,
             a token we did not sign and a session ended by a change to the user are audited

Session state lives on the server, but it is still not trusted for the role: forging it
(or the page in the URL) gives nothing that the user in the database may not have.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session

import storage
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.errors import DashboardError
from dashboard.i18n import t
from dashboard.settings import DashboardSettings
from storage.repositories import audit, logins, role_at_least, verify_password
from storage.schema import User, utcnow

SESSION_KEY = "waakhond_session"
NOTICE_KEY = "waakhond_login_notice"
#: Audit actions of refusals: a page or action above the user's role, a token we did not sign.
REFUSED = "auth.refused"
BAD_SESSION = "auth.bad_session"


class NotAllowed(DashboardError, PermissionError):
    """The signed-in user's role does not allow this."""

    def __init__(self, message: str, user: SessionUser | None = None, needed: str | None = None) -> None:
        super().__init__(message)
        self.user = user
        self.needed = needed


@dataclass(frozen=True)
class SessionUser:
    id: int
    username: str
    display_name: str | None
    role: str


@dataclass(frozen=True)
class LoginOutcome:
    user: SessionUser | None
    reason: str  # "ok", "invalid" or "blocked"


# --------------------------------------------------------------------------- tokens (pure)
def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue_token(secret: str, user_id: int, issued_at: datetime) -> str:
    payload = f"{user_id}.{int(issued_at.timestamp())}.{secrets.token_hex(8)}"
    return f"{payload}.{_signature(secret, payload)}"


def read_token(secret: str, token: object) -> tuple[int, datetime] | None:
    """``(user_id, issued_at)`` of a token signed with ``secret``, else ``None``."""
    if not isinstance(token, str) or token.count(".") != 3:
        return None
    payload, _, signature = token.rpartition(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    user_id, issued, _nonce = payload.split(".")
    if not (user_id.isdigit() and issued.isdigit()):
        return None
    return int(user_id), datetime.fromtimestamp(int(issued), UTC)


def is_expired(issued_at: datetime, now: datetime, ttl_minutes: int) -> bool:
    return now >= issued_at + timedelta(minutes=ttl_minutes) or issued_at > now + timedelta(minutes=1)


# --------------------------------------------------------------------------- login
def attempt_login(
    ctx: DashboardContext, username: str, password: str, now: datetime | None = None, client: str | None = None
) -> LoginOutcome:
    """One password login. ``client`` is the connection's address (``None`` when unknown, e.g.
    from localhost): failures are limited per user name and per client. An unknown name and a
    wrong password give the same answer, after the same argon2 work."""
    settings = dashboard_settings(ctx)
    now = now or utcnow()
    username = (username or "").strip()
    with storage.transaction(ctx.sessions) as session:
        window_start = now - timedelta(minutes=settings.login_window_minutes)
        if logins.failures_since(session, username, window_start) >= settings.login_max_failures:
            logins.record_blocked(session, username, client, scope="user")
            return LoginOutcome(None, "blocked")
        if client and logins.client_failures_since(session, client, window_start) >= settings.login_max_failures_per_client:
            logins.record_blocked(session, username, client, scope="client")
            return LoginOutcome(None, "blocked")
        user = verify_password(session, username, password or "")
        if user is None:
            logins.record_failure(session, username, "bad_credentials", client)
            return LoginOutcome(None, "invalid")
        logins.record_success(session, user, {"mode": settings.login_mode})
        found = SessionUser(user.id, user.username, user.display_name, user.role)
    st.session_state[SESSION_KEY] = issue_token(ctx.secret_key(), found.id, now)
    return LoginOutcome(found, "ok")


def oidc_username(claims: object, claim: str) -> str | None:
    """The Waakhond user name in the identity provider's claims (``st.user``), if any."""
    getter = getattr(claims, "get", None)
    value = getter(claim) if callable(getter) else None
    return str(value).strip() if value else None


def attempt_oidc_login(ctx: DashboardContext, username: str | None, now: datetime | None = None) -> LoginOutcome:
    """Single sign-on: the identity provider vouched for ``username``; the role comes from
    ``users``. Unknown or disabled names are refused and audited like a failed password."""
    now = now or utcnow()
    with storage.transaction(ctx.sessions) as session:
        user = session.scalar(select(User).where(User.username == (username or "")))
        if user is None or not user.enabled:
            logins.record_failure(session, username or "", "oidc_unknown_user")
            return LoginOutcome(None, "invalid")
        logins.record_success(session, user, {"mode": "oidc"})
        found = SessionUser(user.id, user.username, user.display_name, user.role)
    st.session_state[SESSION_KEY] = issue_token(ctx.secret_key(), found.id, now)
    return LoginOutcome(found, "ok")


def logout(ctx: DashboardContext, reason: str = "user") -> None:
    token = read_token(ctx.secret_key(), st.session_state.get(SESSION_KEY))
    st.session_state.pop(SESSION_KEY, None)
    if token is None:
        return
    with storage.transaction(ctx.sessions) as session:
        user = session.get(User, token[0])
        if user is not None:
            logins.record_logout(session, user, reason)


def current_user(ctx: DashboardContext, now: datetime | None = None) -> SessionUser | None:
    """The signed-in user as the database has them now, or ``None`` (and why, as a notice)."""
    presented = st.session_state.get(SESSION_KEY)
    token = read_token(ctx.secret_key(), presented)
    if token is None:
        if presented is not None:  # a token we did not sign (forged, or from another secret key)
            with storage.transaction(ctx.sessions) as session:
                audit.record(session, "?", BAD_SESSION, "auth", "session", {"kind": type(presented).__name__})
        st.session_state.pop(SESSION_KEY, None)
        return None
    user_id, issued_at = token
    settings: DashboardSettings = dashboard_settings(ctx)
    if is_expired(issued_at, now or utcnow(), settings.session_ttl_minutes):
        logout(ctx, "expired")
        st.session_state[NOTICE_KEY] = "login.expired"
        return None
    with ctx.read_sessions() as session:
        user = session.get(User, user_id)
        valid = user is not None and user.enabled and not _password_changed_after(user, issued_at)
        found = SessionUser(user.id, user.username, user.display_name, user.role) if valid else None
    if found is None:  # disabled, removed, or the password changed: the session ends, audited
        with storage.transaction(ctx.sessions) as session:
            row = session.get(User, user_id)
            if row is not None:
                logins.record_logout(session, row, "revoked")
            else:
                audit.record(session, "?", BAD_SESSION, "auth", "session", {"user_id": user_id, "kind": "no such user"})
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = "login.revoked"
    return found


def _password_changed_after(user: User, issued_at: datetime) -> bool:
    changed = user.password_changed_at
    return changed is not None and changed.replace(microsecond=0) > issued_at


def allowed(user: SessionUser | None, needed: str) -> bool:
    return user is not None and role_at_least(user.role, needed)


def require_role(ctx: DashboardContext, needed: str, page: str | None = None) -> SessionUser:
    """Stop the page unless the signed-in user has at least ``needed``: call it first in
    every page function. A refusal is audited (``auth.refused``)."""
    page = page or st.query_params.get("page")
    user = current_user(ctx)
    if user is None:
        login_form(ctx)
        st.stop()
    if not role_at_least(user.role, needed):
        record_refusal(ctx, user, needed, f"page:{page or '?'}")
        st.error(t("auth.forbidden", role=t(f"role.{needed}")))
        st.stop()
    return user


def acting_user(session: Session, user: SessionUser, needed: str) -> User:
    """The user row inside a write transaction, checked once more right before the change."""
    row = session.get(User, user.id)
    if row is None or not row.enabled or not role_at_least(row.role, needed):
        raise NotAllowed(t("auth.forbidden", role=t(f"role.{needed}")), user, needed)
    return row


def record_refusal(ctx: DashboardContext, user: SessionUser | None, needed: str | None, what: str) -> None:
    """Audit a refused page or action (``auth.refused``), in a transaction of its own: the
    refused action's own transaction has been rolled back."""
    with storage.transaction(ctx.sessions) as session:
        row = session.get(User, user.id) if user is not None else None
        audit.record(
            session, user.username if user else "?", REFUSED, "auth", what,
            {"needed": needed, "role": row.role if row else None, "enabled": row.enabled if row else None},
            user.id if row is not None else None,
        )


def refuse(ctx: DashboardContext, error: NotAllowed, what: str) -> None:
    """A page's answer to ``NotAllowed`` from ``acting_user``: audited, shown, page stopped."""
    record_refusal(ctx, error.user, error.needed, what)
    st.error(str(error))
    st.stop()


def login_form(ctx: DashboardContext) -> None:
    st.title(t("app.title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(t(notice))
    if dashboard_settings(ctx).login_mode == "oidc":
        _oidc_login(ctx, expired=notice is not None)
        return
    with st.form("login", clear_on_submit=False):
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"))
    if submitted:
        outcome = attempt_login(ctx, username, password, client=_client_address())
        if outcome.reason == "ok":
            st.rerun()
        st.error(t("login.blocked" if outcome.reason == "blocked" else "login.invalid"))


def _client_address() -> str | None:
    """The connection's address (``None`` from localhost, where Streamlit does not tell it)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def _oidc_login(ctx: DashboardContext, expired: bool) -> None:
    """Streamlit's ``st.login`` (configured in ``.streamlit/secrets.toml``, see docs/dashboard.md)."""
    if expired and st.user.is_logged_in:
        st.logout()  # our session ended: make the identity provider ask again
        return
    if not st.user.is_logged_in:
        if st.button(t("login.oidc"), key="login_oidc"):
            st.login()
        return
    name = oidc_username(st.user, dashboard_settings(ctx).oidc_username_claim)
    if attempt_oidc_login(ctx, name).reason == "ok":
        st.rerun()
    st.error(t("login.oidc_unknown", name=name or "?"))
    if st.button(t("app.logout"), key="logout_oidc"):
        st.logout()

"""Beheer (admins): users and roles, and the latest audit entries. Changes go through
``storage.repositories.users`` and are audited there."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import SessionUser, require_role
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.actions import act_as, show_notice
from dashboard.pages.common import local_time
from storage.repositories import audit, users
from storage.schema import ROLES

ROLE = "admin"
AUDIT_ROWS = 100


def _act(ctx: DashboardContext, user: SessionUser, action, done_key: str) -> None:
    """One audited change as the signed-in admin."""
    act_as(ctx, user, ROLE, action, failed_key="admin.failed", notice_state_key="admin_notice", notice=t(done_key))


def _edit(ctx: DashboardContext, user: SessionUser, username: str, role: str, enabled: bool) -> None:
    if username == user.username:
        st.caption(t("admin.not_yourself"))  # an admin cannot lock themselves out
        return
    left, middle, right = st.columns(3)
    new_role = left.selectbox(t("admin.role"), ROLES, index=ROLES.index(role), key=f"admin_role_{username}",
                              format_func=lambda r: t(f"role.{r}"))
    if left.button(t("admin.set_role"), key=f"admin_set_role_{username}"):
        _act(ctx, user, lambda s, u: users.set_role(s, username, new_role, u.username), "admin.saved")
    if middle.button(t("admin.disable" if enabled else "admin.enable"), key=f"admin_toggle_{username}"):
        _act(ctx, user, lambda s, u: users.set_enabled(s, username, not enabled, u.username), "admin.saved")
    password = right.text_input(t("admin.new_password"), type="password", key=f"admin_password_{username}")
    if right.button(t("admin.set_password"), key=f"admin_set_password_{username}"):
        _act(ctx, user, lambda s, u: users.set_password(s, username, password, u.username), "admin.saved")


def _add(ctx: DashboardContext, user: SessionUser) -> None:
    with st.form("admin_add", clear_on_submit=True):
        username = st.text_input(t("admin.username"))
        display_name = st.text_input(t("admin.display_name"))
        role = st.selectbox(t("admin.role"), ROLES, format_func=lambda r: t(f"role.{r}"))
        password = st.text_input(t("admin.password"), type="password")
        added = st.form_submit_button(t("admin.add"))
    if added:
        _act(ctx, user, lambda s, u: users.add_user(s, username, password, role, u.username, display_name or None),
             "admin.added")


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    settings = dashboard_settings(ctx)
    st.title(t("page.beheer"))
    show_notice("admin_notice")
    with ctx.read_sessions() as session:
        rows = [(u.username, u.display_name, u.role, u.enabled, u.last_login_at) for u in users.list_users(session)]
    st.dataframe(
        [{t("admin.username"): n, t("admin.display_name"): d or "", t("admin.role"): t(f"role.{r}"),
          t("admin.enabled"): e, t("admin.last_login"): local_time(last, settings)} for n, d, r, e, last in rows],
        hide_index=True,
    )
    names = {n: (r, e) for n, _, r, e, _ in rows}
    chosen = st.selectbox(t("admin.choose"), (None, *names), key="admin_chosen", placeholder=t("admin.pick"),
                          format_func=lambda n: t("admin.pick") if n is None else n)
    if chosen is not None:
        _edit(ctx, user, chosen, *names[chosen])
    with st.expander(t("admin.add_title")):
        _add(ctx, user)
    st.subheader(t("admin.audit"))
    with ctx.read_sessions() as session:
        entries = [(e.at, e.actor, e.action, e.object_type, e.object_id, e.details)
                   for e in audit.entries(session, limit=AUDIT_ROWS)]
    st.dataframe(
        [{t("admin.when"): local_time(at, settings), t("admin.actor"): actor, t("admin.action"): action,
          t("admin.object"): f"{kind}:{oid or ''}", t("admin.details"): str(details)}
         for at, actor, action, kind, oid, details in entries],
        hide_index=True,
    )

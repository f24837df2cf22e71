"""Bronnen (operators): source health, add/edit/enable/disable, interval, fetch now, history,
and the dead letters of scale-out workers (tasks that kept failing after their retries).

Every change goes through ``storage.repositories.sources`` and so to the
audit log. The running scheduler reads ``next_due_at`` and ``interval_seconds`` on each tick:
nothing needs a restart.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard.auth import SessionUser, require_role
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.actions import act_as, show_notice
from dashboard.pages.common import local_time, local_today
from storage.read_models import daily_counts, signals
from storage.repositories import dead_letters, sources
from storage.schema import SOURCE_KINDS

ROLE = "operator"
#: Items per day are averaged over this many days.
VOLUME_DAYS = 7
SECONDS_PER_MINUTE = 60
#: Dead letters listed at most (newest first); the table holds them all.
DEAD_LETTERS_SHOWN = 50


def _act(ctx: DashboardContext, user: SessionUser, action, success_key: str) -> None:
    """One audited change as the signed-in operator."""
    act_as(ctx, user, ROLE, action, failed_key="sources.failed", notice_state_key="sources_notice",
           notice=t(success_key))


def _health_table(ctx: DashboardContext) -> list[signals.SourceHealth]:
    settings = dashboard_settings(ctx)
    today = local_today(settings)
    with ctx.read_sessions() as session:
        health = signals.source_health(session)
        volume = daily_counts.items_per_source(session, today - timedelta(days=VOLUME_DAYS - 1), today)
    st.dataframe(
        [{
            "id": h.id, t("sources.name"): h.name, t("sources.kind"): h.kind,
            t("sources.enabled"): h.enabled, t("sources.last_status"): h.last_status or "",
            t("sources.last_error"): h.last_error or "", t("sources.last_fetched"): local_time(h.last_fetched_at, settings),
            t("sources.per_day"): round(volume.get(h.id, 0) / VOLUME_DAYS, 1),
            t("sources.next_due"): local_time(h.next_due_at, settings),
            t("sources.failures"): h.consecutive_failures,
            t("sources.interval"): h.interval_seconds // SECONDS_PER_MINUTE,
        } for h in health],
        hide_index=True,
    )
    return health


def _last_line(text: str) -> str:
    """A traceback's last line says what failed; the table shows that (as plain data, never HTML)."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _dead_letters(ctx: DashboardContext, user: SessionUser) -> None:
    settings = dashboard_settings(ctx)
    with ctx.read_sessions() as session:
        letters = dead_letters.recent_dead_letters(session, limit=DEAD_LETTERS_SHOWN)
        total = dead_letters.count_dead_letters(session)
    st.subheader(t("sources.dead_letters"))
    if not letters:
        st.caption(t("sources.no_dead_letters"))
        return
    st.caption(t("sources.dead_letters_help", shown=len(letters), total=total))
    st.dataframe(
        [{
            "#": d.id, t("dead.when"): local_time(d.created_at, settings), t("dead.task"): d.task_name,
            t("dead.source"): d.source_name or "", t("dead.attempts"): d.attempts,
            t("dead.arguments"): ", ".join(f"{k}={v}" for k, v in sorted(d.arguments.items())),
            t("dead.error"): _last_line(d.error),
        } for d in letters],
        hide_index=True, key="sources_dead_letters",
    )
    with st.form("dead_letters_resolve"):
        chosen = st.multiselect(t("dead.resolve_pick"), [d.id for d in letters], key="dead_letters_chosen",
                                format_func=lambda i: f"#{i}")
        resolve = st.form_submit_button(t("dead.resolve"))
    if resolve and chosen:
        _act(ctx, user, lambda s, u: dead_letters.resolve_dead_letters(s, list(chosen), u.username, u.id),
             "dead.resolved")


def _edit(ctx: DashboardContext, user: SessionUser, source: signals.SourceHealth) -> None:
    with st.form(f"source_edit_{source.id}"):
        name = st.text_input(t("sources.name"), value=source.name)
        minutes = st.number_input(t("sources.interval_minutes"), min_value=sources.MIN_INTERVAL_SECONDS // 60,
                                  max_value=sources.MAX_INTERVAL_SECONDS // 60,
                                  value=source.interval_seconds // SECONDS_PER_MINUTE, step=1)
        language = st.text_input(t("sources.language"), value=source.language or "")
        saved = st.form_submit_button(t("sources.save"))
    if saved:
        changes = {"name": name, "interval_seconds": int(minutes) * SECONDS_PER_MINUTE,
                   "language": language.strip() or None}
        _act(ctx, user, lambda s, u: sources.update_source(s, source.id, changes, u.username), "sources.saved")
    left, middle, _ = st.columns(3)
    toggle_key = "sources.disable" if source.enabled else "sources.enable"
    if left.button(t(toggle_key), key=f"source_toggle_{source.id}"):
        _act(ctx, user, lambda s, u: sources.set_enabled(s, source.id, not source.enabled, u.username), "sources.saved")
    if middle.button(t("sources.fetch_now"), key=f"source_fetch_{source.id}"):
        _act(ctx, user, lambda s, u: sources.fetch_now(s, source.id, u.username, u.id), "sources.fetch_requested")


def _history(ctx: DashboardContext, source_id: int) -> None:
    settings = dashboard_settings(ctx)
    with ctx.read_sessions() as session:
        runs = sources.recent_fetch_runs(session, source_id, limit=50)
    st.dataframe(
        [{t("history.started"): local_time(r.started_at, settings), t("history.status"): r.status,
          t("history.http"): r.http_status, t("history.error"): r.error_kind or "",
          t("history.message"): r.error_message or "", t("history.items_new"): r.items_new,
          t("history.duration_ms"): r.duration_ms} for r in runs],
        hide_index=True,
    )


def _add(ctx: DashboardContext, user: SessionUser) -> None:
    with st.form("source_add", clear_on_submit=True):
        url = st.text_input(t("sources.url"))
        name = st.text_input(t("sources.name"))
        kind = st.selectbox(t("sources.kind"), SOURCE_KINDS)
        minutes = st.number_input(t("sources.interval_minutes"), min_value=sources.MIN_INTERVAL_SECONDS // 60,
                                  max_value=sources.MAX_INTERVAL_SECONDS // 60, value=15, step=1)
        language = st.text_input(t("sources.language"), value="nl")
        full_text = st.checkbox(t("sources.full_text"))
        added = st.form_submit_button(t("sources.add"))
    if added:
        spec = sources.SourceSpec(url=url, name=name, kind=kind, interval_seconds=int(minutes) * SECONDS_PER_MINUTE,
                                  language=language.strip() or None, full_text=full_text)
        _act(ctx, user, lambda s, u: sources.add_source(s, spec, u.username), "sources.added")


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    st.title(t("page.bronnen"))
    show_notice("sources_notice")
    health = _health_table(ctx)
    _dead_letters(ctx, user)
    by_id = {h.id: h for h in health}
    chosen = st.selectbox(t("sources.choose"), (None, *by_id), key="sources_chosen", placeholder=t("sources.pick"),
                          format_func=lambda i: t("sources.pick") if i is None else f"#{i} {by_id[i].name}")
    if chosen is not None:
        st.subheader(t("sources.edit"))
        _edit(ctx, user, by_id[chosen])
        st.subheader(t("sources.history"))
        _history(ctx, chosen)
    with st.expander(t("sources.add_title")):
        _add(ctx, user)

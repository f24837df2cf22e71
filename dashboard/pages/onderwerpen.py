"""Onderwerpen (operators): the policy topics the classifier assigns items to.

A table of the topics, editing one (name, English name, description, ministry, keywords,
priority, enabled) and adding a new one. Changes go through ``storage.repositories.topics``, which
validates them and writes the audit log; the same rules apply as for ``waakhond topics``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from dashboard.auth import SessionUser, require_role
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.actions import act_as, plain, show_notice
from dashboard.pages.common import local_time
from storage import AlreadyExists
from storage.repositories import topics

ROLE = "operator"
NOTICE_KEY = "topics_notice"


@dataclass(frozen=True)
class TopicRow:
    """A topic as read for this page (plain values, usable after the session closed)."""

    slug: str
    name: str
    name_en: str | None
    description: str
    ministry: str | None
    keywords: tuple[str, ...]
    priority: int
    enabled: bool
    updated_at: datetime | None


def split_keywords(text: str) -> tuple[str, ...]:
    """Comma-separated keywords as typed by the operator, without blanks."""
    return tuple(k.strip() for k in text.split(",") if k.strip())


def _optional(text: str) -> str | None:
    return text.strip() or None


def _priority_input(value: int, key: str | None = None) -> int:
    # Not bounded in the widget: Streamlit would silently put back the old value, while
    # storage.repositories.topics refuses an out-of-range priority with a reason the operator sees.
    return int(st.number_input(t("topics.priority_help", max=topics.MAX_PRIORITY), value=value, step=1, key=key))


def _act(ctx: DashboardContext, user: SessionUser, action, success_key: str, **values: object) -> None:
    """One audited change as the signed-in operator; an existing code gets its own message."""
    exists = t("topics.exists", slug=plain(values.get("slug", "")))
    act_as(ctx, user, ROLE, action, failed_key="topics.failed", notice_state_key=NOTICE_KEY,
           notice=t(success_key, **{k: plain(v) for k, v in values.items()}), known_errors={AlreadyExists: exists})


def _load(ctx: DashboardContext) -> list[TopicRow]:
    with ctx.read_sessions() as session:
        return [TopicRow(r.slug, r.name, r.name_en, r.description or "", r.ministry, tuple(r.keywords or ()),
                         r.priority, r.enabled, r.updated_at) for r in topics.list_topics(session)]


def _table(ctx: DashboardContext, rows: list[TopicRow]) -> None:
    settings = dashboard_settings(ctx)
    if not rows:
        st.caption(t("topics.none"))
        return
    st.dataframe(
        [{
            t("topics.slug"): r.slug, t("topics.name"): r.name, t("topics.name_en"): r.name_en or "",
            t("topics.ministry"): r.ministry or "", t("topics.priority"): r.priority,
            t("topics.enabled"): r.enabled, t("topics.keyword_count"): len(r.keywords),
            t("topics.updated"): local_time(r.updated_at, settings),
        } for r in rows],
        hide_index=True,
    )


def _edit(ctx: DashboardContext, user: SessionUser, topic: TopicRow) -> None:
    with st.form(f"topic_edit_{topic.slug}"):
        name = st.text_input(t("topics.name"), value=topic.name)
        name_en = st.text_input(t("topics.name_en"), value=topic.name_en or "")
        description = st.text_area(t("topics.description"), value=topic.description)
        ministry = st.text_input(t("topics.ministry"), value=topic.ministry or "")
        keywords = st.text_area(t("topics.keywords"), value=", ".join(topic.keywords))
        priority = _priority_input(topic.priority)
        enabled = st.checkbox(t("topics.enabled"), value=topic.enabled)
        saved = st.form_submit_button(t("topics.save"))
    if saved:
        changes = {"name": name.strip(), "name_en": _optional(name_en), "description": description.strip(),
                   "ministry": _optional(ministry), "keywords": list(split_keywords(keywords)),
                   "priority": priority, "enabled": enabled}
        _act(ctx, user, lambda s, u: topics.update_topic(s, topic.slug, changes, actor=u.username), "topics.saved",
             slug=topic.slug)


def _add(ctx: DashboardContext, user: SessionUser) -> None:
    with st.form("topic_add", clear_on_submit=True):
        slug = st.text_input(t("topics.slug_help"), key="topic_add_slug")
        name = st.text_input(t("topics.name"), key="topic_add_name")
        name_en = st.text_input(t("topics.name_en"), key="topic_add_name_en")
        description = st.text_area(t("topics.description"), key="topic_add_description")
        ministry = st.text_input(t("topics.ministry"), key="topic_add_ministry")
        keywords = st.text_area(t("topics.keywords"), key="topic_add_keywords")
        priority = _priority_input(1, key="topic_add_priority")
        enabled = st.checkbox(t("topics.enabled"), value=True, key="topic_add_enabled")
        added = st.form_submit_button(t("topics.add"))
    if added:
        spec = topics.TopicSpec(slug=slug.strip(), name=name.strip(), description=description.strip(),
                                name_en=_optional(name_en), ministry=_optional(ministry),
                                keywords=split_keywords(keywords), priority=int(priority), enabled=enabled)
        _act(ctx, user, lambda s, u: topics.add_topic(s, spec, actor=u.username), "topics.added", slug=spec.slug)


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    st.title(t("page.onderwerpen"))
    show_notice(NOTICE_KEY)
    rows = _load(ctx)
    _table(ctx, rows)
    by_slug = {r.slug: r for r in rows}
    chosen = st.selectbox(t("topics.choose"), (None, *by_slug), key="topics_chosen", placeholder=t("topics.pick"),
                          format_func=lambda s: t("topics.pick") if s is None else f"{by_slug[s].name} ({s})")
    if chosen is not None and chosen in by_slug:
        st.subheader(t("topics.edit"))
        _edit(ctx, user, by_slug[chosen])
    with st.expander(t("topics.add_title")):
        _add(ctx, user)

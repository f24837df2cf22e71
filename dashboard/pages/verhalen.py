"""Verhalen (narratives): flagged items grouped by the claim they carry, how they grow, where,
and what debunks them. Viewer role and up (checked here, on the server).

    ?page=verhalen              a timeline of the most active narratives, and the list
    ?page=verhalen&verhaal=ID   one narrative: claim, growth per day, sources, debunks,
                                guidance links, and its items (each opens in Signalen)

``rising_panel(ctx)`` is the "top rising narratives" panel that Overzicht shows.
Everything that came from a feed is shown as escaped text; links only when http(s).
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.auth import require_role
from dashboard.components import show_link, show_text
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.common import local_time
from storage import GuidanceError, load_guidance
from storage.read_models import narratives as views
from storage.schema import utcnow

ROLE = "viewer"
NARRATIVE_PARAM = "verhaal"
PERIODS = (7, 30, 90)
#: The timeline shows this many narratives (the most items in the period); the list shows all.
TIMELINE_NARRATIVES = 8
LIST_LIMIT = 200
RISING_LIMIT = 5
MIN_ITEMS = 2


def narrative_url(narrative_id: int) -> str:
    return f"?page=verhalen&{NARRATIVE_PARAM}={narrative_id}"


def signal_url(item_id: int) -> str:
    return f"?page=signalen&item={item_id}"


def render(ctx: DashboardContext) -> None:
    require_role(ctx, ROLE)
    st.title(t("page.verhalen"))
    chosen = st.query_params.get(NARRATIVE_PARAM, "")
    if chosen.isdigit():
        _detail(ctx, int(chosen))
    else:
        _overview(ctx)


def _overview(ctx: DashboardContext) -> None:
    settings = dashboard_settings(ctx)
    days = st.radio(t("narratives.period"), PERIODS, index=1, horizontal=True, key="narratives_days",
                    format_func=lambda d: t("narratives.days", days=d))
    since = utcnow() - timedelta(days=days)
    with ctx.read_sessions() as session:
        rows = views.list_narratives(session, min_items=MIN_ITEMS, seen_since=since, limit=LIST_LIMIT)
        debunks = views.narrative_debunks(session, [r.id for r in rows])
        top = sorted(rows, key=lambda r: (-r.item_count, r.id))[:TIMELINE_NARRATIVES]
        daily = views.daily_counts(session, [r.id for r in top], since)
    if not rows:
        st.info(t("narratives.none"))
        return
    st.subheader(t("narratives.timeline"))
    st.altair_chart(_timeline_chart(top, daily), width="stretch")
    st.subheader(t("narratives.list"))
    st.dataframe(
        [{
            t("narratives.title"): r.title,
            t("narratives.items"): r.item_count,
            t("narratives.sources"): r.source_count,
            t("narratives.first_seen"): local_time(r.first_seen, settings),
            t("narratives.last_seen"): local_time(r.last_seen, settings),
            t("narratives.debunks"): len(debunks[r.id]),
            t("narratives.open"): narrative_url(r.id),
        } for r in rows],
        hide_index=True,
        column_config={t("narratives.open"): st.column_config.LinkColumn(display_text=t("narratives.open"))},
    )


def _timeline_chart(top: list[views.NarrativeView], daily: dict[int, dict[date, int]]) -> alt.Chart:
    frame = pd.DataFrame(
        [{"day": day.isoformat(), "narrative": f"{r.id}: {r.title[:60]}", "items": count}
         for r in top for day, count in daily.get(r.id, {}).items()]
    )
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("day:T", title=t("chart.day")),
        y=alt.Y("items:Q", title=t("narratives.items"), stack=True),
        color=alt.Color("narrative:N", title=t("narratives.title")),
        tooltip=["narrative:N", "day:T", "items:Q"],
    )


def _detail(ctx: DashboardContext, narrative_id: int) -> None:
    settings = dashboard_settings(ctx)
    show_link("?page=verhalen", t("narratives.back"))
    with ctx.read_sessions() as session:
        try:
            detail = views.narrative_detail(session, narrative_id)
        except LookupError:
            st.warning(t("narratives.not_found", id=narrative_id))
            return
        n = detail.narrative
        daily = views.daily_counts(session, [n.id], n.first_seen or utcnow())[n.id]
    show_text(n.title)
    if n.status == "merged" and n.merged_into:
        show_link(narrative_url(n.merged_into), t("narratives.merged_into", id=n.merged_into))
    st.caption(t("narratives.claim"))
    show_text(n.representative_sentence or "")
    columns = st.columns(4)
    columns[0].metric(t("narratives.items"), n.item_count)
    columns[1].metric(t("narratives.sources"), n.source_count)
    columns[2].metric(t("narratives.first_seen"), local_time(n.first_seen, settings))
    columns[3].metric(t("narratives.last_seen"), local_time(n.last_seen, settings))
    if n.topics:
        st.caption(t("narratives.topics"))
        show_text(", ".join(n.topics))
    if daily:
        frame = pd.DataFrame([{"day": d.isoformat(), "items": c} for d, c in daily.items()])
        st.altair_chart(alt.Chart(frame).mark_bar().encode(
            x=alt.X("day:T", title=t("chart.day")), y=alt.Y("items:Q", title=t("narratives.items"))), width="stretch")
    st.subheader(t("narratives.debunks"))
    if not detail.debunks:
        st.caption(t("narratives.no_debunks"))
    for d in detail.debunks:
        show_link(d.url, f"{d.publisher} ({d.rating_text or d.rating}): {d.claim}")
    st.subheader(t("narratives.guidance"))
    try:
        for link in load_guidance().links_for(n.topics):
            show_link(link.url, link.title)
    except GuidanceError:
        st.caption(t("narratives.no_guidance"))
    st.subheader(t("narratives.per_source"))
    st.dataframe([{t("narratives.source"): name, t("narratives.items"): count} for name, count in detail.sources],
                 hide_index=True)
    st.subheader(t("narratives.members"))
    st.dataframe(
        [{t("narratives.time"): local_time(m.seen_at, settings), t("narratives.source"): m.source_name,
          t("narratives.title"): m.title, t("narratives.open"): signal_url(m.item_id)} for m in detail.members],
        hide_index=True,
        column_config={t("narratives.open"): st.column_config.LinkColumn(display_text=t("narratives.open_signal"))},
    )


def rising_panel(ctx: DashboardContext) -> None:
    """Overzicht's panel: the narratives that grew most in the last day, against the day before."""
    settings = dashboard_settings(ctx)
    hours = 24
    with ctx.read_sessions() as session:
        rising = views.rising_narratives(session, utcnow(), hours, limit=RISING_LIMIT, min_items=MIN_ITEMS)
    st.subheader(t("narratives.rising"))
    if not rising:
        st.caption(t("narratives.no_rising"))
        return
    st.dataframe(
        [{t("narratives.title"): r.narrative.title, t("narratives.recent", hours=hours): r.recent,
          t("narratives.previous", hours=hours): r.previous, t("narratives.sources"): r.narrative.source_count,
          t("narratives.last_seen"): local_time(r.narrative.last_seen, settings),
          t("narratives.open"): narrative_url(r.narrative.id)} for r in rising],
        hide_index=True,
        column_config={t("narratives.open"): st.column_config.LinkColumn(display_text=t("narratives.open"))},
    )

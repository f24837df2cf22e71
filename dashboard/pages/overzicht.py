"""Overzicht: the last 24 hours in figures, and flagged items per day per topic with spikes."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import streamlit as st

from dashboard import data
from dashboard.auth import require_role
from dashboard.briefing_panel import briefing_panel
from dashboard.charts import spike_frame, topic_label, trend_chart, trend_frame
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.filters import filter_sidebar
from dashboard.i18n import t
from dashboard.pages.common import filter_choices, local_today
from dashboard.pages.verhalen import rising_panel
from dashboard.spikes import find_spikes
from storage.read_models import signals
from storage.schema import utcnow

ROLE = "viewer"


def render(ctx: DashboardContext) -> None:
    require_role(ctx, ROLE)
    settings = dashboard_settings(ctx)
    st.title(t("page.overzicht"))
    topics, sources, languages = filter_choices(ctx)
    state = filter_sidebar(local_today(settings), settings.default_period_days, topics, sources, languages)

    with ctx.read_sessions() as session:
        figures = signals.overview_figures(session, utcnow())
    st.subheader(t("overview.last_24h"))
    columns = st.columns(6)
    for column, (key, value) in zip(columns, (
        ("overview.collected", figures.collected), ("overview.flagged", figures.flagged),
        ("overview.new_matches", figures.new_matches), ("overview.sources_healthy", figures.sources_healthy),
        ("overview.sources_failing", figures.sources_failing), ("overview.sources_disabled", figures.sources_disabled),
    ), strict=True):
        column.metric(t(key), value)
    briefing_panel(ctx)

    f = state.signal_filter()
    # The spike baseline needs the days before the period too.
    with_history = type(f)(f.first_day - timedelta(days=settings.spike_baseline_days), f.last_day, f.topic_id,
                           f.source_id, f.language, f.min_score)
    counts = data.flagged_per_day(ctx, with_history)
    by_topic: dict[int, dict] = defaultdict(dict)
    for c in counts:
        by_topic[c.topic_id][c.day] = c.flagged
    spikes = find_spikes(
        by_topic, f.first_day, f.last_day, baseline_days=settings.spike_baseline_days,
        tail=settings.spike_tail_probability, min_count=settings.spike_min_count,
        history_start=data.first_counted_day(ctx),
    )
    st.subheader(t("overview.trend", first=f.first_day.isoformat(), last=f.last_day.isoformat()))
    st.caption(t("overview.trend_help", total=data.flagged_total(ctx, f)))
    trend = trend_frame(counts, topics, f.first_day, f.last_day)
    if trend.empty:
        st.info(t("overview.no_flagged"))
    else:
        st.altair_chart(trend_chart(trend, spike_frame(spikes, topics)), width="stretch")
    st.subheader(t("overview.spikes"))
    if not spikes:
        st.caption(t("overview.no_spikes"))
    else:
        st.dataframe(
            [{t("chart.day"): s.day.isoformat(), t("chart.topic"): topic_label(s.topic_id, topics),
              t("chart.flagged"): s.count, t("chart.expected"): round(s.expected, 1)} for s in spikes],
            hide_index=True,
        )
    rising_panel(ctx)

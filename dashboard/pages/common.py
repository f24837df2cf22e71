"""What several pages share: the filter choices, local time, a signal's detail view."""

from __future__ import annotations

import functools
import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard.components import (
    evidence_html,
    link_html,
    locate_evidence,
    score_in_words,
    show_link,
    show_text,
)
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import current_language, t
from dashboard.match_view import show_matches
from dashboard.settings import DashboardSettings
from dashboard.signal_parts import show_signal_parts
from storage import Guidance, GuidanceError, load_guidance
from storage.read_models import SignalDetail, TopicView, signals
from storage.schema import utcnow

#: isdatechtzo.nl: the government's general page on recognising disinformation.
GENERAL_GUIDANCE_URL = "https://www.isdatechtzo.nl/"


def local_today(settings: DashboardSettings) -> date:
    return utcnow().astimezone(ZoneInfo(settings.timezone)).date()


def local_time(value: datetime | None, settings: DashboardSettings) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def topic_name(topic: TopicView) -> str:
    return topic.name_en if current_language() == "en" and topic.name_en else topic.name


def filter_choices(ctx: DashboardContext) -> tuple[dict[int, str], dict[int, str], list[str]]:
    with ctx.read_sessions() as session:
        topics = {tp.id: topic_name(tp) for tp in signals.topic_list(session)}
        return topics, signals.source_names(session), signals.item_languages(session)


def show_signal(ctx: DashboardContext, detail: SignalDetail, hide_score: bool = False) -> None:
    """One signal: title, source, time, link, score in words, evidence in its paragraph, topics
    and ministry, fact-checks, guidance links, carriers and label history. Feed text as text."""
    settings = dashboard_settings(ctx)
    st.html(f"<h3>{link_html(None, detail.title)}</h3>")
    st.text(t("signal.meta", source=detail.source_name, time=local_time(detail.published_at or detail.collected_at,
                                                                       settings)))
    show_link(detail.url, t("signal.original"))
    if not hide_score:
        st.markdown(f"**{t('signal.score')}:** {score_in_words(detail.score, settings)}")
        if detail.flag_reasons:
            st.caption(t("signal.reasons", reasons=", ".join(t(f"reason.{r}") for r in detail.flag_reasons)))
    show_signal_parts(detail, hide_numbers=hide_score)
    span = locate_evidence(detail.texts, detail.evidence_text, detail.evidence_start, detail.evidence_end)
    st.markdown(f"**{t('signal.evidence')}**")
    if span is not None:
        st.html(evidence_html(span))
    elif detail.evidence_text:
        st.html(f"<p><mark>{html.escape(detail.evidence_text)}</mark></p>")
    else:
        st.caption(t("signal.no_evidence"))
    with st.expander(t("signal.full_text")):
        show_text(detail.texts[0] if detail.texts else "")
    _topics_and_guidance(ctx, detail)
    show_matches(detail, hide_numbers=hide_score)
    st.caption(t("signal.carriers", n=detail.carriers))
    st.markdown(f"**{t('signal.labels')}**")
    if not detail.labels:
        st.caption(t("signal.no_labels"))
    else:
        st.dataframe(
            [{t("labels.user"): r.username, t("labels.label"): t(f"label.{r.label}"), t("labels.note"): r.note or "",
              t("labels.when"): local_time(r.created_at, settings),
              t("labels.retracted"): local_time(r.retracted_at, settings)} for r in detail.labels],
            hide_index=True,
        )


def _topics_and_guidance(ctx: DashboardContext, detail: SignalDetail) -> None:
    st.markdown(f"**{t('signal.topics')}**")
    if not detail.topics:
        st.caption(t("topic.none"))
    for topic in detail.topics:
        ministry = f" — {topic.ministry}" if topic.ministry else ""
        st.text(f"{topic_name(topic)}{ministry}")
    st.markdown(f"**{t('signal.guidance')}**")
    for url, label in guidance_links(detail.topics):
        show_link(url, label)


def guidance_links(topics: list[TopicView]) -> list[tuple[str, str]]:
    """The topics' official pages and isdatechtzo.nl (from storage's guidance file)."""
    try:
        guidance = _guidance()
    except GuidanceError:  # a broken guidance file must not hide the signal itself
        return [(GENERAL_GUIDANCE_URL, t("signal.isdatechtzo"))]
    return [(link.url, link.title) for link in guidance.links_for([tp.slug for tp in topics])]


@functools.cache
def _guidance() -> Guidance:
    return load_guidance()

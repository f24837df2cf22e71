"""The filters of Overzicht and Signalen, kept in the URL so that a view can be shared.

    ?days=30                       the last 30 days (today included), or
    ?from=2025-01-01&to=2025-01-31 whole days
    &topic=3&source=7&min_score=0.7&language=nl

``parse_filters`` and ``filter_params`` are pure: bad values fall back to the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

import streamlit as st

from dashboard.i18n import t
from storage.read_models import SCORE_BUCKETS, SignalFilter, bucket_floor

PERIOD_CHOICES = (1, 7, 14, 30, 60, 90)
CUSTOM_PERIOD = 0
MIN_SCORE_CHOICES = tuple(round(b / SCORE_BUCKETS, 4) for b in range(SCORE_BUCKETS))
FILTER_PARAMS = ("days", "from", "to", "topic", "source", "min_score", "language")
_WIDGET = "filter_"
ALL = "all"  # the "no filter" choice (None would show as an empty selection)


@dataclass(frozen=True)
class FilterState:
    days: int  # one of PERIOD_CHOICES, or CUSTOM_PERIOD with first/last day
    first_day: date
    last_day: date
    topic_id: int | None = None
    source_id: int | None = None
    min_score: float = 0.0
    language: str | None = None

    def signal_filter(self) -> SignalFilter:
        return SignalFilter(self.first_day, self.last_day, self.topic_id, self.source_id, self.language,
                            self.min_score)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().lstrip("-").isdigit() else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def parse_filters(params: Mapping[str, str], today: date, default_days: int) -> FilterState:
    first, last = _date(params.get("from")), _date(params.get("to"))
    days = _int(params.get("days"))
    if first is not None and last is not None and first <= last:
        state = FilterState(CUSTOM_PERIOD, first, last)
    else:
        days = days if days in PERIOD_CHOICES else default_days
        state = FilterState(days, *period(days, today))
    try:
        min_score = bucket_floor(min(max(float(params.get("min_score", 0) or 0), 0.0), 1.0))
    except ValueError:
        min_score = 0.0
    language = (params.get("language") or "").strip()[:8] or None
    return replace(state, topic_id=_int(params.get("topic")), source_id=_int(params.get("source")),
                   min_score=min_score, language=language)


def filter_params(state: FilterState) -> dict[str, str]:
    params: dict[str, str] = {}
    if state.days == CUSTOM_PERIOD:
        params["from"], params["to"] = state.first_day.isoformat(), state.last_day.isoformat()
    else:
        params["days"] = str(state.days)
    if state.topic_id is not None:
        params["topic"] = str(state.topic_id)
    if state.source_id is not None:
        params["source"] = str(state.source_id)
    if state.min_score > 0:
        params["min_score"] = f"{state.min_score:g}"
    if state.language:
        params["language"] = state.language
    return params


def _choice(value: object) -> object:
    return ALL if value is None else value


def _value(choice: object) -> object:
    return None if choice == ALL else choice


def sync_params(wanted: Mapping[str, str], owned: tuple[str, ...]) -> None:
    """Make the URL's ``owned`` parameters equal ``wanted`` (others are left alone)."""
    for key in owned:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def filter_sidebar(
    today: date, default_days: int, topics: Mapping[int, str], sources: Mapping[int, str], languages: list[str]
) -> FilterState:
    """The filter widgets, started from the URL, written back to the URL."""
    state = parse_filters(st.query_params.to_dict(), today, default_days)
    state = replace(  # an id that no longer exists (or never did) means "all"
        state,
        topic_id=state.topic_id if state.topic_id in topics else None,
        source_id=state.source_id if state.source_id in sources else None,
        language=state.language if state.language in languages else None,
    )
    initial = {
        "days": state.days, "from": state.first_day, "to": state.last_day, "topic": _choice(state.topic_id),
        "source": _choice(state.source_id), "min_score": state.min_score, "language": _choice(state.language),
    }
    for name, value in initial.items():
        st.session_state.setdefault(_WIDGET + name, value)
    bar = st.sidebar
    bar.subheader(t("filters.title"))
    days = bar.selectbox(t("filters.period"), (*PERIOD_CHOICES, CUSTOM_PERIOD), key=_WIDGET + "days",
                         format_func=lambda d: t("filters.custom") if d == CUSTOM_PERIOD else t("filters.days", n=d))
    if days == CUSTOM_PERIOD:
        first = bar.date_input(t("filters.from"), key=_WIDGET + "from")
        last = bar.date_input(t("filters.to"), key=_WIDGET + "to")
        first, last = (first, last) if first <= last else (last, first)
    else:
        first, last = period(days, today)
    topic = bar.selectbox(t("filters.topic"), (ALL, *topics), key=_WIDGET + "topic",
                          format_func=lambda v: t("filters.all") if v == ALL else topics.get(v, str(v)))
    source = bar.selectbox(t("filters.source"), (ALL, *sources), key=_WIDGET + "source",
                           format_func=lambda v: t("filters.all") if v == ALL else sources.get(v, str(v)))
    min_score = bar.select_slider(t("filters.min_score"), MIN_SCORE_CHOICES, key=_WIDGET + "min_score")
    language = bar.selectbox(t("filters.language"), (ALL, *languages), key=_WIDGET + "language",
                             format_func=lambda v: t("filters.all") if v == ALL else v)
    chosen = FilterState(days, first, last, _value(topic), _value(source), float(min_score), _value(language))
    sync_params(filter_params(chosen), FILTER_PARAMS)
    return chosen

"""Signalen: a paginated, sortable table of flagged stories, one signal in detail, CSV export."""

from __future__ import annotations

import math

import streamlit as st

from dashboard import data
from dashboard.auth import require_role
from dashboard.components import csv_text, safe_url, score_in_words
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.filters import filter_sidebar, sync_params
from dashboard.i18n import t
from dashboard.pages.common import filter_choices, local_time, local_today, show_signal
from storage.read_models import SORT_KEYS, SignalRow
from storage.read_models import signals as views

ROLE = "viewer"
LIST_PARAMS = ("sort", "order", "p", "item")


def _int_param(name: str, default: int) -> int:
    value = st.query_params.get(name, "")
    return int(value) if value.isdigit() else default


def _table(rows: list[SignalRow], ctx: DashboardContext) -> list[dict]:
    settings = dashboard_settings(ctx)
    return [
        {
            t("signals.time"): local_time(r.appeared_at or r.collected_at, settings),
            t("signals.title"): r.title,
            t("signals.source"): r.source_name,
            t("signals.score"): score_in_words(r.score, settings),
            t("signals.topics"): ", ".join(r.topics),
            t("signals.debunks"): r.debunks,
            t("signals.reasons"): ", ".join(t(f"reason.{x}") for x in r.flag_reasons),
        }
        for r in rows
    ]


def _export(ctx: DashboardContext, rows: list[SignalRow]) -> str:
    settings = dashboard_settings(ctx)
    header = ["item_id", "collected_at", "published_at", "title", "source", "score", "score_words", "topics",
              "debunks", "reasons", "url", "language"]
    return csv_text(header, (
        [r.item_id, r.collected_at.isoformat(), r.published_at.isoformat() if r.published_at else "", r.title,
         r.source_name, f"{r.score:.4f}", score_in_words(r.score, settings), "; ".join(r.topics), r.debunks,
         "; ".join(r.flag_reasons), safe_url(r.url) or "", r.language or ""]
        for r in rows
    ))


def render(ctx: DashboardContext) -> None:
    require_role(ctx, ROLE)
    settings = dashboard_settings(ctx)
    st.title(t("page.signalen"))
    topics, sources, languages = filter_choices(ctx)
    state = filter_sidebar(local_today(settings), settings.default_period_days, topics, sources, languages)
    f = state.signal_filter()

    sort_default = st.query_params.get("sort", "time")
    st.session_state.setdefault("signals_sort", sort_default if sort_default in SORT_KEYS else "time")
    st.session_state.setdefault("signals_order", st.query_params.get("order", "desc") != "asc")
    left, middle, right = st.columns([2, 1, 2])
    sort = left.selectbox(t("signals.sort"), SORT_KEYS, key="signals_sort", format_func=lambda k: t(f"sort.{k}"))
    descending = middle.toggle(t("signals.descending"), key="signals_order")

    total = data.flagged_total(ctx, f)  # from the daily aggregate: the same count, without a scan
    pages = max(1, math.ceil(total / settings.page_size))
    st.session_state.setdefault("signals_page", min(max(_int_param("p", 1), 1), pages))
    if st.session_state["signals_page"] > pages:
        st.session_state["signals_page"] = pages
    page = right.number_input(t("signals.page", pages=pages), min_value=1, max_value=pages, step=1,
                              key="signals_page")
    with ctx.read_sessions() as session:
        rows = views.list_signals(session, f, sort, descending, (int(page) - 1) * settings.page_size,
                                  settings.page_size)
    st.caption(t("signals.count", total=total))
    if not rows:
        st.info(t("signals.none"))
    else:
        st.dataframe(_table(rows, ctx), hide_index=True)

    if st.button(t("signals.export"), key="signals_export"):
        with ctx.read_sessions() as session:
            everything = views.list_signals(session, f, sort, descending, 0, settings.export_max_rows)
        st.download_button(t("signals.download", n=len(everything)), _export(ctx, everything),
                           file_name="waakhond-signalen.csv", mime="text/csv", key="signals_download")

    item_ids = [r.item_id for r in rows]
    titles = {r.item_id: r.title for r in rows}
    wanted = _int_param("item", 0)
    if wanted and wanted not in item_ids:  # a shared link to a signal on another page
        item_ids.append(wanted)
    st.session_state.setdefault("signals_item", wanted or None)
    if st.session_state["signals_item"] not in (None, *item_ids):
        st.session_state["signals_item"] = None
    chosen = st.selectbox(t("signals.open"), (None, *item_ids), key="signals_item", placeholder=t("signals.pick"),
                          format_func=lambda i: t("signals.pick") if i is None else f"#{i} {titles.get(i, '')[:120]}")
    sync_params(
        {"sort": sort, "order": "desc" if descending else "asc", "p": str(int(page)),
         **({"item": str(chosen)} if chosen else {})},
        LIST_PARAMS,
    )
    if chosen:
        with ctx.read_sessions() as session:
            detail = views.signal_detail(session, chosen)
        if detail is not None:
            st.divider()
            show_signal(ctx, detail)

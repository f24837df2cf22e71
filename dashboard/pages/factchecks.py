"""Factchecks (analysts): browse and search the debunks; add one by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time

import streamlit as st

import storage
from dashboard.auth import NotAllowed, SessionUser, acting_user, refuse, require_role
from dashboard.components import link_html
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import t
from dashboard.pages.common import local_time
from storage import StorageError
from storage.repositories import factchecks
from storage.schema import RATINGS

ROLE = "analyst"


def _list(ctx: DashboardContext) -> None:
    settings = dashboard_settings(ctx)
    left, right = st.columns([3, 1])
    search = left.text_input(t("factchecks.search"), key="factchecks_search")
    rating = right.selectbox(t("factchecks.rating"), ("", *RATINGS), key="factchecks_rating",
                             format_func=lambda r: t("filters.all") if not r else t(f"rating.{r}"))
    page = st.number_input(t("factchecks.page"), min_value=1, step=1, key="factchecks_page")
    with ctx.read_sessions() as session:
        rows = factchecks.list_fact_checks(session, search=search or None, rating=rating or None,
                                           limit=settings.page_size, offset=(int(page) - 1) * settings.page_size)
        shown = [(r.url, r.claim_reviewed, r.publisher, r.rating, r.rating_text, r.published_at, r.origin) for r in rows]
    if not shown:
        st.info(t("factchecks.none"))
    for url, claim, publisher, rating_value, rating_text, published, origin in shown:
        extra = f" ({link_html(None, rating_text)})" if rating_text else ""
        st.html(
            f"<p>{link_html(url, claim)}<br/><small>{link_html(None, publisher)} · "
            f"{link_html(None, t(f'rating.{rating_value}'))}{extra} · {local_time(published, settings)} · "
            f"{link_html(None, t(f'origin.{origin}'))}</small></p>"
        )


def _add(ctx: DashboardContext, user: SessionUser) -> None:
    with st.form("factcheck_add", clear_on_submit=True):
        url = st.text_input(t("factchecks.url"))
        claim = st.text_area(t("factchecks.claim"))
        publisher = st.text_input(t("factchecks.publisher"))
        rating = st.selectbox(t("factchecks.rating"), RATINGS, format_func=lambda r: t(f"rating.{r}"))
        rating_text = st.text_input(t("factchecks.rating_text"))
        published = st.date_input(t("factchecks.published"), value=None)
        language = st.text_input(t("factchecks.language"), value="nl")
        added = st.form_submit_button(t("factchecks.add"))
    if not added:
        return
    try:
        with storage.transaction(ctx.sessions) as session:
            factchecks.add_manual_factcheck(
                session, acting_user(session, user, ROLE), url=url, claim=claim, rating=rating, publisher=publisher,
                rating_text=rating_text or None, language=language.strip() or None,
                published_at=datetime.combine(published, time(0), tzinfo=UTC) if published else None,
            )
    except NotAllowed as exc:
        refuse(ctx, exc, "factcheck.add")
    except (StorageError, ValueError) as exc:
        st.error(t("factchecks.failed", error=str(exc)))
        return
    st.success(t("factchecks.added"))


def render(ctx: DashboardContext) -> None:
    user = require_role(ctx, ROLE)
    st.title(t("page.factchecks"))
    with st.expander(t("factchecks.add_title")):
        _add(ctx, user)
    _list(ctx)

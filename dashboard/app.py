"""The dashboard: login, then the pages the signed-in role may use.

``main(ctx)`` is called by the entry script (``waakhond/dashboard_app.py``) on every run.
The menu only shows the pages of the user's role, but that is convenience, not access
control: each page function checks the role itself (``dashboard.auth.require_role``), so a
forged ``?page=`` or session state reaches the page and is refused there.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import streamlit as st

from dashboard.auth import current_user, login_form, logout
from dashboard.context import DashboardContext, dashboard_settings
from dashboard.i18n import LANGUAGE_PARAM, LANGUAGES, choose_language, current_language, set_language, t
from storage.repositories import role_at_least

PAGE_PARAM = "page"
NAV_KEY = "nav_page"


@dataclass(frozen=True)
class PageSpec:
    slug: str
    role: str  # the least role that may open the page (checked again inside the page)
    module: str


PAGES = (
    PageSpec("overzicht", "viewer", "dashboard.pages.overzicht"),
    PageSpec("signalen", "viewer", "dashboard.pages.signalen"),
    PageSpec("verhalen", "viewer", "dashboard.pages.verhalen"),
    PageSpec("labelen", "analyst", "dashboard.pages.labelen"),
    PageSpec("factchecks", "analyst", "dashboard.pages.factchecks"),
    PageSpec("modellen", "analyst", "dashboard.pages.modellen"),
    PageSpec("bronnen", "operator", "dashboard.pages.bronnen"),
    PageSpec("onderwerpen", "operator", "dashboard.pages.onderwerpen"),
    PageSpec("beheer", "admin", "dashboard.pages.beheer"),
)
PAGES_BY_SLUG = {p.slug: p for p in PAGES}


def render_page(ctx: DashboardContext, slug: str) -> None:
    importlib.import_module(PAGES_BY_SLUG[slug].module).render(ctx)


def _language_changed() -> None:
    chosen = st.session_state["ui_language"]
    set_language(chosen)
    st.query_params[LANGUAGE_PARAM] = chosen


def _sidebar(ctx: DashboardContext, name: str, role: str) -> None:
    bar = st.sidebar
    bar.markdown(f"**{t('app.title')}**")
    bar.text(t("app.signed_in", name=name, role=t(f"role.{role}")))
    st.session_state.setdefault("ui_language", current_language())
    bar.selectbox(t("app.language"), LANGUAGES, key="ui_language", on_change=_language_changed,
                  format_func=lambda code: t(f"language.{code}"))
    if bar.button(t("app.logout"), key="logout"):
        logout(ctx)
        st.rerun()


def main(ctx: DashboardContext) -> None:
    st.set_page_config(page_title="Waakhond", layout="wide")
    choose_language(dashboard_settings(ctx).default_language)
    user = current_user(ctx)
    if user is None:
        login_form(ctx)
        return
    _sidebar(ctx, user.display_name or user.username, user.role)
    allowed = [p.slug for p in PAGES if role_at_least(user.role, p.role)]
    requested = st.session_state.get(NAV_KEY) or st.query_params.get(PAGE_PARAM) or allowed[0]
    if requested not in PAGES_BY_SLUG:
        requested = allowed[0]
    refused = requested if requested not in allowed else None
    st.session_state[NAV_KEY] = allowed[0] if refused else requested
    slug = st.sidebar.radio(t("app.pages"), allowed, key=NAV_KEY, format_func=lambda s: t(f"page.{s}"))
    if refused:
        # Not in this role's menu: the page itself refuses (server-side), whatever was asked.
        render_page(ctx, refused)
        return
    if st.query_params.get(PAGE_PARAM) != slug:
        st.query_params[PAGE_PARAM] = slug
    render_page(ctx, slug)

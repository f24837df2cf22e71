"""Cached aggregate queries for the pages (``cache_ttl_seconds``; 0 turns caching off).

Only trend figures are cached: they come from the daily aggregate, which the service refreshes
on its own schedule anyway. Everything a user changes (labels, sources, users) is read fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from dashboard.context import DashboardContext, dashboard_settings
from storage.read_models import DayCount, SignalFilter, daily_counts

T = TypeVar("T")
_CACHED: dict[tuple[str, int], Callable[..., Any]] = {}


def _database_key(ctx: DashboardContext) -> str:
    return str(ctx.read_sessions.kw["bind"].url)


def _cached(function: Callable[..., T], ctx: DashboardContext) -> Callable[..., T]:
    ttl = dashboard_settings(ctx).cache_ttl_seconds
    if ttl <= 0:
        return function
    key = (function.__name__, ttl)
    if key not in _CACHED:
        _CACHED[key] = st.cache_data(ttl=ttl, show_spinner=False)(function)
    return _CACHED[key]


def _flagged_per_day(_ctx: DashboardContext, database: str, f: SignalFilter) -> list[DayCount]:
    with _ctx.read_sessions() as session:
        return daily_counts.flagged_per_day(session, f)


def _flagged_total(_ctx: DashboardContext, database: str, f: SignalFilter) -> int:
    with _ctx.read_sessions() as session:
        return daily_counts.flagged_total(session, f)


def _first_counted_day(_ctx: DashboardContext, database: str) -> date | None:
    with _ctx.read_sessions() as session:
        return daily_counts.first_counted_day(session)


def flagged_per_day(ctx: DashboardContext, f: SignalFilter) -> list[DayCount]:
    return _cached(_flagged_per_day, ctx)(ctx, _database_key(ctx), f)


def flagged_total(ctx: DashboardContext, f: SignalFilter) -> int:
    return _cached(_flagged_total, ctx)(ctx, _database_key(ctx), f)


def first_counted_day(ctx: DashboardContext) -> date | None:
    return _cached(_first_counted_day, ctx)(ctx, _database_key(ctx))


def clear() -> None:
    """Forget every cached figure (tests, and after a rebuild of the aggregate)."""
    for function in _CACHED.values():
        function.clear()

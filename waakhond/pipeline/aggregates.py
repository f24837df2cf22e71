"""The ``aggregates`` step: keeps ``daily_topic_counts`` (the dashboard's and API's trends) up to date."""

from __future__ import annotations

import logging

import storage
from storage.read_models import RefreshResult, refresh_daily_counts
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


def aggregates_step(context: StepContext) -> RefreshResult:
    """Recompute the days whose items, classifications or claim matches changed since the last
    refresh (the first run after an empty table recomputes every day)."""
    with storage.transaction(context.app.sessions) as session:
        result = refresh_daily_counts(session)
    if result.days:
        log.info("aggregates refreshed", extra={"days": len(result.days), "rows": result.rows})
    return result

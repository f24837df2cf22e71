"""The ``alerts`` step: evaluate the alert rules once and deliver (every
alerts.evaluate_interval_minutes, only when ``alerts.enabled``); a failing channel is recorded
in ``alerts`` and never stops the step or the service."""

from __future__ import annotations

import logging

from alerts import EvaluationReport, dashboard_base_url, evaluate_and_send
from waakhond.briefing_maker import scheduled_maker
from waakhond.context import AppContext
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


def alert_dashboard_url(app: AppContext) -> str:
    settings = app.settings
    return dashboard_base_url(settings.alerts, settings.dashboard.public_url, settings.dashboard.host,
                              settings.dashboard.port)


def alerts_step(context: StepContext) -> EvaluationReport:
    settings = context.app.settings
    report = evaluate_and_send(context.app.sessions, settings.alerts, settings.narratives,
                               alert_dashboard_url(context.app), briefing_maker=scheduled_maker(context.app))
    if report.sent or report.failed or report.rule_errors:
        log.info("alerts evaluated", extra={"step": "alerts", **report.as_dict()})
    return report

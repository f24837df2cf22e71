"""Service wiring for narratives and alerts: three steps of ``waakhond.service``.

    narratives        place flagged items that have no narrative yet (every
                      pipeline.narratives_interval_seconds, after classification
                      and claim matching; cheap when nothing is pending)
    narrative_merge   the periodic merge pass (every narratives.merge_interval_minutes)
    alerts            evaluate the alert rules once and deliver (every
                      alerts.evaluate_interval_minutes); a failing channel is recorded in
                      ``alerts`` and never stops the step or the service
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from classifier import narrative_runner
from classifier.narrative_runner import NarrativeReport
from waakhond.alerts import EvaluationReport, evaluate_and_send
from waakhond.alerts.settings import dashboard_base_url
from waakhond.briefing_wiring import scheduled_maker
from waakhond.context import AppContext

if TYPE_CHECKING:
    from waakhond.service import PipelineStep, StepContext

log = logging.getLogger(__name__)
SECONDS_PER_MINUTE = 60


def narrative_step(context: StepContext) -> NarrativeReport:
    settings = context.app.settings.narratives
    report = narrative_runner.run_step(context.app.sessions, settings, should_stop=context.stopping.is_set)
    if report.placed or report.refreshed:
        log.info("narratives updated", extra={"step": "narratives", **report.as_dict()})
    return report


def merge_step(context: StepContext) -> NarrativeReport:
    report = narrative_runner.merge_pass(context.app.sessions, context.app.settings.narratives)
    if report.merged:
        log.info("narratives merged", extra={"step": "narrative_merge", **report.as_dict()})
    return report


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


def narrative_and_alert_steps(app: AppContext, step_type: type[PipelineStep]) -> list[PipelineStep]:
    """The three steps, for ``pipeline_steps`` (alerts only when ``alerts.enabled``)."""
    settings = app.settings
    steps = [
        step_type("narratives", narrative_step, settings.pipeline.narratives_interval_seconds),
        step_type("narrative_merge", merge_step, settings.narratives.merge_interval_minutes * SECONDS_PER_MINUTE),
    ]
    if settings.alerts.enabled:
        steps.append(step_type("alerts", alerts_step, settings.alerts.evaluate_interval_minutes * SECONDS_PER_MINUTE))
    return steps

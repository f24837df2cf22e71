"""The step list: every pipeline step, in the order it is scheduled. Add yours here."""

from __future__ import annotations

from waakhond.context import AppContext
from waakhond.pipeline.aggregates import aggregates_step
from waakhond.pipeline.alerts import alerts_step
from waakhond.pipeline.classify import classify_step
from waakhond.pipeline.collect import collect_step
from waakhond.pipeline.match import match_step
from waakhond.pipeline.narratives import merge_step, narrative_step
from waakhond.pipeline.step import PipelineStep

SECONDS_PER_MINUTE = 60


def pipeline_steps(app: AppContext) -> list[PipelineStep]:
    """The steps both runtimes run (alerts only when ``alerts.enabled``)."""
    settings = app.settings
    steps = [
        PipelineStep("collect", collect_step, settings.collector.tick_seconds, exclusive=False),
        PipelineStep("classify", classify_step, settings.pipeline.classify_interval_seconds),
        PipelineStep("match", match_step, settings.pipeline.match_interval_seconds),
        PipelineStep("aggregates", aggregates_step, settings.dashboard.aggregates_refresh_seconds),
        PipelineStep("narratives", narrative_step, settings.pipeline.narratives_interval_seconds),
        PipelineStep("narrative_merge", merge_step, settings.narratives.merge_interval_minutes * SECONDS_PER_MINUTE),
    ]
    if settings.alerts.enabled:
        steps.append(
            PipelineStep("alerts", alerts_step, settings.alerts.evaluate_interval_minutes * SECONDS_PER_MINUTE)
        )
    return steps

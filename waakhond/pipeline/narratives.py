"""The ``narratives`` and ``narrative_merge`` steps.

    narratives        place flagged items that have no narrative yet (every
                      pipeline.narratives_interval_seconds, after classification
                      and claim matching; cheap when nothing is pending)
    narrative_merge   the periodic merge pass (every narratives.merge_interval_minutes)
"""

from __future__ import annotations

import logging

from classifier.narratives import NarrativeReport
from classifier.narratives import runner as narrative_runner
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


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

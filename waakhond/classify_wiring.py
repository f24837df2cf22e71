"""Classification in the running service: the ``classify`` step.

    service: PipelineStep("classify", classify_step, CLASSIFY_STEP_INTERVAL_SECONDS)
    classify_step = classifier.classify_items(mode="pending") with the process's shared encoder:
                    new items, and, after ``models promote``, the recent items the newly active
                    version has not scored yet (so promotion re-scores them here, in the background)

The shipped default versions are installed on the first run when no version is active.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from classifier.score import ClassifyReport, classify_items, load_scoring_models
from classifier.versions import VersionError
from waakhond.debunk_wiring import shared_encoder

if TYPE_CHECKING:
    from waakhond.service import StepContext

log = logging.getLogger(__name__)
#: How often the service looks for items to score. An empty run costs two small queries.
CLASSIFY_STEP_INTERVAL_SECONDS = 60


def classify_step(context: StepContext) -> ClassifyReport | None:
    """The service's classification step (synchronous: it runs on a worker thread)."""
    app = context.app
    try:
        models = load_scoring_models(app.sessions, app.settings, encoder=shared_encoder(app))
    except VersionError as exc:  # e.g. no version trained for another encoder yet
        log.warning("classification skipped", extra={"step": "classify", "reason": str(exc)})
        return None
    report = classify_items(app.sessions, app.settings, models, should_stop=context.stopping.is_set)
    if report.scored:
        log.info("classified", extra={"step": "classify", **report.as_dict()})
    return report

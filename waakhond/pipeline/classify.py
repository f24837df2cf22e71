"""Classification in the running service: the ``classify`` step.

    service: PipelineStep("classify", classify_step, pipeline.classify_interval_seconds)
    classify_step = classifier.classify_items(mode="pending") with the process's shared encoder:
                    new items, and, after ``models promote``, the recent items the newly active
                    version has not scored yet (so promotion re-scores them here, in the background)
    scale-out:      the classify task calls ``classify_pending`` too, narrowed to its batch's items

The shipped default versions are installed on the first run when no version is active.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from classifier import VersionError
from classifier.scoring import ClassifyReport, classify_items, load_scoring_models
from waakhond.context import AppContext
from waakhond.metrics import record_classification
from waakhond.pipeline.encoder import shared_encoder
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


def classify_step(context: StepContext) -> ClassifyReport | None:
    """The service's classification step (synchronous: it runs on a worker thread)."""
    return classify_pending(context.app, context.stopping.is_set)


def classify_pending(
    app: AppContext, should_stop: Callable[[], bool], item_ids: Sequence[int] | None = None
) -> ClassifyReport | None:
    """Score the pending items (only those of ``item_ids`` when given) with the active
    version; None when no version fits the encoder."""
    try:
        models = load_scoring_models(app.sessions, app.settings, encoder=shared_encoder(app))
    except VersionError as exc:  # e.g. no version trained for another encoder yet
        log.warning("classification skipped", extra={"step": "classify", "reason": str(exc)})
        return None
    report = classify_items(app.sessions, app.settings, models, should_stop=should_stop, item_ids=item_ids)
    record_classification(report)
    if report.scored:
        log.info("classified", extra={"step": "classify", **report.as_dict()})
    return report

"""The ``match`` step: claim matching over what classification left unmatched, plus new
fact-checks against recent items (``classifier.matching.run_matching``); the scale-out match
task runs the same step. The encoder is the process's shared one (``pipeline.encoder``).
"""

from __future__ import annotations

import logging

from classifier.matching import MatchReport, load_matcher, run_matching
from waakhond.pipeline.encoder import shared_encoder
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


def match_step(context: StepContext) -> MatchReport:
    """The claim-matching step (synchronous: it runs on a worker thread)."""
    app = context.app
    encoder = shared_encoder(app)
    matcher = load_matcher(app.settings.classifier, app.settings.model_dir, encoder.fingerprint)
    report = run_matching(app.sessions, encoder, app.settings.classifier, matcher,
                          should_stop=context.stopping.is_set)
    if report.items_matched or report.new_claims_matched or report.claims_encoded:
        log.info("claims matched", extra={"step": "match", **report.__dict__})
    return report

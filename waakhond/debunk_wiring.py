"""Debunk links in the running service: the ClaimReview page processor for fact-check sources,
and the claim-matching step.

    collector: PageProcessors.register("factcheck", store_claim_reviews)
    service:   PipelineStep("match", match_step, pipeline.match_interval_seconds)
               match_step = run_matching over what classification left unmatched, plus new
               fact-checks against recent items (classifier.match_run); the scale-out match
               task runs the same step

The encoder is loaded once per process and reused by later runs of the step.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from classifier.match_run import MatchReport, run_matching
from classifier.match_stages import load_matcher
from collector.factcheck_pages import FACTCHECK_KIND, store_claim_reviews
from collector.pages import PageProcessors
from waakhond.context import AppContext

if TYPE_CHECKING:
    from classifier.encoder import Encoder
    from waakhond.service import StepContext

log = logging.getLogger(__name__)
_encoders: dict[str, Encoder] = {}
_encoder_lock = threading.Lock()


def with_claim_review_processor(processors: PageProcessors) -> PageProcessors:
    """Add the ClaimReview extraction for pages of ``factcheck`` sources."""
    processors.register(FACTCHECK_KIND, store_claim_reviews, name="claim_reviews")
    return processors


def shared_encoder(app: AppContext) -> Encoder:
    """The classifier's encoder for this process, loaded on first use."""
    from classifier.encoder import Encoder
    from classifier.score import ensure_base_model

    folder = ensure_base_model(app.settings)
    key = str(folder.resolve())
    with _encoder_lock:
        if key not in _encoders:
            _encoders[key] = Encoder.from_folder(folder, app.settings.classifier)
        return _encoders[key]


def match_step(context: StepContext) -> MatchReport:
    """The service's claim-matching step (synchronous: it runs on a worker thread)."""
    app = context.app
    encoder = shared_encoder(app)
    matcher = load_matcher(app.settings.classifier, app.settings.model_dir, encoder.fingerprint)
    report = run_matching(app.sessions, encoder, app.settings.classifier, matcher,
                          should_stop=context.stopping.is_set)
    if report.items_matched or report.new_claims_matched or report.claims_encoded:
        log.info("claims matched", extra={"step": "match", **report.__dict__})
    return report

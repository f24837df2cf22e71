"""The one way a process builds its ``Collector``: the project's settings and sessions, the
default page processors plus the ClaimReview extraction for ``factcheck`` sources.

Used by the embedded service, each Celery worker and ``waakhond collect --once``.
"""

from __future__ import annotations

from collector import FACTCHECK_KIND, Collector, PageProcessors, default_page_processors, store_claim_reviews
from waakhond.context import AppContext


def with_claim_review_processor(processors: PageProcessors) -> PageProcessors:
    """Add the ClaimReview extraction for pages of ``factcheck`` sources."""
    processors.register(FACTCHECK_KIND, store_claim_reviews, name="claim_reviews")
    return processors


def build_collector(app: AppContext, owner: str | None = None) -> Collector:
    """The collector of this process (``owner``: its lease owner id; None lets it choose)."""
    return Collector(
        app.settings.collector, app.sessions, app.read_sessions,
        page_processors=with_claim_review_processor(default_page_processors()), owner=owner,
    )

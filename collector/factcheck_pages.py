"""The page processor for sources of kind ``factcheck``: ClaimReviews of a fetched article page
become ``fact_checks`` rows, in the transaction that stores the item.

    html of a new entry's page -> collector.claimreview.scan_page (several reviews, broken
                                  JSON-LD skipped, else the headline with rating unknown)
                               -> storage.repositories.factchecks.upsert_fact_checks(origin="collected",
                                  source_id, item_id): a refetch changes nothing

Registered by the wiring (``waakhond``) with ``PageProcessors.register("factcheck", ...)``.
The new rows have no vector and ``matched_at`` empty: the next matching run encodes them and
matches them against recent items.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from collector.claimreview import scan_page
from storage.repositories import UpsertCounts, upsert_fact_checks
from storage.schema import Item, Source

FACTCHECK_KIND = "factcheck"
log = logging.getLogger(__name__)


def store_claim_reviews(session: Session, item: Item, html: str) -> UpsertCounts:
    """Page processor: store the page's ClaimReviews (or its headline) as fact-checks."""
    page_url = item.url or item.canonical_url
    if not page_url:
        return UpsertCounts()
    source = session.get(Source, item.source_id)
    scan = scan_page(html, page_url, publisher=source.name if source is not None else None)
    for problem in scan.problems:
        log.info("fact-check page: %s", problem, extra={"item_id": item.id, "url": page_url})
    return upsert_fact_checks(
        session, scan.fact_checks, origin="collected", source_id=item.source_id, item_id=item.id
    )

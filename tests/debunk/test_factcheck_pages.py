"""The page processor for fact-check sources: a fetched page becomes fact-checks, once."""

from __future__ import annotations

from pathlib import Path

import storage
from collector.factcheck_pages import FACTCHECK_KIND, store_claim_reviews
from collector.pages import PageProcessors
from storage.repositories import factchecks
from storage.schema import FactCheck, Item, Source

PAGES = Path(__file__).parent / "pages"


def _fact_check_item(s, url: str, source_name: str = "Knack Factcheck") -> Item:
    source = Source(url=f"https://{url.split('/')[2]}/feed/", name=source_name, kind=FACTCHECK_KIND)
    s.add(source)
    s.flush()
    item = Item(source_id=source.id, entry_key=url, url=url, title="Factcheck", content_hash="x" * 64)
    s.add(item)
    s.flush()
    return item


def test_a_page_with_several_reviews_becomes_fact_checks_once(db):
    html = (PAGES / "several_claimreviews.html").read_text(encoding="utf-8")
    with storage.transaction(db.sessions) as s:
        item = _fact_check_item(s, "https://www.knack.be/factcheck/digitale-euro/")
        assert store_claim_reviews(s, item, html).created == 3
        assert store_claim_reviews(s, item, html).unchanged == 3
        item_id, source_id = item.id, item.source_id
    with db.read_sessions() as s:
        rows = s.query(FactCheck).all()
        assert {(r.item_id, r.source_id, r.origin) for r in rows} == {(item_id, source_id, "collected")}
        assert all(r.vector is None and r.matched_at is None for r in rows)


def test_through_the_collectors_page_processors_a_page_without_reviews_keeps_its_headline(db):
    processors = PageProcessors()
    processors.register(FACTCHECK_KIND, store_claim_reviews)
    html = (PAGES / "no_claimreview.html").read_text(encoding="utf-8")
    with storage.transaction(db.sessions) as s:
        item = _fact_check_item(s, "https://www.nu.nl/nucheckt/1/huurtoeslag.html", "NU.nl NUcheckt")
        assert processors.run(s, FACTCHECK_KIND, item, html) == []
        assert processors.run(s, "feed", item, html) == []
    with db.read_sessions() as s:
        [row] = factchecks.list_fact_checks(s)
        assert (row.claim_reviewed, row.rating, row.publisher) == (
            "NUcheckt: Nee, de huurtoeslag wordt niet afgeschaft", "unknown", "NU.nl NUcheckt")

"""The service's wiring: the ClaimReview page processor and the claim-matching step."""

from __future__ import annotations

import threading

import storage
from classifier.settings import ClassifierSettings
from collector.pages import PageProcessors
from storage.repositories import claim_matches, factchecks
from storage.repositories.factchecks import FactCheckSpec
from storage.schema import utcnow
from tests.debunk import rows
from waakhond.context import AppContext
from waakhond.pipeline import StepContext, with_claim_review_processor
from waakhond.pipeline.match import match_step
from waakhond.settings import Settings

CLAIM = "De regering wil alle boeren hun land afnemen voor woningen."


def test_fact_check_pages_get_the_claim_review_processor():
    processors = with_claim_review_processor(PageProcessors())
    assert [name for name, _ in processors.for_kind("factcheck")] == ["claim_reviews"]
    assert processors.for_kind("feed") == []


def test_the_match_step_matches_what_classification_left(db, tiny_folder, tiny_settings, tmp_path):
    classifier = ClassifierSettings(**{**tiny_settings.model_dump(), "base_model_path": tiny_folder,
                                       "match_threshold": 0.9999, "match_support_min_score": 0.0})
    app = AppContext(Settings(database_url=db.url, data_dir=tmp_path, classifier=classifier))
    with storage.transaction(db.sessions) as s:
        check, _ = factchecks.upsert_fact_check(s, FactCheckSpec(
            url="https://nieuwscheckers.nl/x", claim_reviewed=CLAIM, publisher="Nieuwscheckers",
            rating="false", published_at=utcnow()))
        item = rows.item(s, rows.source(s), "Boeren", f"Dit wordt veel gedeeld vandaag. {CLAIM}")
        rows.classification(s, item, rows.model_version(s))
        check_id, item_id = check.id, item.id
    context = StepContext(app, "test-worker", collector=None, stopping=threading.Event(), async_stopping=None)
    report = match_step(context)
    assert (report.items_matched, report.items_raised) == (1, 1)
    with db.read_sessions() as s:
        assert [m.fact_check_id for m in claim_matches.matches_for_item(s, item_id)] == [check_id]
    # Asked to stop: the step returns without touching what is left.
    with storage.transaction(db.sessions) as s:
        rows.classification(s, rows.item(s, rows.source(s, "https://b.org/f"), "Nog een", CLAIM),
                            rows.model_version(s, "other"))
    context.stopping.set()
    assert match_step(context).items_matched == 0

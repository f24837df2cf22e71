"""With the real multilingual e5 encoder: a Dutch sentence finds the English (and French,
German) fact-check that debunks the same claim, among fact-checks on the same topics."""

from __future__ import annotations

from datetime import timedelta

import pytest

import storage
from classifier.matching import load_matcher, run_matching
from classifier.settings import ClassifierSettings
from storage.repositories import claim_matches, factchecks
from storage.repositories.factchecks import FactCheckSpec
from storage.schema import utcnow
from tests.conftest import REPO_ROOT
from tests.debunk import rows

pytestmark = pytest.mark.real_encoder

# Same topics, different claims: the matcher has to find the one that is paraphrased.
CLAIMS = {
    "cash": ("en", "The Dutch government is going to abolish cash payments and only allow the digital euro."),
    "nitrogen": ("en", "Farmers are being forced off their land so the government can build houses for migrants."),
    "ballots": ("fr", "Les bulletins de vote ont été détruits en secret après les élections pour cacher la fraude."),
    "euro_bank": ("en", "The European Central Bank will track every purchase you make with the digital euro."),
    "heating": ("de", "Ab 2026 müssen alle Hausbesitzer ihre Gasheizung sofort ausbauen."),
    "rent": ("en", "Rent allowance will be scrapped for everyone under 30 next year."),
}
# Dutch item sentences, each a paraphrase of one claim above.
ITEMS = {
    "cash": "Het kabinet gaat contant geld afschaffen, straks mag je alleen nog met de digitale euro betalen.",
    "ballots": "Na de verkiezingen zijn de stembiljetten stiekem vernietigd om fraude te verdoezelen.",
    "nitrogen": "Boeren worden van hun grond verdreven zodat de overheid er woningen voor migranten kan bouwen.",
}


NEWS = "De gemeente opent volgende week een nieuw zwembad aan de rand van de stad."


def _world(db):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        checks = {}
        for key, (language, claim) in CLAIMS.items():
            row, _ = factchecks.upsert_fact_check(s, FactCheckSpec(
                url=f"https://factcheck.example.org/{key}", claim_reviewed=claim, publisher="Voorbeeld",
                rating="false", language=language, published_at=utcnow() - timedelta(days=20)))
            checks[key] = row.id
        items = {}
        for key, sentence in ITEMS.items():
            item = rows.item(s, rows.source(s, f"https://example.org/{key}.xml"), "Bericht op sociale media",
                             f"Dit bericht wordt veel gedeeld. {sentence} Deel het voordat het verdwijnt!")
            rows.classification(s, item, version)
            items[key] = item.id
        news = rows.item(s, rows.source(s, "https://example.org/news.xml"), "Nieuws uit de stad", NEWS)
        rows.classification(s, news, version)
    return checks, items, news.id


def test_a_dutch_sentence_gets_the_foreign_fact_check_as_its_top_match(db, real_encoder):
    checks, items, _ = _world(db)
    # Every candidate kept: this test is about the ranking of both stages.
    settings = ClassifierSettings(match_top_k=3, match_score_threshold=0.0)
    run_matching(db.sessions, real_encoder, settings, load_matcher(settings, REPO_ROOT / "models", real_encoder.fingerprint))
    with db.read_sessions() as s:
        for key, item_id in items.items():
            top = claim_matches.matches_for_item(s, item_id)[0]
            assert top.fact_check_id == checks[key], (key, top.claim)
            assert top.sentence == ITEMS[key]


def test_at_the_shipped_threshold_only_right_fact_checks_are_stored_and_plain_news_gets_none(db, real_encoder):
    """The threshold is chosen for precision: what is stored is right (recall is the bench's:
    here the French ballots claim scores 0.74, under the shipped 0.82, and is not stored)."""
    checks, items, news_id = _world(db)
    settings = ClassifierSettings(match_top_k=3)
    matcher = load_matcher(settings, REPO_ROOT / "models", real_encoder.fingerprint)
    run_matching(db.sessions, real_encoder, settings, matcher)
    with db.read_sessions() as s:
        stored = {key: claim_matches.matches_for_item(s, item_id) for key, item_id in items.items()}
        assert claim_matches.matches_for_item(s, news_id) == []
    assert all([m.fact_check_id for m in found] in ([], [checks[key]]) for key, found in stored.items()), stored
    assert all(m.score >= matcher.threshold and m.debunk is False for found in stored.values() for m in found)
    assert sum(bool(found) for found in stored.values()) >= 2

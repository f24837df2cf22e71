"""The matching step against a database, with the tiny random encoder: a sentence identical
to a claim has cosine 1.0, so the tests choose exactly which pairs match."""

from __future__ import annotations

from datetime import timedelta

import storage
from classifier.matching import load_matcher, refresh_claim_signals
from classifier.matching.run import match_text, run_matching
from classifier.settings import ClassifierSettings
from storage.repositories import claim_matches, factchecks
from storage.repositories.claim_matches import ItemText
from storage.repositories.factchecks import FactCheckSpec
from storage.schema import Classification, FactCheck, ItemEmbedding, ItemSentence, utcnow
from tests.debunk import rows

# Identical text embeds identically; different texts of the tiny random model stay below this.
IDENTICAL = 0.9999
CLAIM = "De regering wil alle boeren hun land afnemen voor woningen."
OTHER_CLAIM = "Het kabinet verbiedt contant geld vanaf volgend jaar."
# The rows here carry a classifier score of 0.1; the support floor has its own test below.
SETTINGS = ClassifierSettings(match_window_days=730, match_recent_item_days=30, match_top_k=3,
                              match_support_min_score=0.0, match_threshold=IDENTICAL)
# The tiny encoder has no stage-two model: single-stage matching, a cosine threshold.
MATCHER = load_matcher(SETTINGS, model_dir=None)


def _fact_check(s, claim: str, *, rating: str = "false", age_days: int = 10, url: str | None = None) -> int:
    row, _ = factchecks.upsert_fact_check(s, FactCheckSpec(
        url=url or f"https://nieuwscheckers.nl/{abs(hash((claim, age_days)))}", claim_reviewed=claim,
        publisher="Nieuwscheckers", rating=rating, published_at=utcnow() - timedelta(days=age_days),
    ))
    return row.id


def _classified_item(s, version, title: str, body: str, *, age_days: int = 0, matched: bool = False) -> int:
    item = rows.item(s, rows.source(s, f"https://example.org/{title[:10]}{age_days}.xml"), title, body,
                     age=timedelta(days=age_days))
    rows.classification(s, item, version, matched_at=utcnow() if matched else None)
    return item.id


def _state(db, item_id):
    with db.read_sessions() as s:
        c = s.query(Classification).filter_by(item_id=item_id).one()
        return c.flagged, list(c.flag_reasons), c.matched_at is not None, claim_matches.matches_for_item(s, item_id)


def test_an_item_sentence_matching_a_false_claim_is_stored_and_raises_the_signal(db, tiny_encoder):
    body = f"Dit gaat rond op sociale media. {CLAIM} Volgens de minister klopt dat niet."
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        fc = _fact_check(s, CLAIM)
        other = _fact_check(s, OTHER_CLAIM)
        item_id = _classified_item(s, version, "Boze boeren", body)
        unrelated = _classified_item(s, version, "Weerbericht", "Morgen wordt het zonnig en warm in het hele land.")
    settings = SETTINGS
    report = run_matching(db.sessions, tiny_encoder, settings, MATCHER)
    assert (report.claims_encoded, report.items_matched, report.items_with_matches, report.items_raised) == (2, 2, 1, 1)
    flagged, reasons, matched, matches = _state(db, item_id)
    assert (flagged, reasons, matched) == (True, ["claim_match"], True)
    [match] = matches
    assert match.fact_check_id == fc and match.fact_check_id != other
    assert match.sentence == CLAIM
    text = match_text(ItemText(item_id, "Boze boeren", "", body, "nl"))
    assert text[match.sentence_start : match.sentence_end] == CLAIM
    assert _state(db, unrelated)[:3] == (False, [], True)
    with db.read_sessions() as s:
        assert all(f.matched_at is not None and f.encoder == tiny_encoder.fingerprint for f in s.query(FactCheck))
    # Nothing left to do: a second run matches nothing and encodes nothing.
    again = run_matching(db.sessions, tiny_encoder, settings, MATCHER)
    assert (again.claims_encoded, again.items_matched, again.new_claims_matched) == (0, 0, 0)


def test_a_match_raises_the_flag_only_with_the_classifiers_support(db, tiny_encoder):
    """The match says which claim is meant; with a classifier score under
    ``match_support_min_score`` it is kept and shown but raises no flag."""
    settings = SETTINGS.model_copy(update={"match_support_min_score": 0.5})
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        _fact_check(s, CLAIM)
        reported = _classified_item(s, version, "Bericht", f"Iemand schreef dit gisteren. {CLAIM}")
    report = run_matching(db.sessions, tiny_encoder, settings, MATCHER)
    flagged, reasons, _, matches = _state(db, reported)
    assert (report.items_with_matches, report.items_raised) == (1, 0)
    assert (flagged, reasons, len(matches)) == (False, [], 1)


def test_a_debunk_article_quoting_the_claim_is_linked_as_a_debunk_and_not_flagged(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        fc = _fact_check(s, CLAIM)
        debunk = _classified_item(s, version, "Factcheck: nee, dat klopt niet", f"Dit gaat rond. {CLAIM}")
        spreading = _classified_item(s, version, "Deel dit", f"Dit gaat rond. {CLAIM}")
    report = run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    assert (report.items_with_matches, report.items_raised) == (2, 1)
    flagged, reasons, _, [match] = _state(db, debunk)
    assert (flagged, reasons, match.fact_check_id, match.debunk, match.debunk_cue) == (False, [], fc, True, "factcheck")
    flagged, reasons, _, [match] = _state(db, spreading)
    assert (flagged, reasons, match.debunk) == (True, ["claim_match"], False)
    with db.read_sessions() as s:
        parts = {c.item_id: c.signal_parts for c in s.query(Classification)}
    assert parts[debunk]["claim_match"]["debunk"] is True and parts[debunk]["flagged_by"] == []
    assert parts[spreading]["flagged_by"] == ["claim_match"]
    assert parts[spreading]["claim_match"]["fact_check_id"] == fc


def test_a_debunk_article_the_classifier_flagged_is_held_back_until_the_debunk_is_gone(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        fc = _fact_check(s, CLAIM)
        item = rows.item(s, rows.source(s, "https://example.org/checks.xml"), "Factcheck: nee, dat klopt niet",
                         f"Dit gaat rond. {CLAIM}")
        row = rows.classification(s, item, version, flagged=True)
        row.signal_parts = {"rule": "parts-v1", "flagged_by": ["head"], "head": {"score": 0.9, "threshold": 0.4}}
        debunk = item.id
    run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    flagged, reasons, _, [match] = _state(db, debunk)
    assert (flagged, reasons, match.debunk) == (False, [], True)
    with db.read_sessions() as s:
        parts = s.query(Classification).filter_by(item_id=debunk).one().signal_parts
    assert parts["held_back_by"] == ["claim_match"] and parts["flagged_by"] == []
    assert parts["flagged_by_before_hold"] == ["head"] and parts["claim_match"]["fact_check_id"] == fc
    with storage.transaction(db.sessions) as s:  # the fact-check is withdrawn: the flag comes back
        refresh_claim_signals(s, factchecks.remove_fact_check(s, fc, "cli:test"), IDENTICAL, 0.0)
    assert _state(db, debunk)[:2] == (True, ["classifier"])
    with db.read_sessions() as s:
        parts = s.query(Classification).filter_by(item_id=debunk).one().signal_parts
    assert parts == {"rule": "parts-v1", "flagged_by": ["head"], "head": {"score": 0.9, "threshold": 0.4}}


def test_a_match_with_a_true_claim_is_kept_but_raises_nothing(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        _fact_check(s, CLAIM, rating="true")
        item_id = _classified_item(s, version, "Boeren", f"Iemand schreef dit gisteren. {CLAIM}")
    run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    flagged, reasons, _, matches = _state(db, item_id)
    assert (flagged, reasons, [m.rating for m in matches]) == (False, [], ["true"])


def test_only_fact_checks_inside_the_time_window_are_considered(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        _fact_check(s, CLAIM, age_days=SETTINGS.match_window_days + 30)
        item_id = _classified_item(s, version, "Boeren", f"Iemand schreef dit gisteren. {CLAIM}")
    report = run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    assert report.claims_in_window == 0
    assert _state(db, item_id)[3] == []
    wider = SETTINGS.model_copy(update={"match_window_days": SETTINGS.match_window_days + 60})
    with storage.transaction(db.sessions) as s:
        s.query(Classification).update({Classification.matched_at: None})
    run_matching(db.sessions, tiny_encoder, wider, MATCHER)
    assert len(_state(db, item_id)[3]) == 1


def test_a_new_fact_check_is_matched_against_recent_items(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        recent = _classified_item(s, version, "Recent", f"Gezien op X vandaag. {CLAIM}", age_days=2, matched=True)
        old = _classified_item(s, version, "Oud", f"Gezien op X vandaag. {CLAIM}", age_days=SETTINGS.match_recent_item_days + 5,
                               matched=True)
    with storage.transaction(db.sessions) as s:
        fc = _fact_check(s, CLAIM)
    report = run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    assert (report.new_claims_matched, report.recent_items_checked, report.items_matched) == (1, 1, 0)
    flagged, reasons, _, matches = _state(db, recent)
    assert (flagged, reasons, [m.fact_check_id for m in matches]) == (True, ["claim_match"], [fc])
    assert _state(db, old)[3] == []


def test_stored_sentence_vectors_are_reused_only_from_the_same_encoder(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        _fact_check(s, CLAIM)
        item_id = _classified_item(s, version, "Anders verwoord", "")
        # The classifier stored the sentence with a vector: here, on purpose, the claim's own.
        claim_vector = tiny_encoder.encode([CLAIM])[0].astype("<f4").tobytes()
        sentence = "Een heel andere zin, maar met de vector van de bewering."
        s.add(ItemSentence(item_id=item_id, position=0, char_start=0, char_end=len(sentence), text=sentence,
                           vector=claim_vector))
        s.add(ItemEmbedding(item_id=item_id, encoder=tiny_encoder.fingerprint, dim=len(claim_vector) // 4,
                            vector=claim_vector))
    run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    [match] = _state(db, item_id)[3]
    assert (match.sentence, match.sentence_start) == (sentence, 0)
    # Made by another encoder: the stored vector is ignored, the sentence is encoded again.
    with storage.transaction(db.sessions) as s:
        s.query(ItemEmbedding).update({ItemEmbedding.encoder: "another-encoder"})
        s.query(Classification).update({Classification.matched_at: None})
    run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    assert _state(db, item_id)[3] == []


def test_removing_the_debunk_lowers_the_signal(db, tiny_encoder):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        fc = _fact_check(s, CLAIM)
        item_id = _classified_item(s, version, "Boeren", f"Iemand schreef dit gisteren. {CLAIM}")
    run_matching(db.sessions, tiny_encoder, SETTINGS, MATCHER)
    assert _state(db, item_id)[0] is True
    with storage.transaction(db.sessions) as s:
        refresh_claim_signals(s, factchecks.remove_fact_check(s, fc, "cli:test"), IDENTICAL, 0.0)
    assert _state(db, item_id)[:2] == (False, [])


def test_match_text_joins_title_and_body_or_summary():
    assert match_text(ItemText(1, "Kop", "samenvatting", None, "nl")) == "Kop\n\nsamenvatting"
    assert match_text(ItemText(1, "Kop", "samenvatting", "Tekst.", "nl")) == "Kop\n\nTekst."
    assert match_text(ItemText(1, "", "samenvatting", None, "nl")) == "samenvatting"
    assert match_text(ItemText(1, "Kop", "", None, "nl")) == "Kop"

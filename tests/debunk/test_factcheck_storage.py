"""storage.repositories.factchecks and storage.repositories.claim_matches, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

import storage
from classifier.matching import refresh_claim_signals
from classifier.matching.run import store_merged_matches
from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import audit, claim_matches, factchecks
from storage.repositories.claim_matches import MatchRecord
from storage.repositories.factchecks import FactCheckSpec, NotPermitted
from storage.schema import ClaimMatch, Classification, FactCheck, User, utcnow
from tests.debunk import rows

SPEC = FactCheckSpec(
    url="https://nieuwscheckers.nl/stikstof/",
    claim_reviewed="Het kabinet wil boeren onteigenen met de stikstofregels.",
    publisher="Nieuwscheckers",
    rating="false",
    rating_text="Niet waar",
    published_at=datetime(2024, 3, 12, tzinfo=UTC),
    appearances=("https://x.com/a/status/1",),
)


def _user(session, role: str, name: str = "ana") -> User:
    user = User(username=name, password_hash="x", role=role)
    session.add(user)
    session.flush()
    return user


def test_reimport_is_idempotent_and_a_corrected_rating_is_updated(db):
    other = FactCheckSpec(url=SPEC.url, claim_reviewed="Een tweede bewering op dezelfde pagina.", publisher="N")
    with storage.transaction(db.sessions) as s:
        first = factchecks.upsert_fact_checks(s, [SPEC, other])
    with storage.transaction(db.sessions) as s:
        again = factchecks.upsert_fact_checks(s, [SPEC, other])
        # Case and spacing do not make a new claim.
        _, outcome = factchecks.upsert_fact_check(s, FactCheckSpec(**{**SPEC.__dict__,
            "claim_reviewed": "  het KABINET wil boeren onteigenen met de   stikstofregels."}))
    assert (first.created, again.unchanged, outcome) == (2, 2, "unchanged")
    with storage.transaction(db.sessions) as s:
        _, outcome = factchecks.upsert_fact_check(s, FactCheckSpec(**{**SPEC.__dict__, "rating": "mostly_false",
                                                                     "rating_text": "Grotendeels onwaar"}))
        assert outcome == "updated"
    with db.read_sessions() as s:
        assert factchecks.count_fact_checks(s) == 2
        [row] = factchecks.list_fact_checks(s, rating="mostly_false")
        assert (row.rating_text, row.appearances) == ("Grotendeels onwaar", ["https://x.com/a/status/1"])


def test_invalid_specs_are_refused(db):
    with storage.transaction(db.sessions) as s:
        for bad in (
            FactCheckSpec(url="ftp://x.org/a", claim_reviewed="c", publisher="p"),
            FactCheckSpec(url="https://x.org/a", claim_reviewed="  ", publisher="p"),
            FactCheckSpec(url="https://x.org/a", claim_reviewed="c", publisher="p", rating="pants"),
            FactCheckSpec(url="https://x.org/a", claim_reviewed="c", publisher="p", published_at=datetime(2024, 1, 1)),
        ):
            with pytest.raises(InvalidInput):
                factchecks.upsert_fact_check(s, bad)


def test_manual_add_records_who_and_when(db):
    with storage.transaction(db.sessions) as s:
        analyst = _user(s, "analyst")
        row = factchecks.add_manual_factcheck(
            s, analyst, url="https://www.rijksoverheid.nl/x", claim="De digitale euro vervangt contant geld.",
            rating="false", publisher="Eigen analyse", rating_text="Onwaar",
        )
        fact_check_id = row.id
    with db.read_sessions() as s:
        stored = factchecks.get_fact_check(s, fact_check_id)
        assert (stored.origin, stored.created_by, stored.rating) == ("manual", "ana", "false")
        [entry] = audit.entries(s, object_type="fact_check", object_id=fact_check_id)
        assert (entry.actor, entry.action, entry.details["rating"]) == ("ana", "factcheck.add", "false")
    with storage.transaction(db.sessions) as s:
        analyst = s.query(User).filter_by(username="ana").one()
        with pytest.raises(AlreadyExists):
            factchecks.add_manual_factcheck(
                s, analyst, url="https://www.rijksoverheid.nl/x", claim="de digitale euro vervangt contant geld.",
                rating="false", publisher="Eigen analyse",
            )


def test_viewers_may_not_add_debunks(db):
    with storage.transaction(db.sessions) as s:
        viewer = _user(s, "viewer", "kijker")
        with pytest.raises(NotPermitted):
            factchecks.add_manual_factcheck(s, viewer, url="https://a.nl/", claim="c", rating="false", publisher="p")


def test_list_search_show_remove(db):
    with storage.transaction(db.sessions) as s:
        factchecks.upsert_fact_checks(s, [SPEC, FactCheckSpec(
            url="https://factcheck.vlaanderen/x", claim_reviewed="Stembiljetten worden vernietigd.",
            publisher="Factcheck Vlaanderen", rating="false", published_at=datetime(2023, 1, 1, tzinfo=UTC))])
    with db.read_sessions() as s:
        assert [f.publisher for f in factchecks.list_fact_checks(s)] == ["Nieuwscheckers", "Factcheck Vlaanderen"]
        assert [f.publisher for f in factchecks.list_fact_checks(s, search="STEMBILJET")] == ["Factcheck Vlaanderen"]
        assert factchecks.list_fact_checks(s, since=datetime(2024, 1, 1, tzinfo=UTC))[0].publisher == "Nieuwscheckers"
        with pytest.raises(InvalidInput):
            factchecks.list_fact_checks(s, rating="nonsense")
        with pytest.raises(NotFound):
            factchecks.get_fact_check(s, 999)
    with storage.transaction(db.sessions) as s:
        target = factchecks.list_fact_checks(s, search="stembiljet")[0].id
        assert factchecks.remove_fact_check(s, target, "cli:test") == []
    with db.read_sessions() as s:
        assert factchecks.count_fact_checks(s) == 1
        assert audit.entries(s, action="factcheck.remove")[0].object_id == str(target)


def test_claim_vectors_window_and_encoder(db):
    vector = np.ones(4, dtype="<f4").tobytes()
    with storage.transaction(db.sessions) as s:
        old = FactCheckSpec(**{**SPEC.__dict__, "url": "https://a.nl/old", "published_at": utcnow() - timedelta(days=900)})
        new = FactCheckSpec(**{**SPEC.__dict__, "url": "https://a.nl/new", "published_at": utcnow() - timedelta(days=3)})
        factchecks.upsert_fact_checks(s, [old, new])
        assert len(factchecks.fact_checks_needing_vectors(s, "enc-1")) == 2
        ids = [f.id for f in factchecks.fact_checks_needing_vectors(s, "enc-1")]
        factchecks.store_claim_vectors(s, [(i, vector) for i in ids], "enc-1")
        assert factchecks.fact_checks_needing_vectors(s, "enc-1") == []
        assert len(factchecks.fact_checks_needing_vectors(s, "enc-2")) == 2
    with db.read_sessions() as s:
        since = utcnow() - timedelta(days=730)
        [inside] = factchecks.claim_vectors_since(s, since, "enc-1")
        assert s.get(FactCheck, inside.fact_check_id).url == "https://a.nl/new"
        assert factchecks.claim_vectors_since(s, since, "enc-2") == []
        assert [r.fact_check_id for r in factchecks.unmatched_fact_checks(s, since, "enc-1")] == [inside.fact_check_id]
    with storage.transaction(db.sessions) as s:
        factchecks.mark_fact_checks_matched(s, [inside.fact_check_id])
    with db.read_sessions() as s:
        assert factchecks.unmatched_fact_checks(s, since, "enc-1") == []


def _matched_world(s):
    src = rows.source(s)
    version = rows.model_version(s)
    plain = rows.item(s, src, "Boeren worden onteigend")
    flagged_by_classifier = rows.item(s, src, "Stikstof is een verzinsel")
    rows.classification(s, plain, version)
    rows.classification(s, flagged_by_classifier, version, flagged=True)
    false_check, _ = factchecks.upsert_fact_check(s, SPEC)
    true_check, _ = factchecks.upsert_fact_check(s, FactCheckSpec(
        url="https://a.nl/waar", claim_reviewed="Boeren krijgen een uitkoopregeling.", publisher="p", rating="true"))
    return plain, flagged_by_classifier, false_check, true_check


def test_combined_signal_adds_and_removes_only_its_own_reason(db):
    threshold = 0.8
    with storage.transaction(db.sessions) as s:
        plain, by_classifier, false_check, true_check = _matched_world(s)
        ids = (plain.id, by_classifier.id, false_check.id, true_check.id)
        claim_matches.replace_item_matches(
            s, plain.id, [MatchRecord(false_check.id, 0.91, "Boeren worden onteigend", 0, 23, score=0.91)])
        claim_matches.replace_item_matches(s, by_classifier.id, [MatchRecord(false_check.id, 0.85, score=0.85)])
        assert refresh_claim_signals(s, [plain.id, by_classifier.id], threshold, 0.0) == 2
    plain_id, classifier_id, false_id, true_id = ids

    def state(item_id):
        with db.read_sessions() as s:
            row = s.query(Classification).filter_by(item_id=item_id).one()
            return row.flagged, list(row.flag_reasons)

    assert state(plain_id) == (True, ["claim_match"])
    assert state(classifier_id) == (True, ["classifier", "claim_match"])
    # A stronger threshold: the weaker match no longer raises the signal; the classifier's stays.
    with storage.transaction(db.sessions) as s:
        refresh_claim_signals(s, [plain_id, classifier_id], 0.9, 0.0)
    assert state(classifier_id) == (True, ["classifier"])
    assert state(plain_id) == (True, ["claim_match"])
    # Removing the debunk takes the match and its reason away.
    with storage.transaction(db.sessions) as s:
        affected = factchecks.remove_fact_check(s, false_id, "cli:test")
        refresh_claim_signals(s, affected, threshold, 0.0)
    assert affected == [plain_id, classifier_id]
    assert state(plain_id) == (False, [])
    # A match with a claim rated true is stored and shown, but raises nothing.
    with storage.transaction(db.sessions) as s:
        claim_matches.replace_item_matches(s, plain_id, [MatchRecord(true_id, 0.99, score=0.99)])
        refresh_claim_signals(s, [plain_id], threshold, 0.0)
    assert state(plain_id) == (False, [])
    with db.read_sessions() as s:
        [view] = claim_matches.matches_for_item(s, plain_id)
        assert (view.fact_check_id, view.rating, view.score) == (true_id, "true", 0.99)


def test_the_claim_match_part_is_written_beside_the_classifiers_parts(db):
    """Only ``claim_match`` and its entry in ``flagged_by`` change; the other parts are kept."""
    with storage.transaction(db.sessions) as s:
        plain, _, false_check, _ = _matched_world(s)
        row = s.query(Classification).filter_by(item_id=plain.id).one()
        row.signal_parts = {"rule": "parts-v1", "flagged_by": ["head"], "head": {"score": 0.7, "threshold": 0.5}}
        claim_matches.replace_item_matches(
            s, plain.id, [MatchRecord(false_check.id, 0.93, "Boeren worden onteigend", score=0.97)])
        refresh_claim_signals(s, [plain.id], 0.8, 0.0)
        item_id, check_id = plain.id, false_check.id
    with db.read_sessions() as s:
        parts = s.query(Classification).filter_by(item_id=item_id).one().signal_parts
    assert parts["head"] == {"score": 0.7, "threshold": 0.5} and parts["rule"] == "parts-v1"
    assert parts["flagged_by"] == ["head", "claim_match"]
    assert {k: parts["claim_match"][k] for k in ("score", "threshold", "fact_check_id", "debunk")} == {
        "score": 0.97, "threshold": 0.8, "fact_check_id": check_id, "debunk": False}
    # The match gone: the part and its flag go, the classifier's parts stay.
    with storage.transaction(db.sessions) as s:
        claim_matches.replace_item_matches(s, item_id, [])
        refresh_claim_signals(s, [item_id], 0.8, 0.0)
    with db.read_sessions() as s:
        parts = s.query(Classification).filter_by(item_id=item_id).one().signal_parts
    assert "claim_match" not in parts and parts["flagged_by"] == ["head"] and "head" in parts


def test_merge_keeps_the_top_k_strongest(db):
    with storage.transaction(db.sessions) as s:
        plain, _, false_check, true_check = _matched_world(s)
        third, _ = factchecks.upsert_fact_check(s, FactCheckSpec(url="https://a.nl/3", claim_reviewed="c3", publisher="p"))
        claim_matches.replace_item_matches(s, plain.id, [MatchRecord(false_check.id, 0.80), MatchRecord(true_check.id, 0.70)])
        store_merged_matches(s, plain.id, [MatchRecord(third.id, 0.90), MatchRecord(false_check.id, 0.82)], top_k=2)
        kept = {(m.fact_check_id, round(m.similarity, 2)) for m in s.query(ClaimMatch).filter_by(item_id=plain.id)}
        assert kept == {(third.id, 0.90), (false_check.id, 0.82)}


def test_what_needs_matching(db):
    with storage.transaction(db.sessions) as s:
        src, version = rows.source(s), rows.model_version(s)
        new = rows.item(s, src, "nieuw")
        done = rows.item(s, src, "al gedaan")
        old_done = rows.item(s, src, "oud", age=timedelta(days=90))
        unclassified = rows.item(s, src, "nog niet geclassificeerd")
        rows.classification(s, new, version)
        rows.classification(s, done, version, matched_at=utcnow())
        rows.classification(s, old_done, version, matched_at=utcnow())
        ids = new.id, done.id, unclassified.id
    new_id, done_id, unclassified_id = ids
    with db.read_sessions() as s:
        assert claim_matches.items_needing_match(s) == [new_id]
        assert claim_matches.recent_matched_item_ids(s, utcnow() - timedelta(days=30)) == [done_id]
    with storage.transaction(db.sessions) as s:
        claim_matches.mark_items_matched(s, [new_id])
    with db.read_sessions() as s:
        assert claim_matches.items_needing_match(s) == []
        assert unclassified_id not in claim_matches.recent_matched_item_ids(s, utcnow() - timedelta(days=30))

"""Reading the signal's parts: the contract's shape, old rows, missing parts, wrong types; and
each item's parts from its latest classification, on SQLite and PostgreSQL."""

from __future__ import annotations

import storage
from storage.read_models.signal_parts import latest_signal_parts, read_signal_parts
from storage.schema import Item, ModelVersion, Source
from tests.support.signal_parts import CLAIM, NARRATIVE_NAME, classify, contract_parts


def test_the_contract_is_read_part_by_part_in_the_order_a_reader_asks():
    view = read_signal_parts(contract_parts())
    assert view.rule == "parts-v1" and view.flagged_by == ("head", "narrative") and view.missing == ()
    assert [p.name for p in view.parts] == ["checkworthy", "claim_match", "narrative", "head", "topic"]
    head = view.part("head")
    assert (head.score, head.threshold, head.raised_flag, head.above_threshold, head.version) == (
        0.81, 0.55, True, True, "nl-disinfo-test")
    narrative = view.part("narrative")
    assert (narrative.narrative, narrative.similarity, narrative.raised_flag) == (NARRATIVE_NAME, 0.83, True)
    match = view.part("claim_match")
    assert (match.claim, match.rating, match.rating_normalised, match.fact_check_id, match.raised_flag) == (
        CLAIM, "Onwaar", "false", 12, False)
    topic = view.part("topic")
    assert (topic.topic_slug, topic.score, topic.threshold, topic.above_threshold) == ("stikstof", 0.52, None, None)


def test_old_rows_missing_parts_and_wrong_types_are_read_as_absent():
    assert read_signal_parts(None) is None
    assert read_signal_parts("parts-v1") is None
    view = read_signal_parts({"rule": "parts-v1"})
    assert view.parts == () and view.flagged_by is None
    assert view.missing == ("checkworthy", "claim_match", "narrative", "head")
    odd = read_signal_parts(contract_parts(
        flagged_by=("head", "tone"), claim_match=None, checkworthy="high",
        head={"score": 1.7, "threshold": True, "version": 3},
        narrative={"score": float("nan"), "threshold": 0.6, "name": "  "},
    ))
    assert odd.flagged_by == ("head",) and odd.missing == ("checkworthy", "claim_match")
    head, narrative = odd.part("head"), odd.part("narrative")
    assert (head.score, head.threshold, head.version, head.above_threshold) == (None, None, None, None)
    assert (narrative.score, narrative.threshold, narrative.narrative) == (None, 0.6, None)
    assert read_signal_parts({"rule": "x", "flagged_by": "head"}).flagged_by is None
    hybrid = read_signal_parts({"rule": "parts-v1", "head": {"score": 0.6, "components": {
        "embedding": 0.7, "lexical": 0.4, "tone": 1.5, "": 0.2, "x": "high"}}})
    assert hybrid.part("head").components == (("embedding", 0.7), ("lexical", 0.4))
    assert read_signal_parts({"head": {"components": [0.7]}}).part("head").components == ()
    # the claim matcher's row for an item scored before the parts: the head raised the flag too
    matched = read_signal_parts({"rule": "parts-v1", "flagged_by": ["head", "claim_match"],
                                 "claim_match": {"score": 0.9, "threshold": 0.8}})
    assert [(p.name, p.score, p.raised_flag) for p in matched.parts] == [("claim_match", 0.9, True), ("head", None, True)]
    assert matched.missing == ("checkworthy", "narrative")


def test_latest_signal_parts_follow_the_latest_classification(db):
    with storage.transaction(db.sessions) as session:
        source = Source(url="https://p.example/rss", name="P")
        old = ModelVersion(name="old", base_model="e5", path="m/old", threshold=0.5, status="retired")
        new = ModelVersion(name="new", base_model="e5", path="m/new", threshold=0.5, status="active")
        session.add_all([source, old, new])
        session.flush()
        items = []
        for n in range(3):
            item = Item(source_id=source.id, entry_key=f"p{n}", guid=f"p{n}", title=f"t{n}", content_hash=f"h{n}")
            session.add(item)
            session.flush()
            items.append(item.id)
        classify(session, items[0], old.id, score=0.9, flagged=True, parts=None)
        classify(session, items[0], new.id, score=0.9, flagged=True, parts=contract_parts())
        classify(session, items[1], old.id, score=0.2, flagged=False, parts=None)
    with db.read_sessions() as session:
        found = latest_signal_parts(session, items)
        assert set(found) == {items[0], items[1]}  # the third was never scored
        assert found[items[0]].flagged_by == ("head", "narrative") and found[items[1]] is None
        assert latest_signal_parts(session, []) == {}

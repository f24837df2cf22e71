"""Rule parts-v1: the combined flag from the parts, and the signal_parts document (no I/O)."""

from __future__ import annotations

from classifier.scoring.signal_rule import (
    RULE_ID,
    CombinedFlag,
    ItemParts,
    NarrativeHit,
    RuleSettings,
    combine_parts,
    signal_parts_document,
)

NEAR = NarrativeHit("aow-leeftijd-naar-75", similarity=0.93, score=0.8)
FAR = NarrativeHit("aow-leeftijd-naar-75", similarity=0.85, score=0.1)


def parts(head: float = 0.7, *, checkworthy: float | None = 0.4, narrative: NarrativeHit | None = FAR,
          topic: str | None = "bestaanszekerheid") -> ItemParts:
    return ItemParts(head, 0.5, "nl-disinfo-real-v1", checkworthy, 0.28, "De AOW gaat naar 75.", narrative,
                     topic, 0.9 if topic else None)


def test_the_head_over_its_threshold_raises_the_flag_and_below_it_nothing_does() -> None:
    rule = RuleSettings(narrative_threshold=0.6)
    assert combine_parts(parts(0.7), rule) == CombinedFlag(True, ("head",), ("head",), ())
    assert combine_parts(parts(0.5), rule).flagged_by == ("head",)  # the threshold itself counts
    assert combine_parts(parts(0.49), rule) == CombinedFlag(False, (), (), ())


def test_resembling_a_known_narrative_raises_the_flag_only_with_some_support_from_the_head() -> None:
    rule = RuleSettings(narrative_threshold=0.6, narrative_support_min_score=0.15)
    assert combine_parts(parts(0.3, narrative=NEAR), rule).flagged_by == ("narrative",)
    assert combine_parts(parts(0.7, narrative=NEAR), rule).flagged_by == ("head", "narrative")
    assert not combine_parts(parts(0.1, narrative=NEAR), rule).flagged  # a debunk resembles its narrative too
    assert not combine_parts(parts(0.3, narrative=NEAR), RuleSettings(narrative_threshold=None)).flagged


def test_the_gates_hold_back_every_raised_part_and_say_which_gate_did() -> None:
    topic_gate = RuleSettings(require_topic=True, narrative_threshold=0.6)
    held = combine_parts(parts(0.9, narrative=NEAR, topic=None), topic_gate)
    assert held == CombinedFlag(False, (), ("head", "narrative"), ("topic",))
    assert combine_parts(parts(0.9, topic="wonen"), topic_gate).flagged
    cw_gate = RuleSettings(min_checkworthy=0.2)
    assert combine_parts(parts(0.9, checkworthy=0.1), cw_gate).held_back_by == ("checkworthy",)
    assert combine_parts(parts(0.9, checkworthy=0.2), cw_gate).flagged
    assert combine_parts(parts(0.9, checkworthy=None), cw_gate).flagged  # unknown check-worthiness passes
    assert combine_parts(parts(0.9, topic=None), RuleSettings()).flagged  # gates are off by default


def test_the_document_follows_the_contract() -> None:
    rule = RuleSettings(narrative_threshold=0.6)
    item = parts(0.71234567, narrative=NEAR)
    document = signal_parts_document(item, combine_parts(item, rule), rule)
    assert document == {
        "rule": RULE_ID,
        "flagged_by": ["head", "narrative"],
        "head": {"score": 0.7123, "threshold": 0.5, "version": "nl-disinfo-real-v1"},
        "checkworthy": {"score": 0.4, "threshold": 0.28, "sentence": "De AOW gaat naar 75."},
        "narrative": {"score": 0.8, "threshold": 0.6, "name": "aow-leeftijd-naar-75", "similarity": 0.93},
        "topic": {"slug": "bestaanszekerheid", "score": 0.9},
    }
    bare = ItemParts(0.2, 0.5, "v")
    assert signal_parts_document(bare, combine_parts(bare, RuleSettings()), RuleSettings()) == {
        "rule": RULE_ID, "flagged_by": [], "head": {"score": 0.2, "threshold": 0.5, "version": "v"},
    }
    hybrid = ItemParts(0.6, 0.5, "v", head_components=(("embedding", 0.712345), ("lexical", 0.4)))
    assert signal_parts_document(hybrid, combine_parts(hybrid, RuleSettings()), RuleSettings())["head"] == {
        "score": 0.6, "threshold": 0.5, "version": "v", "components": {"embedding": 0.7123, "lexical": 0.4}}
    gated = RuleSettings(require_topic=True)
    off_topic = parts(0.9, topic=None, narrative=None)
    assert signal_parts_document(off_topic, combine_parts(off_topic, gated), gated)["held_back_by"] == ["topic"]

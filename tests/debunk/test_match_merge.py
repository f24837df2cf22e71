"""The top-k merge of an item's claim matches, decided without a database."""

from __future__ import annotations

from classifier.matching.merge import kept_fact_checks, match_strength
from storage.repositories.claim_matches import MatchRecord


def test_the_stage_two_score_ranks_first_and_a_cosine_only_match_after_any_scored_one():
    assert match_strength(0.2, 0.99) == 0.2
    assert match_strength(None, 0.99) < match_strength(0.01, 0.10)


def test_old_and_new_matches_compete_for_the_top_k_and_a_new_match_replaces_the_old_one():
    existing = {1: (None, 0.80), 2: (None, 0.70)}
    new = [MatchRecord(3, 0.90), MatchRecord(1, 0.82)]
    assert kept_fact_checks(existing, new, top_k=2) == {3, 1}
    assert kept_fact_checks(existing, [MatchRecord(2, 0.10)], top_k=1) == {1}  # 2 weakened below 1


def test_ties_go_to_the_lower_fact_check_id_and_top_k_bounds_the_rest():
    assert kept_fact_checks({7: (0.5, 0.3), 4: (0.5, 0.9)}, [], top_k=1) == {4}
    assert kept_fact_checks({}, [MatchRecord(5, 0.4, score=0.6)], top_k=3) == {5}
    assert kept_fact_checks({1: (0.9, 0.9)}, [], top_k=0) == set()

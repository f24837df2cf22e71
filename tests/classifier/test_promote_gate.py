"""The promote gate's decision (pure). Its figures on real data are those of bench/signal_quality.py."""

from __future__ import annotations

from classifier.training.promote_gate import promote_decision

ACTIVE = {"criticism_flag_rate": 0.10, "roc_auc": 0.95, "precision": 0.9, "recall": 0.8}


def test_a_candidate_no_worse_on_criticism_and_ranking_may_be_promoted() -> None:
    decision = promote_decision({**ACTIVE, "criticism_flag_rate": 0.105, "roc_auc": 0.945}, ACTIVE)
    assert decision.allowed
    assert decision.message("new", "old").startswith("new may be promoted against old: criticism flagged 10.5% vs 10.0%")


def test_a_candidate_that_flags_more_criticism_or_ranks_worse_is_refused_with_the_reason() -> None:
    more_critics = promote_decision({**ACTIVE, "criticism_flag_rate": 0.2, "roc_auc": 0.99}, ACTIVE)
    assert not more_critics.allowed and "flags more legitimate criticism (20.0% vs 10.0%)" in more_critics.reasons
    worse = promote_decision({**ACTIVE, "roc_auc": 0.90}, ACTIVE)
    assert not worse.allowed and any("ROC-AUC 0.900 vs 0.950" in r for r in worse.reasons)
    assert promote_decision({**ACTIVE, "roc_auc": 0.90}, ACTIVE, tolerance=0.1).allowed


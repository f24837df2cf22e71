"""Before a disinformation candidate is promoted: the candidate and the active version on the
real-data bench (when ``../shared/data`` is there), and a pure decision.

    figures    each version scores the real rows of classifier/training/real_data (EUvsDisinfo, false-rated
               claims and seed narratives against FactRank / CheckThat! negatives) and the
               criticism test set, at its own threshold (``version_figures``)
    decision   refused when the candidate flags more legitimate criticism than the active version
               (beyond ``tolerance``), or ranks disinformation against real negatives worse
               (ROC-AUC lower by more than ``tolerance``); ``promote_decision`` is pure

Rows a version was trained on are not held out here (a version trained on ../shared/data looks
better on it); the criticism set is never trained on, which is why it decides first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A candidate may be this much worse on a figure before promotion is refused (noise of small sets).
DEFAULT_TOLERANCE = 0.01


@dataclass(frozen=True)
class PromoteDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)

    def message(self, candidate: str, active: str) -> str:
        verdict = "may be promoted" if self.allowed else "is refused"
        return f"{candidate} {verdict} against {active}: " + "; ".join(self.reasons)


def promote_decision(candidate: Mapping[str, float], active: Mapping[str, float],
                     tolerance: float = DEFAULT_TOLERANCE) -> PromoteDecision:
    """``candidate`` / ``active``: {"criticism_flag_rate", "roc_auc", "recall", "precision"}."""
    reasons, allowed = [], True
    crit_c, crit_a = candidate["criticism_flag_rate"], active["criticism_flag_rate"]
    if crit_c > crit_a + tolerance:
        allowed = False
        reasons.append(f"flags more legitimate criticism ({crit_c:.1%} vs {crit_a:.1%})")
    else:
        reasons.append(f"criticism flagged {crit_c:.1%} vs {crit_a:.1%}")
    auc_c, auc_a = candidate["roc_auc"], active["roc_auc"]
    if auc_c < auc_a - tolerance:
        allowed = False
        reasons.append(f"ranks disinformation against real negatives worse (ROC-AUC {auc_c:.3f} vs {auc_a:.3f})")
    else:
        reasons.append(f"ROC-AUC {auc_c:.3f} vs {auc_a:.3f}")
    reasons.append(f"precision {candidate['precision']:.2f} vs {active['precision']:.2f}, "
                   f"recall {candidate['recall']:.2f} vs {active['recall']:.2f}")
    return PromoteDecision(allowed, reasons)


def version_figures(version, embed, shared_data: Path) -> dict[str, Any]:
    """The decision's figures of a loaded version (fixed head, its own threshold)."""
    from classifier.training import real_data
    from classifier.training.signal_metrics import flag_rates_by_kind, source_report
    from classifier.training.signal_training import recipe_examples

    examples = recipe_examples("real", shared_data)
    criticism = real_data.criticism_items()
    texts, crit_texts = [e.text for e in examples], [c.text for c in criticism]
    probs = version.model.probabilities(embed(texts), texts)
    crit = version.model.probabilities(embed(crit_texts), crit_texts)
    t = version.model.threshold
    overall = source_report([e.origin for e in examples], [e.label for e in examples], probs, t,
                            real_negative_sources=real_data.REAL_NEGATIVE_SOURCES)["overall"]
    rates = flag_rates_by_kind([c.kind for c in criticism], crit >= t, real_data.CRITICISM_KINDS)
    return {"criticism_flag_rate": rates["criticism_all"]["flag_rate"], "roc_auc": overall["roc_auc"],
            "precision": overall["precision"], "recall": overall["recall"]}

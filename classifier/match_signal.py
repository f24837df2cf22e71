"""When a claim match raises the flag, and the ``claim_match`` part of the signal.

    raised = some stored match of the item
               is with a fact-check rated false or mostly_false,
               has a stage-two score at or over the threshold,
               is not a debunk (the item does not quote the claim to refute it), and
             the classifier gives the item at least ``match_support_min_score``
               (the match says which claim is meant, the score that the item carries it)

The part shown (``signal_parts["claim_match"]``) is the match that raised the flag, or else the
strongest stored match; an item without stored matches has no part. ``claim_signal`` is pure;
``refresh_claim_signals`` reads through ``storage.claim_matches``, decides, and lets storage
apply the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import claim_matches
from storage.claim_matches import MatchView

#: Ratings that debunk a claim: a strong match with one of them can raise the item's signal.
DEBUNKING_RATINGS = ("false", "mostly_false")


@dataclass(frozen=True)
class ClaimSignal:
    raised: bool
    part: dict | None


def _score(match: MatchView) -> float:
    return -1.0 if match.score is None else float(match.score)


def raises_flag(match: MatchView, threshold: float) -> bool:
    """Whether this match, on its own, speaks for the item spreading a debunked claim."""
    return match.rating in DEBUNKING_RATINGS and not match.debunk and match.score is not None \
        and match.score >= threshold


def claim_signal(matches: Sequence[MatchView], classifier_score: float, threshold: float,
                 support_min_score: float) -> ClaimSignal:
    """The decision for one classification row of an item with these stored matches."""
    if not matches:
        return ClaimSignal(False, None)
    spreading = [m for m in matches if raises_flag(m, threshold)]
    raised = bool(spreading) and classifier_score >= support_min_score
    shown = max(spreading or matches, key=lambda m: (_score(m), m.similarity, -m.fact_check_id))
    return ClaimSignal(raised, claim_part(shown, threshold))


def claim_part(match: MatchView, threshold: float) -> dict:
    """The ``claim_match`` part of the contract (docs: notes on the signal by its parts)."""
    return {
        "score": None if match.score is None else round(float(match.score), 4),
        "threshold": round(float(threshold), 4),
        "fact_check_id": match.fact_check_id,
        "claim": match.claim,
        "rating": match.rating_text or match.rating,
        "rating_normalised": match.rating,
        "languages": language_pair(match.item_language, match.language),
        "debunk": bool(match.debunk),
        "sentence": match.sentence,
        "similarity": round(float(match.similarity), 4),
    }


def language_pair(item_language: str | None, claim_language: str | None) -> str:
    """"nl-en": the item's language, then the fact-check's ("?" where unknown)."""
    return f"{(item_language or '?').lower()[:2]}-{(claim_language or '?').lower()[:2]}"


def refresh_claim_signals(session: Session, item_ids: Iterable[int], threshold: float,
                          support_min_score: float) -> int:
    """Bring the items' classifications up to date with their stored matches. Returns how many
    of the items carry the ``claim_match`` reason now."""
    ids = sorted(set(item_ids))
    matches = claim_matches.matches_for_items(session, ids)
    raised: set[int] = set()
    decisions = []
    for row in claim_matches.classification_signals(session, ids):
        decision = claim_signal(matches.get(row.item_id, []), row.score, threshold, support_min_score)
        decisions.append((row.classification_id, decision.raised, decision.part))
        if decision.raised:
            raised.add(row.item_id)
    claim_matches.apply_claim_signals(session, decisions)
    return len(raised)

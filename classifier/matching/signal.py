"""When a claim match raises the flag, and the ``claim_match`` part of the signal.

    raised = some stored match of the item
               is with a fact-check rated false or mostly_false,
               has a stage-two score at or over the threshold,
               is not a debunk (the item does not quote the claim to refute it), and
             the classifier gives the item at least ``match_support_min_score``
               (the match says which claim is meant, the score that the item carries it)

    held back = no match raises it, and some stored match is a debunk (the item quotes a claim
                rated false or mostly_false to refute it): the classifier's own flag on the
                item is held back, because a debunk article is not the disinformation it
                quotes. ``signal_parts`` then says so: ``held_back_by`` lists "claim_match",
                ``flagged_by`` is empty, and ``flagged_by_before_hold`` keeps what the
                classifier's parts had raised, so that a later decision without the debunk
                gives the flag back exactly.

The part shown (``signal_parts["claim_match"]``) is the match that raised the flag, else the
debunk that held it back, else the strongest stored match; an item without stored matches has
no part. ``claim_signal`` and ``updated_signal`` are pure; ``refresh_claim_signals`` reads
through ``storage.repositories.claim_matches``, decides, and lets storage write the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.repositories import (
    CLAIM_MATCH_PART,
    CLAIM_MATCH_REASON,
    CLASSIFIER_REASON,
    DEFAULT_PARTS_RULE,
    HEAD_PART,
    MatchView,
    claim_matches,
)

#: Ratings that debunk a claim: a strong match with one of them can raise the item's signal.
DEBUNKING_RATINGS = ("false", "mostly_false")
#: Keys of ``signal_parts`` this decision writes beside the ``claim_match`` part.
HELD_BACK_BY, FLAGGED_BY_BEFORE_HOLD = "held_back_by", "flagged_by_before_hold"


@dataclass(frozen=True)
class ClaimSignal:
    raised: bool
    part: dict | None
    held_back: bool = False  # the item refutes a debunked claim: the classifier's flag is held back


@dataclass(frozen=True)
class SignalUpdate:
    """A classification row's flag after the decision: its reasons, flag and parts."""

    reasons: list[str]
    flagged: bool
    parts: dict | None


def _score(match: MatchView) -> float:
    return -1.0 if match.score is None else float(match.score)


def raises_flag(match: MatchView, threshold: float) -> bool:
    """Whether this match, on its own, speaks for the item spreading a debunked claim."""
    return match.rating in DEBUNKING_RATINGS and not match.debunk and match.score is not None \
        and match.score >= threshold


def refutes(match: MatchView) -> bool:
    """Whether the item quotes this claim, rated false or mostly false, to refute it."""
    return match.rating in DEBUNKING_RATINGS and bool(match.debunk)


def claim_signal(matches: Sequence[MatchView], classifier_score: float, threshold: float,
                 support_min_score: float) -> ClaimSignal:
    """The decision for one classification row of an item with these stored matches."""
    if not matches:
        return ClaimSignal(False, None)
    spreading = [m for m in matches if raises_flag(m, threshold)]
    raised = bool(spreading) and classifier_score >= support_min_score
    refuting = [] if spreading else [m for m in matches if refutes(m)]
    shown = max(spreading or refuting or matches, key=lambda m: (_score(m), m.similarity, -m.fact_check_id))
    return ClaimSignal(raised, claim_part(shown, threshold), held_back=bool(refuting))


def _names(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _release(reasons: list[str], parts: dict) -> None:
    """Undo an earlier hold in place: the classifier's reason and parts come back."""
    if HELD_BACK_BY not in parts or CLAIM_MATCH_PART not in _names(parts[HELD_BACK_BY]):
        return
    restored = _names(parts.pop(FLAGGED_BY_BEFORE_HOLD, []))
    gates = [g for g in _names(parts.pop(HELD_BACK_BY)) if g != CLAIM_MATCH_PART]
    if gates:
        parts[HELD_BACK_BY] = gates
    parts["flagged_by"] = restored
    if restored and CLASSIFIER_REASON not in reasons:
        reasons.insert(0, CLASSIFIER_REASON)


def updated_signal(reasons: Sequence[str], parts: object, decision: ClaimSignal) -> SignalUpdate:
    """A row's ``flag_reasons`` and ``signal_parts`` after ``decision`` (pure). Only the
    ``claim_match`` reason and part, and a hold of the classifier's flag, change; a row scored
    before the parts existed gets them when the decision has a part to show."""
    reasons = [r for r in reasons if r != CLAIM_MATCH_REASON]
    parts = dict(parts) if isinstance(parts, dict) else None
    if parts is not None:
        _release(reasons, parts)
    if parts is None and decision.part is not None:
        parts = {"rule": DEFAULT_PARTS_RULE, "flagged_by": [HEAD_PART] if CLASSIFIER_REASON in reasons else []}
    if parts is not None:
        if decision.part is None:
            parts.pop(CLAIM_MATCH_PART, None)
        else:
            parts[CLAIM_MATCH_PART] = decision.part
        flagged_by = [p for p in _names(parts.get("flagged_by")) if p != CLAIM_MATCH_PART]
        if decision.held_back and CLASSIFIER_REASON in reasons:
            reasons.remove(CLASSIFIER_REASON)
            parts[FLAGGED_BY_BEFORE_HOLD] = flagged_by
            parts[HELD_BACK_BY] = [*_names(parts.get(HELD_BACK_BY)), CLAIM_MATCH_PART]
            flagged_by = []
        parts["flagged_by"] = [*flagged_by, CLAIM_MATCH_PART] if decision.raised else flagged_by
    if decision.raised:
        reasons.append(CLAIM_MATCH_REASON)
    return SignalUpdate(reasons, bool(reasons), parts)


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
    updates = []
    for row in claim_matches.classification_signals(session, ids):
        decision = claim_signal(matches.get(row.item_id, []), row.score, threshold, support_min_score)
        update = updated_signal(row.flag_reasons, row.signal_parts, decision)
        updates.append((row.classification_id, update.reasons, update.flagged, update.parts))
        if decision.raised:
            raised.add(row.item_id)
    claim_matches.write_claim_signals(session, updates)
    return len(raised)

"""Which claim matches an item keeps when matches for new fact-checks arrive (pure).

A full search replaces an item's matches; a search of new fact-checks against recent items only
adds to them, so the item keeps its ``top_k`` strongest old and new matches together. Storage
reads the old strengths and writes what is decided here (``storage.repositories.claim_matches``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from storage.repositories import MatchRecord

#: A stored match's strength inputs: (stage-two probability or None, cosine similarity).
Strength = tuple[float | None, float]


def match_strength(score: float | None, similarity: float) -> float:
    """Order of matches: the stage-two probability; a match from before it by its cosine, after."""
    return float(score) if score is not None else float(similarity) - 1.0


def kept_fact_checks(existing: Mapping[int, Strength], new: Sequence[MatchRecord], top_k: int) -> set[int]:
    """The fact-checks whose matches the item keeps: its ``top_k`` strongest of the stored ones
    (``existing``, by fact-check id) and the ``new`` ones (a new match replaces a stored one
    for the same fact-check); ties go to the lower fact-check id."""
    strengths = dict(existing)
    for match in new:
        strengths[match.fact_check_id] = (match.score, match.similarity)
    ranked = sorted(strengths, key=lambda fc: (-match_strength(*strengths[fc]), fc))
    return set(ranked[:top_k])

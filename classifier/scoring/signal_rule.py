"""The combined flag of an item from its parts: rule ``parts-v1`` (pure; no I/O).

Parts (each with its own calibrated number; see the contract in storage/read_models/signal_parts.py):

    head         the disinformation head's score (max over token windows) and its threshold;
                 for the hybrid head also its two parts there ("components": the embedding
                 head's and the lexical model's own calibrated probabilities)
    checkworthy  the most check-worthy sentence of the item and its check-worthiness
    narrative    the nearest known false narrative (seed narratives, false-rated claims):
                 its name, cosine similarity, and that similarity calibrated to a probability
    topic        the item's main policy topic, if any
    claim_match  written later by the match step (not part of this rule)

Rule parts-v1:

    raising parts   "head"       head.score >= head.threshold
                    "narrative"  narrative.score >= narrative.threshold and head.score >=
                                 narrative_support_min_score (a debunk resembles its narrative too,
                                 so resemblance alone never raises the flag)
    gates           require_topic         a raising part counts only when the item has a policy
                                          topic (an off-topic hoax is not policy disinformation)
                    min_checkworthy       ... only when the item's most check-worthy sentence
                                          reaches this (opinion is not a checkable claim);
                                          None: no gate; an unknown check-worthiness passes
    flagged         = any raising part passes every gate; flagged_by lists those parts

The gates are off by default: on the real-data bench neither separated legitimate criticism
from false narratives (models/README.md), and the topic gate would drop false narratives written
in English or about foreign affairs. They are settings (``ClassifierSettings.signal_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RULE_ID = "parts-v1"
HEAD, CHECKWORTHY, NARRATIVE, TOPIC = "head", "checkworthy", "narrative", "topic"
#: Decimals kept for the numbers stored in signal_parts.
DIGITS = 4


@dataclass(frozen=True)
class RuleSettings:
    require_topic: bool = False
    min_checkworthy: float | None = None
    narrative_threshold: float | None = None  # None: the narrative part never raises the flag
    narrative_support_min_score: float = 0.15


@dataclass(frozen=True)
class NarrativeHit:
    name: str
    similarity: float
    score: float  # the similarity calibrated to a probability


@dataclass(frozen=True)
class ItemParts:
    head_score: float
    head_threshold: float
    head_version: str
    checkworthy_score: float | None = None
    checkworthy_threshold: float | None = None
    checkworthy_sentence: str | None = None
    narrative: NarrativeHit | None = None
    topic_slug: str | None = None
    topic_score: float | None = None
    #: The hybrid head's parts at the item's best window, by name: ("embedding", p), ("lexical", p)
    head_components: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class CombinedFlag:
    flagged: bool
    flagged_by: tuple[str, ...]
    raised: tuple[str, ...]  # parts over their threshold, before the gates
    held_back_by: tuple[str, ...]  # gates that kept a raised part from flagging


def combine_parts(parts: ItemParts, rule: RuleSettings) -> CombinedFlag:
    """Rule parts-v1 (module docstring)."""
    raised = []
    if parts.head_score >= parts.head_threshold:
        raised.append(HEAD)
    narrative = parts.narrative
    if (narrative is not None and rule.narrative_threshold is not None
            and narrative.score >= rule.narrative_threshold
            and parts.head_score >= rule.narrative_support_min_score):
        raised.append(NARRATIVE)
    held_back = []
    if raised and rule.require_topic and not parts.topic_slug:
        held_back.append(TOPIC)
    if (raised and rule.min_checkworthy is not None and parts.checkworthy_score is not None
            and parts.checkworthy_score < rule.min_checkworthy):
        held_back.append(CHECKWORTHY)
    flagged_by = () if held_back else tuple(raised)
    return CombinedFlag(bool(flagged_by), flagged_by, tuple(raised), tuple(held_back))


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def signal_parts_document(parts: ItemParts, combined: CombinedFlag, rule: RuleSettings) -> dict[str, Any]:
    """``classifications.signal_parts`` as the classify step writes it (no ``claim_match``)."""
    document: dict[str, Any] = {
        "rule": RULE_ID,
        "flagged_by": list(combined.flagged_by),
        HEAD: {"score": _round(parts.head_score), "threshold": _round(parts.head_threshold),
               "version": parts.head_version},
    }
    if parts.head_components:
        document[HEAD]["components"] = {name: _round(p) for name, p in parts.head_components}
    if combined.held_back_by:
        document["held_back_by"] = list(combined.held_back_by)
    if parts.checkworthy_score is not None:
        document[CHECKWORTHY] = {
            "score": _round(parts.checkworthy_score), "threshold": _round(parts.checkworthy_threshold),
            "sentence": parts.checkworthy_sentence,
        }
    if parts.narrative is not None:
        document[NARRATIVE] = {
            "score": _round(parts.narrative.score), "threshold": _round(rule.narrative_threshold),
            "name": parts.narrative.name, "similarity": _round(parts.narrative.similarity),
        }
    if parts.topic_slug:
        document[TOPIC] = {"slug": parts.topic_slug, "score": _round(parts.topic_score)}
    return document

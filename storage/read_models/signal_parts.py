"""Reading ``classifications.signal_parts`` (the signal by its parts) for the dashboard and the
alerts, whatever a row holds.

The shape (shared by the classifier, which writes every part but ``claim_match``, and the claim
matcher, which writes ``claim_match``)::

    {"rule": "parts-v1", "flagged_by": ["head", "narrative"],
     "head": {"score", "threshold", "version", "components": {"embedding", "lexical"}}, "checkworthy": {"score", "threshold", "sentence"},
     "narrative": {"score", "threshold", "name", "similarity"}, "topic": {"slug", "score"},
     "claim_match": {"score", "threshold", "fact_check_id", "claim", "rating", "rating_normalised", ...}}

``held_back_by`` lists what kept raised parts from flagging: the rule's gates, or "claim_match"
when the item quotes a debunked claim to refute it (then ``flagged_by_before_hold`` keeps what had
raised it). ``head.components`` (a hybrid head only) holds the head's own parts at the item's best window,
each a calibrated probability by name.

Every key is optional except ``rule``; numbers are calibrated probabilities. Readers must cope with rows scored before the parts existed (``None``), with any
part missing, and with a value of the wrong type: such a value is read as absent, never guessed.
Texts inside a part (the sentence, the narrative's name, the fact-check's claim) come from feeds
or from the model: escape them before showing them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from storage.queries import is_latest
from storage.schema import PART_NAMES, Classification

#: The parts that score a signal, in the order a reader asks about them: is it a checkable
#: claim, does it match a known debunk, does it resemble a known false narrative, how strongly
#: does the head score it.
SCORING_PARTS = ("checkworthy", "claim_match", "narrative", "head")
#: Display order: the scoring parts, then the topic (context, not a reason to flag).
PART_ORDER = (*SCORING_PARTS, "topic")


@dataclass(frozen=True)
class PartReading:
    """One part as stored; ``None`` where the row does not say (or says it in the wrong type)."""

    name: str
    score: float | None
    threshold: float | None = None
    raised_flag: bool = False  # listed in ``flagged_by``
    sentence: str | None = None  # checkworthy: the sentence judged
    narrative: str | None = None  # narrative: the name of the nearest known narrative
    similarity: float | None = None  # narrative: cosine similarity to it
    claim: str | None = None  # claim_match: the fact-check's claim
    rating: str | None = None  # claim_match: the rating as published
    rating_normalised: str | None = None  # claim_match: false, mostly_false, ...
    fact_check_id: int | None = None
    topic_slug: str | None = None
    version: str | None = None  # head: the model version
    #: head: the hybrid head's own parts, (name, calibrated probability), in stored order
    components: tuple[tuple[str, float], ...] = ()

    @property
    def above_threshold(self) -> bool | None:
        """Whether the score reaches the part's own threshold; None when either is unknown."""
        if self.score is None or self.threshold is None:
            return None
        return self.score >= self.threshold


@dataclass(frozen=True)
class SignalPartsView:
    rule: str | None
    flagged_by: tuple[str, ...] | None  # None: the row does not say which parts raised the flag
    parts: tuple[PartReading, ...]  # the parts present, in PART_ORDER
    missing: tuple[str, ...]  # scoring parts the row does not have
    #: What kept raised parts from flagging: the rule's gates ("topic", "checkworthy") or a known
    #: debunk that the item quotes to refute it ("claim_match"; classifier.matching.signal)
    held_back_by: tuple[str, ...] = ()

    def part(self, name: str) -> PartReading | None:
        return next((p for p in self.parts if p.name == name), None)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _probability(value: object) -> float | None:
    number = _number(value)
    return number if number is not None and 0.0 <= number <= 1.0 else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _components(value: object) -> tuple[tuple[str, float], ...]:
    """The head's components; a name that is not text or a value that is not a probability is
    left out."""
    if not isinstance(value, Mapping):
        return ()
    read = ((_text(k), _probability(v)) for k, v in value.items())
    return tuple((k, v) for k, v in read if k is not None and v is not None)


def _reading(name: str, raw: Mapping[str, object], raised: bool) -> PartReading:
    return PartReading(
        name=name, score=_probability(raw.get("score")), threshold=_probability(raw.get("threshold")),
        raised_flag=raised, sentence=_text(raw.get("sentence")) if name == "checkworthy" else None,
        narrative=_text(raw.get("name")) if name == "narrative" else None,
        similarity=_number(raw.get("similarity")) if name == "narrative" else None,
        claim=_text(raw.get("claim")), rating=_text(raw.get("rating")),
        rating_normalised=_text(raw.get("rating_normalised")), fact_check_id=_integer(raw.get("fact_check_id")),
        topic_slug=_text(raw.get("slug")) if name == "topic" else None,
        version=_text(raw.get("version")) if name == "head" else None,
        components=_components(raw.get("components")) if name == "head" else (),
    )


def read_signal_parts(raw: object) -> SignalPartsView | None:
    """The parts of one stored row; ``None`` when the row has none (scored before they existed)."""
    if not isinstance(raw, Mapping):
        return None
    flagged = raw.get("flagged_by")
    flagged_by = (tuple(p for p in PART_NAMES if p in flagged)
                  if isinstance(flagged, Sequence) and not isinstance(flagged, str) else None)
    # A part named in flagged_by without its own entry (the claim matcher adds its part to a row
    # scored before the parts existed) did raise the flag: read it as that, with no numbers.
    parts = tuple(
        _reading(name, raw[name] if isinstance(raw.get(name), Mapping) else {},
                 flagged_by is not None and name in flagged_by)
        for name in PART_ORDER if isinstance(raw.get(name), Mapping) or (flagged_by and name in flagged_by)
    )
    present = {p.name for p in parts}
    held = raw.get("held_back_by")
    held_back_by = tuple(h for h in held if isinstance(h, str)) if isinstance(held, Sequence) and not isinstance(held, str) else ()
    return SignalPartsView(_text(raw.get("rule")), flagged_by, parts,
                           tuple(n for n in SCORING_PARTS if n not in present), held_back_by)


def latest_signal_parts(session: Session, item_ids: Sequence[int]) -> dict[int, SignalPartsView | None]:
    """Each item's parts from its latest classification (the signal the dashboard shows)."""
    if not item_ids:
        return {}
    signal = aliased(Classification)
    rows = session.execute(
        select(signal.item_id, signal.signal_parts)
        .where(signal.item_id.in_(list(item_ids)), is_latest(signal))
    ).all()
    return {int(item_id): read_signal_parts(parts) for item_id, parts in rows}

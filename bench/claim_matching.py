"""Claim matching: quality on the labelled pair set, and the speed of exact search.

    quality  (real multilingual-e5-small, the shipped pair set classifier/data/claims/):
        Success@1 and Success@5: each positive sentence against every claim of the set,
        overall, monolingual (Dutch claim) and cross-lingual (English/French/German claim);
        precision and recall at the threshold in models/claim-matching/calibration.json
    speed    (synthetic random unit vectors, d = 384: search cost does not depend on content):
        one item of ``--sentences`` sentences against 10k and 100k claims, exact blockwise
        matrix product (classifier.match.search), median of ``--repeats`` runs, against the
        naive way (a Python loop of one dot product per sentence and claim) at 10k claims;
        plus the time to encode that item's sentences with the real encoder

Prints one JSON object:

    .venv/bin/python bench/claim_matching.py [--sentences 20] [--repeats 20]
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAIM_COUNTS = (10_000, 100_000)
DIMENSION = 384  # multilingual-e5-small
SEED = 7
NAIVE_MAX_CLAIMS = 10_000  # the naive loop takes seconds at 10k claims; minutes at 100k
#: The ceiling the issue sets for exact search before an ANN index (FAISS/usearch) is needed.
EXACT_SEARCH_GOAL_CLAIMS = 200_000


def default_encoder_folder() -> Path:
    cache = Path(os.environ.get("WAAKHOND_TEST_CACHE", ROOT / "var" / "test-cache"))
    return cache / "multilingual-e5-small"


def unit_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    matrix = rng.standard_normal((n, d)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def search_latency(n_claims: int, n_sentences: int, repeats: int, top_k: int) -> dict:
    from classifier.match import ClaimIndex, search

    rng = np.random.default_rng(SEED)
    index = ClaimIndex.build(np.arange(n_claims), ["false"] * n_claims, unit_rows(rng, n_claims, DIMENSION))
    item = unit_rows(rng, n_sentences, DIMENSION)
    search([item], index, top_k=top_k, threshold=-1.0)  # warm-up: page in the matrix
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        search([item], index, top_k=top_k, threshold=-1.0)
        timings.append(time.perf_counter() - start)
    result = {
        "claims": n_claims,
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p90_ms": round(sorted(timings)[int(0.9 * (len(timings) - 1))] * 1000, 2),
        "claim_matrix_mb": round(index.matrix.nbytes / 1e6, 1),
    }
    if n_claims <= NAIVE_MAX_CLAIMS:
        start = time.perf_counter()
        naive_best = naive_search(item, index.matrix, top_k)
        naive_ms = (time.perf_counter() - start) * 1000
        fast_best = [hit.fact_check_id for hit in search([item], index, top_k=1, threshold=-1.0)[0][:1]]
        result.update({
            "naive_ms": round(naive_ms, 1),
            "speedup_vs_naive": round(naive_ms / result["median_ms"], 1),
            "same_best_claim_as_naive": fast_best == [int(index.ids[naive_best[0]])],
        })
    return result


def naive_search(item: np.ndarray, claims: np.ndarray, top_k: int) -> list[int]:
    """The naive way: one dot product per (sentence, claim) pair in a Python loop, a heap for
    the best ``top_k``. Returns the claim rows of the best matches of the whole item, best first."""
    best: list[tuple[float, int]] = []
    for sentence in item:
        for row, claim in enumerate(claims):
            similarity = float(np.dot(sentence, claim))
            if len(best) < top_k:
                heapq.heappush(best, (similarity, row))
            elif similarity > best[0][0]:
                heapq.heapreplace(best, (similarity, row))
    return [row for _, row in sorted(best, reverse=True)]


def quality(encoder, model_dir: Path) -> dict:
    from classifier.match_calibration import (
        MatchCalibrationError,
        evaluate,
        load_calibration,
        load_pair_set,
        precision_recall,
    )

    try:
        pair_set = load_pair_set()
    except FileNotFoundError as exc:
        return {"error": f"pair set not found: {exc.filename}"}
    scores, labels, figures = evaluate(pair_set, encoder.encode)
    result = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}
    result.update({"pairs": len(pair_set.pairs), "positive_pairs": int(labels.sum()), "claims": len(pair_set.claims)})
    try:
        calibration = load_calibration(model_dir)
    except MatchCalibrationError as exc:
        result["threshold"] = None
        result["threshold_note"] = str(exc)
        return result
    threshold = float(calibration["threshold"])
    precision, recall = precision_recall(scores, labels, threshold)
    result.update({
        "threshold": threshold,
        "precision_at_threshold": round(precision, 4),
        "recall_at_threshold": round(recall, 4),
        "cv_precision_at_target": calibration.get("cv_precision"),
        "calibrated_for_this_encoder": calibration.get("encoder_fingerprint") == encoder.fingerprint,
        "pair_set_unchanged_since_calibration": calibration.get("pair_set_fingerprint") == pair_set.fingerprint,
    })
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20, help="Sentences in the one item matched.")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--encoder", type=Path, default=default_encoder_folder())
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from classifier.base_model import prepare_base_model
    from classifier.encoder import Encoder
    from classifier.settings import ClassifierSettings

    settings = ClassifierSettings(threads=2)
    encoder = Encoder.from_folder(prepare_base_model(args.encoder), settings)
    sentences = [f"Zin {i}: het kabinet besluit iets over de huurtoeslag en de stikstofregels." for i in range(args.sentences)]
    encoder.encode(sentences[:2])  # warm-up
    start = time.perf_counter()
    encoder.encode(sentences)
    encode_ms = (time.perf_counter() - start) * 1000

    latencies = [search_latency(n, args.sentences, args.repeats, args.top_k) for n in CLAIM_COUNTS]
    per_claim_ms = latencies[-1]["median_ms"] / CLAIM_COUNTS[-1]
    report = {
        "quality": quality(encoder, args.model_dir),
        "latency": {
            "note": "exact search timed on synthetic random unit vectors (d=384); its cost does not depend on content",
            "item_sentences": args.sentences,
            "top_k": args.top_k,
            "torch_threads": settings.threads,
            "search": latencies,
            "encode_item_sentences_ms": round(encode_ms, 1),
            "estimated_search_ms_at_200k": round(per_claim_ms * EXACT_SEARCH_GOAL_CLAIMS, 1),
        },
        "encoder_fingerprint": encoder.fingerprint,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Claim matching: both methods side by side on claims held out, and the speed of both stages.

    quality  (real multilingual-e5-small, the shipped pair set classifier/data/claims/ and the
             background news of classifier.matching.training.training_background):
        folds by claim (no claim has pairs in both train and test; background texts dealt
        into folds too); per fold the stage-two model is fitted without the fold
        two stages   language-centred retrieval + the stage-two model (classifier.matching.stages)
        one stage    today's naive way: raw cosine, one threshold (the old shipped calibration
                     0.9235, and the threshold chosen the same way as stage two's on the same
                     held-out decisions)
        per method: Success@1/@5 monolingual (Dutch claim) and cross-lingual (English, French,
        German claim), recall at precision >= 0.95 (best threshold on the test decisions;
        monolingual and cross-lingual apart), precision/recall at the method's threshold, the
        labelled pairs' precision/recall (the figure the old calibration reported), and the
        share of background news texts that get any match
    speed    one item of ``--sentences`` sentences against 10k and 100k claims (synthetic random
        unit vectors, d = 384, and synthetic claim texts: search cost does not depend on
        content), both stages together (match_batch) against stage one alone and against the
        naive Python loop at 10k claims; plus the time to encode the item's sentences

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


def search_latency(n_claims: int, n_sentences: int, repeats: int, model_dir: Path) -> dict:
    from classifier.matching import Matcher, load_stage_two, match_batch

    rng = np.random.default_rng(SEED)
    model = load_stage_two(model_dir)
    two = Matcher(model.threshold, 3, model.candidates, model)
    one = Matcher(-1.0, 3, 3)
    vectors = unit_rows(rng, n_claims, DIMENSION)
    languages = [("nl", "en", "fr", "de")[i % 4] for i in range(n_claims)]
    texts = [f"Bewering {i}: het kabinet schaft per {1 + i % 12} januari iets af ({i} euro)." for i in range(n_claims)]
    blobs = [v.astype("<f4").tobytes() for v in vectors]
    index_two = two.build_index(np.arange(n_claims), ["false"] * n_claims, blobs, texts, languages)
    index_one = one.build_index(np.arange(n_claims), ["false"] * n_claims, blobs, texts, languages)
    item = unit_rows(rng, n_sentences, DIMENSION)
    sentences = [[f"Zin {i} over de regels en 500 euro." for i in range(n_sentences)]]

    def timed(matcher, index) -> list[float]:
        match_batch(matcher, index, sentences, [item], ["nl"])  # warm-up: page in the matrix
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            match_batch(matcher, index, sentences, [item], ["nl"])
            timings.append(time.perf_counter() - start)
        return timings

    both, first = timed(two, index_two), timed(one, index_one)
    result = {
        "claims": n_claims,
        "both_stages_median_ms": round(statistics.median(both) * 1000, 2),
        "both_stages_p90_ms": round(sorted(both)[int(0.9 * (len(both) - 1))] * 1000, 2),
        "stage_one_only_median_ms": round(statistics.median(first) * 1000, 2),
        "claim_matrix_mb": round(index_two.matrix.nbytes / 1e6, 1),
    }
    if n_claims <= NAIVE_MAX_CLAIMS:
        start = time.perf_counter()
        naive_best = naive_search(item, index_one.matrix, 3)
        naive_ms = (time.perf_counter() - start) * 1000
        fast_best = [m.fact_check_id for m in match_batch(one, index_one, sentences, [item], ["nl"])[0][:1]]
        result.update({
            "naive_ms": round(naive_ms, 1),
            "both_stages_speedup_vs_naive": round(naive_ms / result["both_stages_median_ms"], 1),
            "same_best_claim_as_naive": fast_best == [int(index_one.ids[naive_best[0]])],
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
    from classifier.matching import (
        DEFAULT_BACKGROUND_RATE,
        DEFAULT_TARGET_PRECISION,
        MatchCalibrationError,
        StageTwoError,
        build_corpus,
        choose_threshold,
        held_out_decisions,
        load_calibration,
        load_pair_set,
        load_stage_two,
        pair_level,
        raw_cosine_decisions,
        split_figures,
        training_background,
    )
    from classifier.scoring.sentences import split_sentences

    try:
        pair_set = load_pair_set()
        background = training_background()
    except FileNotFoundError as exc:
        return {"error": f"pair set not found: {exc.filename}"}
    corpus = build_corpus(pair_set, encoder.encode, background,
                          split=lambda text: [text[a:b] for a, b in split_sentences(text)])
    target = DEFAULT_TARGET_PRECISION
    unit_of = {u.sentences[0]: n for n, u in enumerate(corpus.units) if not u.background}
    claim_of = {c.id: n for n, c in enumerate(pair_set.claims)}
    labelled = [(unit_of[p.sentence], claim_of[p.claim_id], p.label) for p in pair_set.pairs]

    two = held_out_decisions(corpus, encoder_fingerprint=encoder.fingerprint)
    try:
        shipped = load_stage_two(model_dir, encoder.fingerprint)
        two_threshold, note = shipped.threshold, "the shipped stage-two threshold (chosen on these pooled held-out decisions)"
    except StageTwoError as exc:
        two_threshold, note = choose_threshold(corpus, two, target, DEFAULT_BACKGROUND_RATE), str(exc)
    one = raw_cosine_decisions(corpus)
    try:
        old_threshold = float(load_calibration(model_dir)["threshold"])
    except MatchCalibrationError:
        old_threshold = float("nan")
    one_threshold = choose_threshold(corpus, one, target, DEFAULT_BACKGROUND_RATE, floor=0.0)

    def method(decisions, threshold) -> dict:
        figures = split_figures(corpus, decisions, threshold, target)
        precision, recall = pair_level(corpus, decisions, labelled, threshold)
        figures.update({"pair_level_precision": round(precision, 4), "pair_level_recall": round(recall, 4)})
        return figures

    return {
        "held_out": f"{len(set(corpus.claim_folds))} folds by claim",
        "target_precision": target,
        "pairs": len(pair_set.pairs), "claims": len(pair_set.claims),
        "positive_sentences": sum(bool(u.positives) for u in corpus.units),
        "background_texts": sum(u.background for u in corpus.units),
        "two_stages": {**method(two, two_threshold), "threshold_note": note},
        "one_stage_old_threshold": method(one, old_threshold),
        "one_stage_threshold_chosen_like_stage_two": method(one, one_threshold),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20, help="Sentences in the one item matched.")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--encoder", type=Path, default=default_encoder_folder())
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from classifier.encoding.base_model import prepare_base_model
    from classifier.encoding.encoder import Encoder
    from classifier.settings import ClassifierSettings

    settings = ClassifierSettings(threads=2)
    encoder = Encoder.from_folder(prepare_base_model(args.encoder), settings)
    sentences = [f"Zin {i}: het kabinet besluit iets over de huurtoeslag en de stikstofregels." for i in range(args.sentences)]
    encoder.encode(sentences[:2])  # warm-up
    start = time.perf_counter()
    encoder.encode(sentences)
    encode_ms = (time.perf_counter() - start) * 1000

    latencies = [search_latency(n, args.sentences, args.repeats, args.model_dir) for n in CLAIM_COUNTS]
    per_claim_ms = latencies[-1]["both_stages_median_ms"] / CLAIM_COUNTS[-1]
    report = {
        "quality": quality(encoder, args.model_dir),
        "latency": {
            "note": "both stages timed on synthetic random unit vectors (d=384) and synthetic claim texts; "
                    "the cost does not depend on content",
            "item_sentences": args.sentences,
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

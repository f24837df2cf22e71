"""Threshold calibration and the figures it reports (pure parts, small hand-made inputs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.matching.calibration import (
    MatchCalibrationError,
    calibrate,
    cross_validated,
    load_calibration,
    load_pair_set,
    precision_recall,
    success_at_k,
    threshold_for_precision,
    write_calibration,
)
from classifier.matching.retrieval import ClaimIndex, search


def test_success_at_k_counts_claims_strictly_closer():
    sims = np.array([[0.9, 0.8, 0.1], [0.7, 0.6, 0.95], [0.5, 0.5, 0.2]])
    result = success_at_k(sims, np.array([0, 1, 1]), (1, 2, 3))
    # row 1: two claims are closer than its own; row 2: a tie with its own claim still counts
    assert result == {1: pytest.approx(2 / 3), 2: pytest.approx(2 / 3), 3: 1.0}


def test_threshold_is_the_lowest_score_reaching_the_target_precision():
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7])
    labels = np.array([1, 1, 0, 1, 0, 0])
    assert threshold_for_precision(scores, labels, 0.75) == 0.8  # 3 of the 4 pairs >= 0.8
    assert threshold_for_precision(scores, labels, 1.0) == 0.9
    assert threshold_for_precision(np.array([0.5]), np.array([0]), 0.9) is None
    assert precision_recall(scores, labels, 0.8) == (0.75, 1.0)


def test_ties_are_not_split_by_a_threshold():
    scores, labels = np.array([0.9, 0.8, 0.8]), np.array([1, 1, 0])
    assert threshold_for_precision(scores, labels, 0.9) == 0.9


def test_cross_validation_is_reproducible():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = labels * 0.2 + rng.random(200) * 0.5
    assert cross_validated(scores, labels, 0.9, 5) == cross_validated(scores, labels, 0.9, 5)


def _pair_files(tmp_path, claims, pairs):
    claims_file, pairs_file = tmp_path / "claims.jsonl", tmp_path / "pairs.jsonl"
    claims_file.write_text("\n".join(json.dumps(c) for c in claims) + "\n", encoding="utf-8")
    pairs_file.write_text("\n".join(json.dumps(p) for p in pairs) + "\n", encoding="utf-8")
    return claims_file, pairs_file


def test_calibrate_on_a_small_pair_set_with_a_deterministic_encoding(tmp_path):
    # Each text encodes to the one-hot of its "meaning" (the word before the first space),
    # nudged by its length: paraphrases share a meaning, other claims do not.
    meanings = ["cash", "boeren", "stembus", "huur"]

    def encode(texts):
        vectors = np.zeros((len(texts), len(meanings) + 1), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row, meanings.index(text.split()[0])] = 1.0
            vectors[row, -1] = 0.1 * (len(text) % 3)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    claims = [{"id": m, "text": f"{m} claim in {lang}", "language": lang}
              for m, lang in zip(meanings, ["en", "nl", "fr", "nl"], strict=True)]
    pairs = [{"sentence": f"{m} zin {i}", "claim_id": m, "label": 1} for m in meanings for i in range(3)]
    pairs += [{"sentence": f"{m} zin 0", "claim_id": other, "label": 0} for m in meanings for other in meanings if other != m]
    pair_set = load_pair_set(*_pair_files(tmp_path, claims, pairs))
    result = calibrate(pair_set, encode, "enc-a", "query: ", target_precision=0.9)
    assert result.success_at_1 == 1.0 and result.success_at_1_crosslingual == 1.0
    assert result.precision_at_threshold >= 0.9 and result.recall_at_threshold == 1.0
    assert (result.n_pairs, result.n_positive_pairs, result.n_claims) == (24, 12, 4)
    path = write_calibration(result, tmp_path / "models")
    stored = json.loads(path.read_text())
    assert stored["encoder_fingerprint"] == "enc-a" and stored["pair_set_fingerprint"].startswith("sha256:")
    assert load_calibration(tmp_path / "models")["threshold"] == pytest.approx(result.threshold, abs=1e-4)
    # The calibrated threshold separates the same pairs at matching time.
    index = ClaimIndex.build(list(range(4)), ["false"] * 4, encode([c["text"] for c in claims]))
    [hits] = search([encode(["boeren zin 1"])], index, top_k=1, threshold=result.threshold)
    assert [h.fact_check_id for h in hits] == [1]


def test_pair_set_errors(tmp_path):
    claims = [{"id": "a", "text": "x", "language": "nl"}]
    with pytest.raises(ValueError, match="unknown claims"):
        load_pair_set(*_pair_files(tmp_path, claims, [{"sentence": "s", "claim_id": "b", "label": 1}]))
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        load_pair_set(*_pair_files(tmp_path, claims, [{"sentence": "s", "claim_id": "a", "label": 2}]))
    with pytest.raises(MatchCalibrationError, match="no single-stage claim-matching calibration"):
        load_calibration(tmp_path / "nowhere")


def test_background_texts_raise_the_threshold_until_few_of_them_match(tmp_path):
    """Ordinary texts that share a claim's words must not all show a match: the threshold rises
    to the background quantile, and the reported background match rate is what it says."""
    meanings = ["cash", "boeren"]

    def encode(texts):
        vectors = np.zeros((len(texts), 3), dtype=np.float32)
        for row, text in enumerate(texts):
            word, *rest = text.split()
            vectors[row, meanings.index(word)] = 1.0
            vectors[row, 2] = 0.05 * len(rest)  # longer texts drift further from the claim
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    claims = [{"id": m, "text": m, "language": "nl"} for m in meanings]
    pairs = [{"sentence": f"{m} zin een twee", "claim_id": m, "label": 1} for m in meanings]
    pairs += [{"sentence": f"{m} zin een twee", "claim_id": other, "label": 0}
              for m in meanings for other in meanings if other != m]
    pair_set = load_pair_set(*_pair_files(tmp_path, claims, pairs))
    background = [f"cash {'woord ' * n}".strip() for n in range(20)]  # some closer than the pairs
    without = calibrate(pair_set, encode, "enc", "query: ", target_precision=0.9)
    with_bg = calibrate(pair_set, encode, "enc", "query: ", target_precision=0.9,
                        background=background, background_rate=0.1)
    assert without.background_threshold is None and without.threshold == without.pair_threshold
    assert with_bg.threshold == with_bg.background_threshold > with_bg.pair_threshold
    assert with_bg.background_match_rate <= 0.1 + 1e-9
    assert with_bg.n_background_texts == 20

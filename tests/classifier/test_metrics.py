from __future__ import annotations

import numpy as np
import pytest

from classifier.training.metrics import (
    apply_calibration,
    binary_metrics,
    cohen_kappa,
    expected_calibration_error,
    fit_calibration,
    krippendorff_alpha_nominal,
    majority_label,
    threshold_for_f1,
    threshold_for_precision,
)

LABELS = [1, 1, 0, 1, 0, 0, 0]
PROBS = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1]


def test_threshold_gives_the_most_recall_at_the_target_precision() -> None:
    strict = threshold_for_precision(LABELS, PROBS, 0.8)
    assert (strict.threshold, strict.rule, strict.precision) == (0.8, "target_precision", 1.0)
    loose = threshold_for_precision(LABELS, PROBS, 0.7)
    assert (loose.threshold, loose.recall) == (0.6, 1.0)


def test_threshold_falls_back_to_best_f1_when_the_target_is_out_of_reach() -> None:
    choice = threshold_for_precision([0, 1, 0, 1], [0.9, 0.8, 0.7, 0.6], 0.95)
    assert choice.rule == "max_f1"
    assert choice.threshold == pytest.approx(0.6)
    assert threshold_for_f1(LABELS, PROBS).threshold == 0.6


def test_ties_are_never_split() -> None:
    choice = threshold_for_precision([1, 0, 1], [0.7, 0.7, 0.2], 0.9)
    assert choice.rule == "max_f1"  # 0.7 holds a positive and a negative together


def test_binary_metrics() -> None:
    m = binary_metrics(LABELS, PROBS, 0.6)
    assert m["confusion"] == {"tp": 3, "fp": 1, "tn": 3, "fn": 0}
    assert (m["precision"], m["recall"], m["f1"]) == (0.75, 1.0, 0.8571)
    assert m["roc_auc"] == pytest.approx(11 / 12, abs=1e-4)
    assert m["n"] == 7 and m["positives"] == 3
    single = binary_metrics([1, 1], [0.9, 0.2], 0.5)
    assert single["roc_auc"] is None


def test_expected_calibration_error() -> None:
    assert expected_calibration_error(np.array([1, 0]), np.array([1.0, 0.0])) == 0.0
    assert expected_calibration_error(np.array([0, 0]), np.array([0.95, 0.95])) == pytest.approx(0.95)


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibration_is_monotone_and_fits(method: str) -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(size=400)
    labels = (rng.random(400) < 1 / (1 + np.exp(-2 * raw))).astype(int)
    calibration = fit_calibration(raw, labels, method)
    probs = apply_calibration(np.sort(raw), calibration)
    assert np.all(np.diff(probs) >= -1e-12)
    assert expected_calibration_error(labels, apply_calibration(raw, calibration)) < 0.08
    with pytest.raises(ValueError):
        fit_calibration(raw, labels, "magic")


def test_majority_of_analysts() -> None:
    assert majority_label(["disinformation", "misleading", "not_disinformation"]) == 1
    assert majority_label(["not_disinformation", "unsure"]) == 0
    assert majority_label(["disinformation", "not_disinformation"]) is None
    assert majority_label(["unsure"]) is None


def test_agreement_statistics() -> None:
    # Krippendorff's own worked example ("Computing Krippendorff's alpha-reliability", 2011):
    # two observers, ten units, binary values, alpha = 0.095; perfect agreement gives 1.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha_nominal([[x, y] for x, y in zip(a, b, strict=True)])
    assert alpha == pytest.approx(0.095, abs=0.001)
    assert krippendorff_alpha_nominal([[1, 1], [0, 0, 0]]) == 1.0
    assert krippendorff_alpha_nominal([[1]]) is None
    # observed 0.6, expected (8*6 + 2*4) / 100 = 0.56
    assert cohen_kappa(a, b) == pytest.approx((0.6 - 0.56) / 0.44)
    assert cohen_kappa(a, a) == 1.0

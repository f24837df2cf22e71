"""Pure evaluation and decision functions: metrics, the threshold for a target precision,
calibration, and agreement between analysts. Plain arrays in, plain data out; no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: Bins of the expected calibration error (equal width over [0, 1], the usual choice).
ECE_BINS = 10


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    rule: str  # "target_precision" or "max_f1" (when the target precision is never reached)
    precision: float
    recall: float
    target_precision: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> float:
    labels, probs = np.asarray(labels, float), np.asarray(probs, float)
    if len(labels) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probs, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            total += in_bin.sum() / len(probs) * abs(probs[in_bin].mean() - labels[in_bin].mean())
    return float(total)


def binary_metrics(labels: Sequence[int], probs: Sequence[float], threshold: float | np.ndarray) -> dict[str, Any]:
    """precision, recall, f1, roc_auc, pr_auc, ece, brier, confusion matrix and n.
    ``threshold`` may be one value per example (cross-validation with a threshold per fold)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(labels, dtype=int)
    p = np.asarray(probs, dtype=float)
    predicted = p >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    tn = int(np.sum(~predicted & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    both_classes = 0 < y.sum() < len(y)
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "threshold": float(threshold) if np.ndim(threshold) == 0 else None,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both_classes else None,
        "pr_auc": round(float(average_precision_score(y, p)), 4) if both_classes else None,
        "ece": round(expected_calibration_error(y, p), 4) if len(y) else None,
        "brier": round(float(np.mean((p - y) ** 2)), 4) if len(y) else None,
        "confusion": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
    }


def threshold_for_precision(labels: Sequence[int], probs: Sequence[float], target: float) -> ThresholdChoice:
    """The lowest threshold whose precision is at least ``target`` (the most recall at that
    precision); when no threshold reaches it, the threshold with the best F1."""
    return _choose_threshold(labels, probs, target)


def threshold_for_f1(labels: Sequence[int], probs: Sequence[float]) -> ThresholdChoice:
    """The threshold with the best F1 of the positive class."""
    return _choose_threshold(labels, probs, None)


def _choose_threshold(labels: Sequence[int], probs: Sequence[float], target: float | None) -> ThresholdChoice:
    y = np.asarray(labels, dtype=int)
    p = np.asarray(probs, dtype=float)
    if len(y) == 0 or y.sum() == 0:
        return ThresholdChoice(0.5, "default (no positives)", 0.0, 0.0, target)
    order = np.argsort(-p, kind="stable")
    sorted_p, sorted_y = p[order], y[order]
    # Cut only where the score changes, so that ties are never split.
    last_of_tie = np.r_[sorted_p[1:] != sorted_p[:-1], True]
    tp = np.cumsum(sorted_y)[last_of_tie]
    k = np.arange(1, len(y) + 1)[last_of_tie]
    thresholds = sorted_p[last_of_tie]
    precision = tp / k
    recall = tp / y.sum()
    ok = np.nonzero(precision >= target)[0] if target is not None else []
    if len(ok):
        i = ok[-1]
        return ThresholdChoice(float(thresholds[i]), "target_precision", float(precision[i]), float(recall[i]), target)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    i = int(np.argmax(f1))
    return ThresholdChoice(float(thresholds[i]), "max_f1", float(precision[i]), float(recall[i]), target)


# ----------------------------------------------------------------------------- calibration
def fit_calibration(raw: Sequence[float], labels: Sequence[int], method: str = "platt") -> dict[str, Any]:
    """Map raw head scores (logits) to probabilities: Platt (a sigmoid) or isotonic."""
    x = np.asarray(raw, dtype=float)
    y = np.asarray(labels, dtype=int)
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1e6, max_iter=1000).fit(x.reshape(-1, 1), y)
        return {"method": "platt", "a": float(model.coef_[0, 0]), "b": float(model.intercept_[0])}
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(x, y)
        return {
            "method": "isotonic",
            "x": [float(v) for v in model.X_thresholds_],
            "y": [float(v) for v in model.y_thresholds_],
        }
    raise ValueError(f"unknown calibration method {method!r}: use platt or isotonic")


def apply_calibration(raw: np.ndarray, calibration: Mapping[str, Any]) -> np.ndarray:
    x = np.asarray(raw, dtype=float)
    method = calibration.get("method")
    if method == "platt":
        return 1.0 / (1.0 + np.exp(-(calibration["a"] * x + calibration["b"])))
    if method == "isotonic":
        return np.interp(x, calibration["x"], calibration["y"])
    if method in (None, "sigmoid"):
        return 1.0 / (1.0 + np.exp(-x))
    raise ValueError(f"unknown calibration method {method!r}")


# ----------------------------------------------------------------------------- agreement
ANALYST_LABEL_TO_BINARY = {"disinformation": 1, "misleading": 1, "not_disinformation": 0, "unsure": None}


def majority_label(labels: Sequence[str]) -> int | None:
    """The binary majority of analysts' labels ("unsure" abstains); a tie gives None."""
    votes = [ANALYST_LABEL_TO_BINARY[label] for label in labels if ANALYST_LABEL_TO_BINARY.get(label) is not None]
    if not votes:
        return None
    counts = Counter(votes)
    if counts[1] == counts[0]:
        return None
    return 1 if counts[1] > counts[0] else 0


def krippendorff_alpha_nominal(units: Sequence[Sequence[Any]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit is the list of values its coders gave
    (missing values left out). Units with fewer than two values do not count."""
    pairable = [list(u) for u in units if len(u) >= 2]
    if not pairable:
        return None
    categories = sorted({v for u in pairable for v in u}, key=str)
    index = {c: i for i, c in enumerate(categories)}
    coincidence = np.zeros((len(categories), len(categories)))
    for unit in pairable:
        m = len(unit)
        counts = Counter(unit)
        for a, na in counts.items():
            for b, nb in counts.items():
                pairs = na * (nb - (1 if a == b else 0))
                coincidence[index[a], index[b]] += pairs / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (n * n - np.sum(n_c**2)) / (n - 1) if n > 1 else 0.0
    if expected == 0:
        return 1.0 if observed == 0 else None
    return float(1.0 - observed / expected)


def cohen_kappa(first: Sequence[Any], second: Sequence[Any]) -> float | None:
    """Cohen's kappa of two coders over the same units."""
    if len(first) != len(second) or not first:
        return None
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    fa, fb = Counter(first), Counter(second)
    expected = sum(fa[c] * fb[c] for c in set(fa) | set(fb)) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else None
    return float((observed - expected) / (1 - expected))

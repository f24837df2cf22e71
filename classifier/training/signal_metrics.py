"""The real-data figures of a disinformation signal, per source of data. Pure: arrays in,
a plain dict out (``bench/signal_quality.py`` prints it; tests call it without I/O).

    overall            all positives vs all *real* negatives (FactRank, CheckThat!): ROC-AUC,
                       precision / recall at the threshold, ECE
    overall_with_constructed   the same with the project's constructed negatives added
    per source         positives: recall, ROC-AUC against all real negatives;
                       negatives: flag rate, ROC-AUC of all positives against that source
    test sets          flag rate per kind of the criticism file (criticism, opinion, satire,
                       contested, news with / without attribution, off-topic hoaxes) and of
                       legitimate criticism together (its own number, never mixed into others)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from classifier.training.metrics import binary_metrics, expected_calibration_error


def _auc(pos: np.ndarray, neg: np.ndarray) -> float | None:
    if not len(pos) or not len(neg):
        return None
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return round(float(roc_auc_score(y, np.r_[pos, neg])), 4)


def _threshold_array(thresholds: float | Sequence[float], n: int) -> np.ndarray:
    return np.full(n, float(thresholds)) if np.ndim(thresholds) == 0 else np.asarray(thresholds, dtype=float)


def source_report(
    sources: Sequence[str], labels: Sequence[int], probs: Sequence[float], thresholds: float | Sequence[float],
    *, real_negative_sources: Sequence[str], flagged: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Figures per source and overall. ``flagged`` (optional) overrides ``probs >= thresholds``,
    for a combined rule; ROC-AUC and ECE always use ``probs``."""
    src = np.asarray(sources, dtype=object)
    y = np.asarray(labels, dtype=int)
    p = np.asarray(probs, dtype=float)
    t = _threshold_array(thresholds, len(p))
    hit = np.asarray(flagged, dtype=bool) if flagged is not None else p >= t
    real_neg = np.isin(src, list(real_negative_sources)) & (y == 0)
    pos = y == 1
    report: dict[str, Any] = {
        "overall": _overall(y[pos | real_neg], p[pos | real_neg], hit[pos | real_neg]),
        "overall_with_constructed": _overall(y, p, hit),
        "sources": {},
    }
    for name in sorted(set(src.tolist())):
        rows = src == name
        label = int(round(float(y[rows].mean())))
        entry: dict[str, Any] = {"n": int(rows.sum()), "label": label}
        if label == 1:
            entry["recall"] = round(float(hit[rows].mean()), 4)
            entry["roc_auc_vs_real_negatives"] = _auc(p[rows], p[real_neg])
        else:
            entry["flag_rate"] = round(float(hit[rows].mean()), 4)
            entry["roc_auc_all_positives_vs_this"] = _auc(p[pos], p[rows])
        entry["mean_score"] = round(float(p[rows].mean()), 4)
        report["sources"][name] = entry
    return report


def _overall(y: np.ndarray, p: np.ndarray, hit: np.ndarray) -> dict[str, Any]:
    metrics = binary_metrics(y, p, 0.5)  # the ranking figures; the decision figures follow
    tp = int(np.sum(hit & (y == 1)))
    fp = int(np.sum(hit & (y == 0)))
    fn = int(np.sum(~hit & (y == 1)))
    metrics.update({
        "threshold": "as shipped (per fold in cross-validation)",
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": int(np.sum(~hit & (y == 0)))},
    })
    precision, recall = metrics["precision"], metrics["recall"]
    metrics["f1"] = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    metrics["ece"] = round(expected_calibration_error(y, p), 4)
    return metrics


def flag_rates_by_kind(kinds: Sequence[str], flagged: Sequence[bool], criticism_kinds: Sequence[str],
                    probs: Sequence[float] | None = None) -> dict[str, Any]:
    """Flag rate per kind of a test file, and of all ``criticism_kinds`` together."""
    k = np.asarray(kinds, dtype=object)
    hit = np.asarray(flagged, dtype=bool)
    report: dict[str, Any] = {}
    legit = np.isin(k, list(criticism_kinds))
    report["criticism_all"] = {"n": int(legit.sum()), "flag_rate": round(float(hit[legit].mean()), 4) if legit.any() else None}
    for name in sorted(set(k.tolist())):
        rows = k == name
        entry: dict[str, Any] = {"n": int(rows.sum()), "flag_rate": round(float(hit[rows].mean()), 4)}
        if probs is not None:
            entry["mean_score"] = round(float(np.asarray(probs, dtype=float)[rows].mean()), 4)
        report[name] = entry
    return report

"""Figures of a claim matcher from its decisions (pure: decisions and the corpus in, numbers out).

    Success@k          per positive sentence: is one of its claims among its k best-scored candidates
                       (monolingual: its claim is Dutch; cross-lingual: English, French, German)
    decisions at t     every (item, claim) scored >= t is a match; precision over the pair-set
                       sentences' matches, recall over the positive sentences (a sentence counts
                       as found when its right claim is matched)
    recall at P >= x   the best recall of any threshold whose precision reaches x
    background rate    share of background news texts with any match at t
    pair level         the labelled pairs only (sentence, claim, 0/1): a pair is predicted 1 when
                       that claim is matched for that sentence (the figure the old calibration gave)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifier.matching.corpus import Corpus, Decision

MONOLINGUAL_LANGUAGE = "nl"


def _by_unit(decisions: Sequence[Decision]) -> dict[int, list[Decision]]:
    grouped: dict[int, list[Decision]] = {}
    for d in decisions:
        grouped.setdefault(d.unit, []).append(d)
    for rows in grouped.values():
        rows.sort(key=lambda d: (-d.probability, d.claim))
    return grouped


def _is_monolingual(corpus: Corpus, unit: int) -> bool:
    return corpus.claim_languages[min(corpus.units[unit].positives)] == MONOLINGUAL_LANGUAGE


def success_at(corpus: Corpus, decisions: Sequence[Decision], ks: Sequence[int] = (1, 5)) -> dict[str, float]:
    grouped = _by_unit(decisions)
    figures: dict[str, float] = {}
    for name, mono in (("monolingual", True), ("crosslingual", False)):
        units = [u for u, unit in enumerate(corpus.units) if unit.positives and _is_monolingual(corpus, u) == mono]
        for k in ks:
            hits = [any(d.claim in corpus.units[u].positives for d in grouped.get(u, [])[:k]) for u in units]
            figures[f"success_at_{k}_{name}"] = round(float(np.mean(hits)), 4) if hits else float("nan")
        figures[f"n_{name}"] = len(units)
    return figures


def precision_recall_at(corpus: Corpus, decisions: Sequence[Decision], threshold: float,
                        units: set[int] | None = None) -> tuple[float, float, int]:
    """Precision and recall of the matches at ``threshold`` over pair-set units (or ``units``)."""
    chosen = units if units is not None else {u for u, unit in enumerate(corpus.units) if not unit.background}
    accepted = [d for d in decisions if d.unit in chosen and d.probability >= threshold]
    right = [d for d in accepted if d.claim in corpus.units[d.unit].positives]
    positive_units = [u for u in chosen if corpus.units[u].positives]
    found = {d.unit for d in right}
    precision = len(right) / len(accepted) if accepted else float("nan")
    return precision, len(found) / max(1, len(positive_units)), len(accepted)


def recall_at_precision(corpus: Corpus, decisions: Sequence[Decision], target: float,
                        units: set[int] | None = None) -> tuple[float, float | None]:
    """The best recall of any threshold reaching ``target`` precision, and that threshold."""
    best, at = 0.0, None
    for t in sorted({d.probability for d in decisions}, reverse=True):
        precision, recall, _ = precision_recall_at(corpus, decisions, t, units)
        if precision >= target and recall >= best:
            best, at = recall, t
    return best, at


def background_rate(corpus: Corpus, decisions: Sequence[Decision], threshold: float) -> float:
    background = [u for u, unit in enumerate(corpus.units) if unit.background]
    matched = {d.unit for d in decisions if d.probability >= threshold and corpus.units[d.unit].background}
    return len(matched) / len(background) if background else float("nan")


def choose_threshold(corpus: Corpus, decisions: Sequence[Decision], target: float, max_background_rate: float,
                     floor: float = 0.5) -> float:
    """The lowest threshold (not under ``floor``) reaching ``target`` precision on the pair-set units
    with at most ``max_background_rate`` of the background texts matched."""
    chosen = None
    for t in sorted({d.probability for d in decisions if d.probability >= floor}, reverse=True):
        precision, _, _ = precision_recall_at(corpus, decisions, t)
        if precision >= target and background_rate(corpus, decisions, t) <= max_background_rate:
            chosen = t
        elif chosen is not None and precision < target:
            break
    return float(chosen) if chosen is not None else 1.0


def choose_debunk_threshold(corpus: Corpus, decisions: Sequence[Decision], refutes: Sequence[bool], target: float,
                            threshold: float) -> float:
    """The lowest threshold (not over ``threshold``) at which the best candidate of the units that
    refute a claim (``refutes[u]``: debunking words in the unit) is right at least ``target`` of the
    time, counting every such unit, background texts included (their best candidate is wrong).
    A match of a refuting item is linked as a debunk and never raises the flag, so it may be
    kept at this lower bar; ``threshold`` when no lower one reaches ``target``."""
    best: dict[int, Decision] = {}
    for d in decisions:
        if refutes[d.unit] and (d.unit not in best or d.probability > best[d.unit].probability):
            best[d.unit] = d
    ranked = sorted(best.values(), key=lambda d: -d.probability)
    chosen, right = threshold, 0
    for n, d in enumerate(ranked, start=1):
        right += d.claim in corpus.units[d.unit].positives
        if d.probability < threshold and right / n >= target:
            chosen = d.probability
    return float(chosen)


def pair_level(corpus: Corpus, decisions: Sequence[Decision], labelled: Sequence[tuple[int, int, int]],
               threshold: float) -> tuple[float, float]:
    """Precision and recall over labelled (unit, claim, label) pairs."""
    matched = {(d.unit, d.claim) for d in decisions if d.probability >= threshold}
    predicted = np.array([(u, c) in matched for u, c, _ in labelled])
    labels = np.array([label for _, _, label in labelled])
    tp = int((predicted & (labels == 1)).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else float("nan")
    return precision, tp / max(1, int((labels == 1).sum()))


def split_figures(corpus: Corpus, decisions: Sequence[Decision], threshold: float, target: float) -> dict:
    """Every figure of one method, monolingual and cross-lingual apart where it means something."""
    figures = success_at(corpus, decisions)
    pair_units = {u for u, unit in enumerate(corpus.units) if not unit.background}
    for name, mono in (("monolingual", True), ("crosslingual", False)):
        # a sentence without a positive belongs to neither: it counts against both
        units = {u for u in pair_units if not corpus.units[u].positives or _is_monolingual(corpus, u) == mono}
        recall, _ = recall_at_precision(corpus, decisions, target, units)
        figures[f"recall_at_precision_{name}"] = round(recall, 4)
    recall, at = recall_at_precision(corpus, decisions, target)
    precision, recall_t, accepted = precision_recall_at(corpus, decisions, threshold)
    figures.update({
        "recall_at_precision": round(recall, 4),
        "threshold_reaching_it_on_test": None if at is None else round(at, 4),
        "threshold": round(threshold, 4),
        "precision_at_threshold": round(precision, 4),
        "recall_at_threshold": round(recall_t, 4),
        "matches_at_threshold": accepted,
        "background_false_match_rate": round(background_rate(corpus, decisions, threshold), 4),
    })
    return figures

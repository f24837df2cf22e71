"""Choose the narrative thresholds on the constructed paraphrase set, with a real encoder.

    embed every paraphrase (the encoder the service uses; e5: 'query: ' prefix, mean-pooled)
    background = mean embedding of ``background.jsonl`` (ordinary policy news and opinion,
                 constructed too): the service uses the mean of its recent items instead
    for each join threshold on a grid:
        place the paraphrases online, in several seeded random orders (arrival order matters)
        score the grouping against the claims: adjusted Rand index (ARI), mean over orders
    join threshold  = the grid value with the best mean ARI; ties: the higher (fewer wrong joins)
    merge threshold = the same, for the merge pass run after placement with that join threshold

    python -m classifier.narrative_calibration [--encoder FOLDER]   -> JSON on stdout

The chosen values are committed as the defaults of ``NarrativeSettings``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from classifier.narrative_settings import NarrativeSettings
from classifier.narratives import FlaggedItem, NarrativeIndex, OpenNarrative, place_items, plan_merges

DATA_DIR = Path(__file__).parent / "data" / "narratives"
PARAPHRASES = DATA_DIR / "paraphrases.jsonl"
BACKGROUND = DATA_DIR / "background.jsonl"
JOIN_GRID = tuple(round(x, 3) for x in np.arange(0.10, 0.701, 0.01))
MERGE_GRID = tuple(round(x, 3) for x in np.arange(0.10, 0.901, 0.01))
ORDER_SEEDS = tuple(range(8))
#: Without the background, average cosines of e5 all lie near 0.8-0.95: this grid covers them.
UNCENTRED_JOIN_GRID = tuple(round(x, 3) for x in np.arange(0.80, 0.951, 0.01))
_ARRIVAL_STEP = timedelta(minutes=10)  # paraphrases arrive one after another, well inside the window
_T0 = datetime(2025, 1, 6, tzinfo=UTC)


@dataclass(frozen=True)
class Paraphrase:
    claim: str
    topic: str
    register: str
    text: str


def load_paraphrases(path: Path = PARAPHRASES) -> list[Paraphrase]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Paraphrase(r["claim"], r["topic"], r["register"], r["text"]) for r in rows]


def load_background_texts(path: Path = BACKGROUND) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cluster_online(
    vectors: np.ndarray, order: Sequence[int], settings: NarrativeSettings, merge: bool,
    background: np.ndarray | None = None,
) -> np.ndarray:
    """Narrative label of each vector when they arrive in ``order`` (and optionally merged)."""
    items = [FlaggedItem(i, _T0 + rank * _ARRIVAL_STEP, vectors[i]) for rank, i in enumerate(order)]
    index = NarrativeIndex(vectors.shape[1], background=background)
    placements = place_items(index, items, settings)
    labels = np.zeros(len(vectors), dtype=np.int64)
    for p in placements:
        labels[p.item_id] = p.narrative_id
    if merge:
        members: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            members.setdefault(int(label), []).append(i)
        narratives = [
            OpenNarrative(nid, vectors[rows].mean(axis=0), len(rows), _T0) for nid, rows in sorted(members.items())
        ]
        target = {n.id: n.id for n in narratives}
        for m in plan_merges(narratives, settings.merge_threshold, background):
            for nid, t in target.items():
                if t == m.source_id:
                    target[nid] = m.target_id
        labels = np.array([target[int(label)] for label in labels])
    return labels


def orders(n: int, seeds: Sequence[int] = ORDER_SEEDS) -> list[np.ndarray]:
    return [np.random.default_rng(seed).permutation(n) for seed in seeds]


def mean_ari(
    vectors: np.ndarray, truth: Sequence[str], settings: NarrativeSettings, merge: bool,
    background: np.ndarray | None = None,
) -> float:
    scores = [
        adjusted_rand_score(truth, cluster_online(vectors, o, settings, merge, background))
        for o in orders(len(truth))
    ]
    return float(np.mean(scores))


def calibrate(vectors: np.ndarray, truth: Sequence[str], background: np.ndarray | None) -> dict[str, object]:
    join_scores = {
        j: mean_ari(vectors, truth, NarrativeSettings(join_threshold=j, merge_threshold=0.99), False, background)
        for j in JOIN_GRID
    }
    best_join = max(join_scores, key=lambda j: (round(join_scores[j], 4), j))
    merge_scores = {
        m: mean_ari(vectors, truth, NarrativeSettings(join_threshold=best_join, merge_threshold=m), True, background)
        for m in MERGE_GRID if m >= best_join
    }
    best_merge = max(merge_scores, key=lambda m: (round(merge_scores[m], 4), m))
    return {
        "join_threshold": best_join,
        "merge_threshold": best_merge,
        "ari_join_only": round(join_scores[best_join], 4),
        "ari_with_merge": round(merge_scores[best_merge], 4),
        "join_grid": {str(k): round(v, 4) for k, v in join_scores.items()},
        "merge_grid": {str(k): round(v, 4) for k, v in merge_scores.items()},
        "orders": len(ORDER_SEEDS),
    }


def pair_statistics(vectors: np.ndarray, rows: Sequence[Paraphrase]) -> dict[str, dict[str, float]]:
    """Pairwise cosine percentiles: same claim, same topic but another claim, other topics."""
    claims = np.array([r.claim for r in rows])
    topics = np.array([r.topic for r in rows])
    upper = np.triu_indices(len(rows), 1)
    cosines = (vectors @ vectors.T)[upper]
    same = claims[upper[0]] == claims[upper[1]]
    same_topic = (topics[upper[0]] == topics[upper[1]]) & ~same
    groups = {"same_claim": same, "same_topic_other_claim": same_topic, "other_topic": topics[upper[0]] != topics[upper[1]]}
    return {
        name: {f"p{q}": round(float(np.percentile(cosines[mask], q)), 4) for q in (5, 50, 95)}
        for name, mask in groups.items()
    }


def main(argv: Sequence[str] | None = None) -> None:
    from classifier.encoder import Encoder
    from classifier.settings import ClassifierSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", type=Path, default=Path("var/test-cache/multilingual-e5-small"))
    args = parser.parse_args(argv)
    rows = load_paraphrases()
    encoder = Encoder.from_folder(args.encoder, ClassifierSettings())
    vectors = encoder.encode([r.text for r in rows])
    background = encoder.encode(load_background_texts()).mean(axis=0)
    result = calibrate(vectors, [r.claim for r in rows], background)
    result["ari_without_background_best"] = round(max(
        mean_ari(vectors, [r.claim for r in rows], NarrativeSettings(join_threshold=j, merge_threshold=0.99), False)
        for j in UNCENTRED_JOIN_GRID), 4)
    result["pairs"] = pair_statistics(vectors, rows)
    result["encoder"] = encoder.name
    result["paraphrases"] = len(rows)
    result["claims"] = len({r.claim for r in rows})
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

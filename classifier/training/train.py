"""Training model versions: from the seed set, analysts' labels, or any labelled file.

    examples   = seed set (its own train/validation split)
               + analysts' labels (majority per item; "unsure" and ties left out; agreement
                 reported as Krippendorff's alpha and Cohen's kappa)
               + or a labelled CSV/JSONL file (--text-column, --label-column, --positive)
    split      = examples without a split get a stratified one (fixed seed)
    embeddings = the frozen encoder, through the embedding cache
    head       = heads.fit_head: C by CV, calibration, threshold for the target precision
    version    = a folder (head.safetensors + version.json), registered as a candidate; its
                 validation metrics are shown next to the active version's on the same examples
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.errors import ClassifierError
from classifier.scoring.evidence import item_text
from classifier.training.metrics import (
    binary_metrics,
    cohen_kappa,
    krippendorff_alpha_nominal,
    majority_label,
)
from storage.repositories import classifications
from storage.repositories import labels as label_store
from storage.schema import Item

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "seed" / "seed_nl.csv"
VALIDATION_FRACTION = 0.2
SPLIT_SEED = 20240601


class TrainingDataError(ClassifierError, ValueError):
    """The labelled data cannot be used (missing column, unknown label, one class only...)."""


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    split: str | None = None  # "train", "validation" or None (assigned by stratified_split)
    origin: str = "file"
    group: str | None = None  # e.g. the seed set's narrative: paraphrases of one claim share it
    topic: str | None = None  # the policy topic, when known (the head is made blind to topics)


def parse_label(value: Any, positive: str | None) -> int | None:
    """0/1 labels, or ``positive`` names the positive value (everything else is 0)."""
    text = str(value).strip()
    if positive is not None:
        return 1 if text.lower() == positive.strip().lower() else 0
    if text in ("1", "1.0", "true", "True"):
        return 1
    if text in ("0", "0.0", "false", "False"):
        return 0
    return None


def read_labelled_file(
    path: Path, *, text_column: str = "text", label_column: str = "label", positive: str | None = None,
    split_column: str | None = "split", origin: str = "file", group_column: str | None = None,
    topic_column: str | None = "topic",
) -> list[Example]:
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError(f"file not found: {path}")
    rows = _read_rows(path)
    if not rows:
        raise TrainingDataError(f"{path} has no rows")
    for column in (text_column, label_column):
        if column not in rows[0]:
            raise TrainingDataError(f"{path} has no column {column!r} (columns: {', '.join(rows[0])})")
    examples = []
    for number, row in enumerate(rows, start=2):
        label = parse_label(row[label_column], positive)
        if label is None:
            raise TrainingDataError(
                f"{path}:{number}: label {row[label_column]!r} is not 0/1 (use --positive VALUE)"
            )
        text = str(row[text_column] or "").strip()
        if text:
            split = row.get(split_column) if split_column else None
            group = (row.get(group_column) or None) if group_column else None
            topic = (row.get(topic_column) or None) if topic_column else None
            examples.append(
                Example(text, label, split if split in ("train", "validation") else None, origin, group, topic)
            )
    return examples


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as fh:
            try:
                return [json.loads(line) for line in fh if line.strip()]
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"{path}: not JSON lines ({exc})") from exc
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def seed_examples(path: Path | None = None) -> list[Example]:
    """The constructed Dutch seed set, with its own train/validation split."""
    return read_labelled_file(path or SEED_FILE, origin="seed", group_column="narrative")


# ----------------------------------------------------------------------------- analysts' labels
@dataclass
class AnalystData:
    examples: list[Example]
    agreement: dict[str, Any] = field(default_factory=dict)


def analyst_examples(session: Session) -> AnalystData:
    """One example per item with a majority label; agreement between analysts reported."""
    by_item: dict[int, dict[int, str]] = defaultdict(dict)
    for row in label_store.active_labels(session):
        by_item[row.item_id][row.user_id] = row.label  # an analyst's latest label counts
    items = {
        i.id: i
        for i in session.scalars(select(Item).where(Item.id.in_(list(by_item)))) if by_item
    } if by_item else {}
    topics = classifications.main_topics(session, list(by_item))
    examples, ties, unsure_only = [], 0, 0
    for item_id in sorted(by_item):
        verdict = majority_label(list(by_item[item_id].values()))
        if verdict is None:
            if all(v == "unsure" for v in by_item[item_id].values()):
                unsure_only += 1
            else:
                ties += 1
            continue
        item = items.get(item_id)
        if item is not None:
            examples.append(Example(item_text(item.title, item.summary, item.body_text), verdict, None, "analyst",
                                    topic=topics.get(item_id)))
    agreement = labelling_agreement(by_item)
    agreement.update({"items_labelled": len(by_item), "items_used": len(examples), "ties_left_out": ties,
                      "unsure_left_out": unsure_only})
    return AnalystData(examples, agreement)


def labelling_agreement(by_item: dict[int, dict[int, str]]) -> dict[str, Any]:
    """Krippendorff's alpha over all items with two or more analysts (binary target, "unsure"
    left out), and Cohen's kappa for the pair of analysts who share the most items."""
    target = label_store.BINARY_TARGET
    units = [[target[v] for v in coders.values() if target.get(v) is not None] for coders in by_item.values()]
    shared: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for coders in by_item.values():
        ids = sorted(u for u, v in coders.items() if target.get(v) is not None)
        for a_i, a in enumerate(ids):
            for b in ids[a_i + 1 :]:
                shared[(a, b)].append((target[coders[a]], target[coders[b]]))
    result: dict[str, Any] = {
        "items_with_several_analysts": sum(len(u) >= 2 for u in units),
        "krippendorff_alpha": _round(krippendorff_alpha_nominal(units)),
    }
    if shared:
        pair, values = max(shared.items(), key=lambda kv: (len(kv[1]), [-x for x in kv[0]]))
        result["cohen_kappa"] = {
            "user_ids": list(pair), "items": len(values),
            "kappa": _round(cohen_kappa([v[0] for v in values], [v[1] for v in values])),
        }
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ----------------------------------------------------------------------------- splitting and fingerprint
def stratified_split(examples: Sequence[Example], fraction: float = VALIDATION_FRACTION, seed: int = SPLIT_SEED) -> list[Example]:
    """Give every example without a split one, stratified by label, deterministically."""
    rng = np.random.default_rng(seed)
    result = list(examples)
    for label in (0, 1):
        open_idx = [i for i, e in enumerate(result) if e.split is None and e.label == label]
        order = rng.permutation(len(open_idx))
        n_validation = int(round(len(open_idx) * fraction))
        for rank, position in enumerate(order):
            index = open_idx[position]
            result[index] = replace(result[index], split="validation" if rank < n_validation else "train")
    return result


def deduplicate(examples: Sequence[Example]) -> tuple[list[Example], int]:
    """One example per text; a text with conflicting labels is dropped. Returns (kept, dropped)."""
    by_text: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_text[example.text].append(example)
    kept, dropped = [], 0
    for group in by_text.values():
        if len({e.label for e in group}) > 1:
            dropped += len(group)
            continue
        validation = [e for e in group if e.split == "validation"]
        kept.append(validation[0] if validation else group[0])  # never train on a validation text
        dropped += len(group) - 1
    return kept, dropped


def training_fingerprint(examples: Sequence[Example]) -> str:
    """sha256 of the sorted (text, label) pairs: the identity of the training data."""
    digest = hashlib.sha256()
    for text, label in sorted((e.text, e.label) for e in examples):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1f")
        digest.update(str(label).encode())
        digest.update(b"\x1e")
    return "sha256:" + digest.hexdigest()


def split_counts(examples: Sequence[Example]) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for split in ("train", "validation"):
        part = [e for e in examples if e.split == split]
        counts[split] = {"n": len(part), "positives": sum(e.label for e in part)}
    origins: dict[str, int] = defaultdict(int)
    for e in examples:
        origins[e.origin] += 1
    counts["origins"] = dict(sorted(origins.items()))
    return counts


def group_held_out_metrics(
    examples: Sequence[Example], embed, *, target_precision: float | None, folds: int = 5
) -> dict[str, Any]:
    """Cross-validation in which every group (a narrative and all its paraphrases) is held out
    together: how well the head finds narratives it has never seen. Examples without a group
    are their own group. Thresholds and topic directions come from each training part."""
    from sklearn.model_selection import GroupKFold

    from classifier.scoring.heads import fit_head, topic_directions

    x = embed([e.text for e in examples])
    y = np.array([e.label for e in examples], dtype=int)
    groups = [e.group or f"#{i}" for i, e in enumerate(examples)]
    probs, thresholds = np.zeros(len(y)), np.zeros(len(y))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(x, y, groups):
        blind = topic_directions(x[train_idx], [examples[i].topic for i in train_idx])
        trained = fit_head(x[train_idx], y[train_idx], target_precision=target_precision, blind_to=blind)
        probs[test_idx] = trained.model.probabilities(x[test_idx])
        thresholds[test_idx] = trained.model.threshold
    metrics = binary_metrics(y, probs, thresholds)
    metrics.update({"threshold": "chosen per fold", "folds": folds, "groups": len(set(groups))})
    return metrics


def evaluate_head(version, texts: Sequence[str], labels: Sequence[int], embed) -> dict[str, Any]:
    """Metrics of a loaded version on labelled texts, at its own threshold."""
    probs = version.model.probabilities(embed(list(texts)), list(texts))
    return binary_metrics(labels, probs, version.model.threshold)

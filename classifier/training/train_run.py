"""Running a training: examples in, a registered candidate version out (see ``classifier.training.train``).

Also evaluation of a version on any labelled examples, scored the way ``classify`` scores
items (the maximum over a text's token windows).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier.encoding.embedding_cache import EmbeddingCache
from classifier.encoding.encoder import Encoder
from classifier.scoring.heads import DEFAULT_SEED, HeadError, TrainedHead, fit_head, topic_directions
from classifier.scoring.hybrid import INNER_FOLDS, PartFits, TrainedHybrid, fit_hybrid
from classifier.training.finetune import FinetuneParams, finetune_version_head
from classifier.training.metrics import binary_metrics
from classifier.training.train import (
    Example,
    TrainingDataError,
    analyst_examples,
    deduplicate,
    seed_examples,
    split_counts,
    stratified_split,
    training_fingerprint,
)
from classifier.versions import (
    TASK_CHECKWORTHY,
    TASK_DISINFORMATION,
    TASKS,
    AppSettings,
    LoadedVersion,
    VersionError,
    install_default_versions,
    load_version_for,
    register_folder,
    version_folder,
    versions_dir,
    write_version_folder,
)
from storage import transaction
from storage.repositories import model_versions

#: How a version is trained: a linear head over the frozen encoder; the hybrid head (that head
#: and a TF-IDF model, combined in log-odds: the kind of the shipped default, classifier.scoring.hybrid);
#: or the encoder fine-tuned with its head.
TRAIN_MODES = ("head", "hybrid", "full")


@dataclass
class TrainOutcome:
    name: str
    task: str
    folder: Path
    metrics: dict[str, Any]
    counts: dict[str, Any]
    threshold: float
    threshold_rule: dict[str, Any]
    agreement: dict[str, Any] = field(default_factory=dict)
    active_name: str | None = None
    active_metrics: dict[str, Any] | None = None  # the active version on the same validation examples
    registered: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "task": self.task, "folder": str(self.folder), "threshold": self.threshold,
            "threshold_rule": self.threshold_rule, "metrics": self.metrics, "counts": self.counts,
            "agreement": self.agreement, "active": {"name": self.active_name, "validation": self.active_metrics},
        }


def embedding_cache(settings: AppSettings, encoder: Encoder) -> EmbeddingCache:
    return EmbeddingCache(Path(settings.data_dir) / "cache", encoder)


def fit_examples(
    examples: Sequence[Example], embed, *, target_precision: float | None, calibration: str, seed: int = DEFAULT_SEED,
    blind_to_topics: bool = True,
) -> TrainedHead:
    """A head on the training split, blind to the policy-topic directions of its examples."""
    train = [e for e in examples if e.split == "train"]
    validation = [e for e in examples if e.split == "validation"]
    if not train:
        raise TrainingDataError("no training examples")
    x_train = embed([e.text for e in train])
    blind = topic_directions(x_train, [e.topic for e in train]) if blind_to_topics else None
    x_val = embed([e.text for e in validation]) if validation else None
    y_val = np.array([e.label for e in validation], dtype=int) if validation else None
    try:
        return fit_head(
            x_train, np.array([e.label for e in train], dtype=int), x_validation=x_val, y_validation=y_val,
            target_precision=target_precision, calibration=calibration, seed=seed, blind_to=blind,
        )
    except HeadError as exc:
        raise TrainingDataError(str(exc)) from exc


def fit_examples_hybrid(
    examples: Sequence[Example], embed, *, target_precision: float | None, calibration: str,
) -> TrainedHybrid:
    """The hybrid head on the training split (its e5 part as ``fit_examples`` fits a head), the
    combination calibrated on grouped out-of-fold scores; validation metrics as for a head."""
    train = [e for e in examples if e.split == "train"]
    validation = [e for e in examples if e.split == "validation"]
    if {e.label for e in train} != {0, 1}:
        raise TrainingDataError("training data needs both classes (0 and 1)")
    if target_precision is None:
        raise TrainingDataError("the hybrid head needs a target precision: train it for the disinformation task")
    groups = {e.group or f"row:{i}" for i, e in enumerate(train)}
    if len(groups) < 2:
        raise TrainingDataError("the hybrid head needs examples of at least two groups")
    fits = PartFits(
        fit_head=lambda part: fit_examples(part, embed, target_precision=target_precision, calibration=calibration),
        rows=list, weight=lambda row: 1.0,
    )
    try:
        trained = fit_hybrid(train, embed, fits, target_precision=target_precision,
                             folds=min(INNER_FOLDS, len(groups)))
    except ValueError as exc:  # a fold left with one class
        raise TrainingDataError(f"too few examples for the hybrid head's folds: {exc}") from exc
    if validation:
        texts = [e.text for e in validation]
        trained.metrics["validation"] = binary_metrics(
            [e.label for e in validation], trained.model.probabilities(embed(texts), texts), trained.model.threshold)
    return trained


def train_version_folder(
    encoder: Encoder,
    embed,
    examples: Sequence[Example],
    *,
    name: str,
    task: str,
    out_dir: Path,
    target_precision: float | None,
    calibration: str,
    default: bool = False,
    description: str = "",
    extra: dict[str, Any] | None = None,
    extra_metrics: dict[str, Any] | None = None,
    mode: str = "head",
    progress=None,
    finetune_params: FinetuneParams | None = None,
) -> tuple[Path, TrainedHead | TrainedHybrid, dict[str, Any]]:
    """Deduplicate and split the examples, train (a head over the frozen encoder, the hybrid head
    with ``mode="hybrid"``, or with ``mode="full"`` the encoder itself too), write the version folder."""
    if task not in TASKS:
        raise TrainingDataError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    if mode not in TRAIN_MODES:
        raise TrainingDataError(f"unknown training mode {mode!r}: use {', '.join(TRAIN_MODES)}")
    kept, dropped = deduplicate(examples)
    ready = stratified_split(kept)
    counts = split_counts(ready)
    counts["duplicates_or_conflicts_dropped"] = dropped
    training = {
        "fingerprint": training_fingerprint([e for e in ready if e.split == "train"]),
        "all_fingerprint": training_fingerprint(ready),
        "counts": counts,
        "split_seed": "classifier.training.train.SPLIT_SEED",
        "mode": mode,
        **(extra or {}),
    }
    target = Path(out_dir) / name
    if mode in ("head", "hybrid"):
        fit = fit_examples_hybrid if mode == "hybrid" else fit_examples
        trained = fit(ready, embed, target_precision=target_precision, calibration=calibration)
        trained.metrics.update(extra_metrics or {})
        folder = write_version_folder(target, name=name, task=task, trained=trained, encoder=encoder,
                                      training=training, default=default, description=description)
        return folder, trained, {"ready": ready, "counts": counts}
    if {e.label for e in ready if e.split == "train"} != {0, 1}:
        raise TrainingDataError("training data needs both classes (0 and 1)")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out_dir))
    try:
        tuned, trained, own = finetune_version_head(
            encoder.folder, encoder.settings, ready, work, target_precision=target_precision, progress=progress,
            params=finetune_params or FinetuneParams(),
        )
        trained.metrics.update(extra_metrics or {})
        folder = write_version_folder(
            target, name=name, task=task, trained=trained, encoder=tuned, training=training, default=default,
            description=description, own_encoder=own, base_name=f"{encoder.name} (fine-tuned)",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder, trained, {"ready": ready, "counts": counts}


def train_candidate(
    sessions: sessionmaker[Session],
    settings: AppSettings,
    encoder: Encoder,
    *,
    name: str,
    task: str = TASK_DISINFORMATION,
    data: Sequence[Example] | None = None,
    include_seed: bool = True,
    include_labels: bool = True,
    actor: str = "system",
    out_dir: Path | None = None,
    default: bool = False,
    description: str = "",
    register: bool = True,
    mode: str = "head",
    progress=None,
    finetune_params: FinetuneParams | None = None,
) -> TrainOutcome:
    """Train a candidate version of ``task`` and register it; compare it with the active one
    (the shipped default is installed first when no version is active)."""
    install_default_versions(sessions, settings, actor)
    with transaction(sessions) as session:
        if model_versions.find_model_version(session, name) is not None:
            raise TrainingDataError(f"a model version named {name!r} exists already")
    examples: list[Example] = list(data or [])
    agreement: dict[str, Any] = {}
    if task == TASK_DISINFORMATION and include_seed:
        examples.extend(seed_examples())
    if task == TASK_DISINFORMATION and include_labels:
        with transaction(sessions) as session:
            analysts = analyst_examples(session)
        examples.extend(analysts.examples)
        agreement = analysts.agreement
    if not examples:
        raise TrainingDataError("no labelled examples: give --data FILE, or label items first")
    cache = embedding_cache(settings, encoder)
    target = settings.classifier.target_precision if task == TASK_DISINFORMATION else None
    folder, trained, extra = train_version_folder(
        encoder, cache.encode, examples, name=name, task=task, out_dir=out_dir or versions_dir(settings),
        target_precision=target, calibration=settings.classifier.calibration, default=default,
        description=description, extra={"analyst_agreement": agreement} if agreement else None,
        mode=mode, progress=progress, finetune_params=finetune_params,
    )
    outcome = TrainOutcome(
        name, task, folder, trained.metrics, extra["counts"], trained.model.threshold,
        trained.threshold_choice.as_dict(), agreement,
    )
    validation = [e for e in extra["ready"] if e.split == "validation"]
    with transaction(sessions) as session:
        active = model_versions.active_model_version(session, task)
        if active is not None and validation:
            try:
                loaded, scoring = load_version_for(version_folder(settings, active), encoder)
                embed = cache.encode if scoring is encoder else scoring.encode
                outcome.active_name = active.name
                outcome.active_metrics = binary_metrics(
                    [e.label for e in validation],
                    loaded.model.probabilities(embed([e.text for e in validation]), [e.text for e in validation]),
                    loaded.model.threshold,
                )
            except VersionError:
                outcome.active_name = active.name  # trained on another encoder: no fair comparison
        if register:
            register_folder(session, settings, folder, actor=actor)
            outcome.registered = True
    return outcome


# ----------------------------------------------------------------------------- evaluation
def window_max_probabilities(encoder: Encoder, version: LoadedVersion, texts: Sequence[str]) -> np.ndarray:
    """Each text's score as ``classify`` computes it: the maximum over its token windows."""
    owners, ids, window_texts = [], [], []
    for index, text in enumerate(texts):
        for window in encoder.token_windows(text):
            owners.append(index)
            ids.append(window.token_ids)
            window_texts.append(text[window.char_start:window.char_end])
    probs = version.model.probabilities(encoder.encode_ids(ids), window_texts) if ids else np.zeros(0)
    best = np.zeros(len(texts))
    np.maximum.at(best, np.asarray(owners, dtype=int), probs)
    return best


def evaluate_version(
    sessions: sessionmaker[Session], settings: AppSettings, encoder: Encoder, examples: Sequence[Example],
    version_name: str | None = None, task: str = TASK_DISINFORMATION,
) -> dict[str, Any]:
    """precision, recall, f1, roc_auc, pr_auc, ece, n (and more) of a version on examples."""
    with transaction(sessions) as session:
        row = model_versions.get_model_version(session, version_name) if version_name else model_versions.active_model_version(session, task)
        if row is None:
            raise VersionError(f"no active {task} model version: name one with --version")
        folder, name = version_folder(settings, row), row.name
    version, scoring = load_version_for(folder, encoder)
    if not examples:
        raise TrainingDataError("no examples to evaluate")
    labels = [e.label for e in examples]
    metrics = binary_metrics(labels, window_max_probabilities(scoring, version, [e.text for e in examples]),
                             version.model.threshold)
    metrics["version"] = name
    return metrics


__all__ = ["TASK_CHECKWORTHY", "TrainOutcome", "evaluate_version", "train_candidate", "train_version_folder"]

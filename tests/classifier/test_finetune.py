"""train --mode full on the tiny encoder: the version carries its own encoder and scores with it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import storage
from classifier.scoring.score import classify_items, load_scoring_models
from classifier.training.finetune import FinetuneParams
from classifier.training.train import Example, TrainingDataError
from classifier.training.train_run import evaluate_version, train_candidate
from classifier.versions import promote
from storage.repositories import classifications
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)


def _examples() -> list[Example]:
    variants = ["", " Echt waar.", " Zegt men.", " Vandaag."]
    return [Example(t + v, 1) for t in POSITIVE for v in variants] + [Example(t + v, 0) for t in NEGATIVE for v in variants]


def test_full_mode_trains_the_encoder_and_scores_with_it(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    seen: list[int] = []
    outcome = train_candidate(
        db.sessions, settings, tiny_encoder, name="tiny-full", data=_examples(), include_seed=False,
        include_labels=False, mode="full", progress=seen.append,
        # the tiny random encoder needs bolder steps than a real one to move in a few epochs
        finetune_params=FinetuneParams(epochs=4, encoder_learning_rate=2e-3, head_learning_rate=3e-2),
    )
    folder = outcome.folder
    assert folder.parent == settings.data_dir / "models" / "versions"  # never under models/
    assert (folder / "encoder" / "model.safetensors").is_file() and (folder / "encoder" / "tokenizer.json").is_file()
    document = json.loads((folder / "version.json").read_text())
    assert document["base_model"]["own_encoder"] == "encoder"
    assert document["base_model"]["fingerprint"] != tiny_encoder.fingerprint
    losses = document["head"]["losses"]
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert sum(seen) == 4 * document["head"]["fit"]
    assert outcome.active_name == "tiny-v1" and outcome.active_metrics is not None
    assert set(outcome.metrics["validation"]) >= {"precision", "recall", "f1", "roc_auc"}
    assert not list(folder.parent.glob(".tiny-full.*"))  # the work folder is gone

    promote(db.sessions, "tiny-full", "tester")
    models = load_scoring_models(db.sessions, settings, encoder=tiny_encoder)
    assert models.scoring_encoder is not None and models.scoring_encoder.fingerprint == document["base_model"]["fingerprint"]
    text = [POSITIVE[0]]
    assert not np.allclose(models.scoring_encoder.encode(text), tiny_encoder.encode(text))
    with storage.transaction(db.sessions) as session:
        (item_id,) = add_items(session, [(POSITIVE[3], "", None)])
    assert classify_items(db.sessions, settings, models).scored == 1
    with db.read_sessions() as session:
        row = classifications.classification_for_item(session, item_id)
        embedding = classifications.item_embeddings(session, [item_id])[item_id]
    windows = tiny_encoder.encode_ids([w.token_ids for w in tiny_encoder.token_windows(POSITIVE[3])]).mean(axis=0)
    np.testing.assert_allclose(embedding, windows / np.linalg.norm(windows), atol=1e-5)  # stored: base encoder
    assert 0 <= row.score <= 1
    metrics = evaluate_version(db.sessions, settings, tiny_encoder, _examples(), "tiny-full")
    assert metrics["n"] == 64 and metrics["version"] == "tiny-full"


def test_full_mode_refuses_too_little_data(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    few = [Example(POSITIVE[0], 1), Example(NEGATIVE[0], 0), Example(POSITIVE[1], 1), Example(NEGATIVE[1], 0)]
    with pytest.raises(TrainingDataError, match="too few"):
        train_candidate(db.sessions, settings, tiny_encoder, name="tiny-few", data=few, include_seed=False,
                        include_labels=False, mode="full")

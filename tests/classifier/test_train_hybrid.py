"""train --mode hybrid: analysts' labels train the same kind of head as the shipped default (the
e5 head and a TF-IDF model, combined), and its versions classify with both parts on record."""

from __future__ import annotations

import json

import pytest

import storage
from classifier.scoring.score import classify_items, load_scoring_models
from classifier.training.train import Example, TrainingDataError
from classifier.training.train_run import train_candidate
from classifier.versions import TASK_CHECKWORTHY, promote
from storage.repositories import classifications
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)


def _examples() -> list[Example]:
    variants = ["", " Echt waar.", " Zegt men.", " Vandaag.", " Lees dit."]
    return ([Example(t + v, 1, group=f"p{i}") for i, t in enumerate(POSITIVE) for v in variants]
            + [Example(t + v, 0, group=f"n{i}") for i, t in enumerate(NEGATIVE) for v in variants])


def test_hybrid_mode_writes_a_hybrid_version_that_classifies_with_both_parts(
        db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    outcome = train_candidate(db.sessions, settings, tiny_encoder, name="tiny-hybrid", data=_examples(),
                              include_seed=False, include_labels=False, mode="hybrid")
    document = json.loads((outcome.folder / "version.json").read_text())
    assert document["head"]["kind"] == "hybrid" and (outcome.folder / "lexical.safetensors").is_file()
    assert document["training"]["mode"] == "hybrid"
    assert set(outcome.metrics["validation"]) >= {"precision", "recall", "f1", "roc_auc"}
    assert outcome.active_name == "tiny-v1" and outcome.active_metrics is not None
    promote(db.sessions, "tiny-hybrid", "tester")
    models = load_scoring_models(db.sessions, settings, encoder=tiny_encoder)
    with storage.transaction(db.sessions) as session:
        (item_id,) = add_items(session, [(POSITIVE[2], "", None)])
    assert classify_items(db.sessions, settings, models).scored == 1
    with db.read_sessions() as session:
        row = classifications.classification_for_item(session, item_id)
    assert row.signal_parts["head"]["version"] == "tiny-hybrid"
    assert set(row.signal_parts["head"]["components"]) == {"embedding", "lexical"}


def test_hybrid_mode_needs_a_target_precision_and_two_groups(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder):
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    with pytest.raises(TrainingDataError, match="target precision"):
        train_candidate(db.sessions, settings, tiny_encoder, name="cw", task=TASK_CHECKWORTHY, data=_examples(),
                        include_seed=False, include_labels=False, mode="hybrid")
    one_group = [Example(e.text, e.label, group="g") for e in _examples()]
    with pytest.raises(TrainingDataError, match="two groups"):
        train_candidate(db.sessions, settings, tiny_encoder, name="one", data=one_group, include_seed=False,
                        include_labels=False, mode="hybrid")

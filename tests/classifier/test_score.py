"""Scoring pending items end to end on a real database, with the tiny encoder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

import storage
from classifier.encoding.encoder import Encoder
from classifier.scoring.evidence import item_text
from classifier.scoring.score import classify_items, load_scoring_models
from classifier.scoring.topics import seed_topics
from classifier.versions import promote, rollback
from storage.repositories import classifications, model_versions
from storage.schema import Classification, ItemEmbedding, ItemSentence, ItemTopic, utcnow
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    TOPICS_TOML,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)


@pytest.fixture
def app(tmp_path: Path, tiny_folder, tiny_settings, tiny_encoder: Encoder, db):
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    topics_file = tmp_path / "topics.toml"
    topics_file.write_text(TOPICS_TOML)
    with storage.transaction(db.sessions) as session:
        seed_topics(session, topics_file)
    return settings


def _models(db, app, encoder):
    return load_scoring_models(db.sessions, app, encoder=encoder)


def test_classify_stores_signal_evidence_topics_and_embeddings(db, app, tiny_encoder) -> None:
    long_body = " ".join(NEGATIVE * 3) + " " + POSITIVE[0] + " " + " ".join(NEGATIVE * 2)
    items = [
        (POSITIVE[1], "", None),
        ("Huurtoeslag", NEGATIVE[0], None),
        ("Lang artikel", "korte samenvatting", long_body),
    ]
    with storage.transaction(db.sessions) as session:
        ids = add_items(session, items)
        add_items(session, [("An English item", "The cabinet raises taxes.", None)], language="en")
    models = _models(db, app, tiny_encoder)
    assert models.disinformation.info.name == "tiny-v1"  # the shipped default was installed
    seen: list[int] = []
    report = classify_items(db.sessions, app, models, advance=seen.append)
    assert report.scored == 3 and sum(seen) == 3 and report.batches == 1

    with db.read_sessions() as session:
        rows = {c.item_id: c for c in session.scalars(select(Classification))}
        assert set(rows) == set(ids)  # the English item is not classified
        threshold = models.disinformation.model.threshold
        for item_id, (title, summary, body) in zip(ids, items, strict=True):
            row = rows[item_id]
            text = item_text(title, summary, body)
            assert 0.0 <= row.score <= 1.0
            assert row.flagged == (row.score >= threshold)
            assert row.label == ("disinformation" if row.flagged else "not_disinformation")
            assert row.flag_reasons == (["classifier"] if row.flagged else [])
            assert text[row.evidence_start : row.evidence_end] == row.evidence_text
            sentences = classifications.sentences_of_item(session, item_id)
            assert sentences and all(text[s.char_start : s.char_end] == s.text for s in sentences)
            assert all(len(s.vector) == 4 * tiny_encoder.dim for s in sentences)
            embedding = session.get(ItemEmbedding, item_id)
            assert embedding.encoder == tiny_encoder.fingerprint and embedding.dim == tiny_encoder.dim
            assert np.linalg.norm(np.frombuffer(embedding.vector, "<f4")) == pytest.approx(1.0, abs=1e-5)
        assert rows[ids[0]].score > rows[ids[1]].score  # the trained signal survives the pipeline
        # the long article: evidence is a sentence of it, chosen inside its best window
        long_row = rows[ids[2]]
        assert long_row.evidence_text in long_body
        assert "wonen" in rows[ids[1]].topics
        topic_rows = session.scalars(select(ItemTopic).where(ItemTopic.item_id == ids[1])).all()
        assert {t.topic_id for t in topic_rows} and all(0 < t.score <= 1 for t in topic_rows)


def test_rerun_is_idempotent_and_all_rescores_without_duplicates(db, app, tiny_encoder) -> None:
    with storage.transaction(db.sessions) as session:
        add_items(session, [(t, "", None) for t in POSITIVE[:2] + NEGATIVE[:2]])
    models = _models(db, app, tiny_encoder)
    assert classify_items(db.sessions, app, models).scored == 4
    assert classify_items(db.sessions, app, models).scored == 0
    with db.read_sessions() as session:
        sentences_before = session.scalar(select(func.count(ItemSentence.id)))
    again = classify_items(db.sessions, app, models, mode="all")
    assert again.scored == 4
    with db.read_sessions() as session:
        assert session.scalar(select(func.count(Classification.id))) == 4
        assert session.scalar(select(func.count(ItemSentence.id))) == sentences_before
        assert session.scalar(select(func.count(ItemEmbedding.item_id))) == 4


def test_pending_window_since_and_collector_handoff(db, app, tiny_encoder) -> None:
    old = utcnow() - timedelta(days=app.classifier.pending_window_days + 5)
    with storage.transaction(db.sessions) as session:
        old_ids = add_items(session, [(NEGATIVE[3], "", None)], collected_at=old)
        handed = add_items(session, [(NEGATIVE[4], "", None)], language=None, to_classify=True)
    models = _models(db, app, tiny_encoder)
    report = classify_items(db.sessions, app, models)
    assert report.scored == 1  # the old item is outside the pending window
    with db.read_sessions() as session:
        assert classifications.classification_for_item(session, handed[0]) is not None
        assert classifications.classification_for_item(session, old_ids[0]) is None
    assert classify_items(db.sessions, app, models, mode="since", since=old - timedelta(days=1)).scored == 2
    assert classify_items(db.sessions, app, models, mode="all", limit=1).scored == 1


def test_rescoring_keeps_the_claim_match_reason(db, app, tiny_encoder) -> None:
    with storage.transaction(db.sessions) as session:
        (item_id,) = add_items(session, [(NEGATIVE[1], "", None)])
    models = _models(db, app, tiny_encoder)
    classify_items(db.sessions, app, models)
    with storage.transaction(db.sessions) as session:
        row = classifications.classification_for_item(session, item_id)
        row.flag_reasons, row.flagged, row.matched_at = ["claim_match"], True, utcnow()
    classify_items(db.sessions, app, models, mode="all")
    with db.read_sessions() as session:
        row = classifications.classification_for_item(session, item_id)
        assert "claim_match" in row.flag_reasons and row.flagged
        assert row.matched_at is None  # new sentences: the matcher looks again


def test_promotion_makes_recent_items_pending_and_rollback_returns(db, app, tiny_encoder) -> None:
    with storage.transaction(db.sessions) as session:
        add_items(session, [(t, "", None) for t in POSITIVE[:2]])
    models = _models(db, app, tiny_encoder)
    classify_items(db.sessions, app, models)
    folder = write_tiny_version(app, tiny_encoder, "tiny-v2", default=False, seed=7)
    from classifier.versions import register_folder

    with storage.transaction(db.sessions) as session:
        register_folder(session, app, folder, actor="tester")
    assert promote(db.sessions, "tiny-v2", "tester") == ("tiny-v2", "tiny-v1")
    models2 = _models(db, app, tiny_encoder)
    assert models2.disinformation.info.name == "tiny-v2"
    assert classify_items(db.sessions, app, models2).scored == 2  # re-scored by the new version
    assert rollback(db.sessions, "disinformation", "tester") == ("tiny-v1", "tiny-v2")
    with db.read_sessions() as session:
        statuses = {v.name: v.status for v in model_versions.list_model_versions(session)}
        assert statuses == {"tiny-v1": "active", "tiny-v2": "retired"}
        actions = [e.action for e in storage.repositories.audit.entries(session, object_type="model_version")]
        assert actions[:2] == ["model.rollback", "model.promote"]
    with pytest.raises(storage.errors.NotFound):
        rollback(db.sessions, "disinformation", "tester")


def test_a_concurrent_insert_is_retried_as_an_update(db, app, tiny_encoder, monkeypatch) -> None:
    from sqlalchemy.exc import IntegrityError

    with storage.transaction(db.sessions) as session:
        (item_id,) = add_items(session, [(POSITIVE[2], "", None)])
    real_save, calls = classifications.save_classification, []

    def racing_save(session, version_id, record):
        calls.append(record.item_id)
        if len(calls) == 1:  # as if another process had inserted the row first
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return real_save(session, version_id, record)

    monkeypatch.setattr(classifications, "save_classification", racing_save)
    assert classify_items(db.sessions, app, _models(db, app, tiny_encoder)).scored == 1
    assert calls == [item_id, item_id]
    with db.read_sessions() as session:
        assert classifications.classification_for_item(session, item_id) is not None


def test_very_long_items_are_scored_on_their_first_windows(db, app, tiny_encoder) -> None:
    models = _models(db, app, tiny_encoder)
    models.max_windows = 2
    from classifier.scoring.score import score_texts

    text = " ".join(NEGATIVE * 10) + " " + POSITIVE[0]
    (result,) = score_texts(models, [(1, text)])
    assert result.window[1] < len(text) - len(POSITIVE[0])  # the last window was not scored

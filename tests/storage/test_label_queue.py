"""The analysts' label queue (``storage.read_models.label_queue``): the pure ranking, and the queue
read from what the classifier stored (the tiny random encoder of the classifier tests scores it)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

import storage
from classifier.scoring.score import classify_items, load_scoring_models
from classifier.scoring.topics import seed_topics
from storage.read_models.label_queue import QueueCandidate, label_queue, rank_label_queue, uncertainty
from storage.repositories import labels as label_store
from storage.repositories.users import add_user
from storage.schema import Item, utcnow
from tests.classifier.conftest import tiny_encoder, tiny_folder, tiny_settings  # noqa: F401 - fixtures
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    TOPICS_TOML,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)

NOW = utcnow()


def _c(item_id, score, hours=1.0, topic=0.0, cw=None, group=None, vector=None):
    return QueueCandidate(item_id, score, 0.6, NOW - timedelta(hours=hours), topic, cw, group, vector)


def test_uncertainty_peaks_at_the_threshold() -> None:
    assert uncertainty(0.6, 0.6) == 1.0
    assert uncertainty(0.0, 0.6) == 0.0 and uncertainty(1.0, 0.6) == 0.0
    assert uncertainty(0.3, 0.6) == pytest.approx(0.5) and uncertainty(0.8, 0.6) == pytest.approx(0.5)


def test_ranking_prefers_uncertain_recent_important_checkworthy() -> None:
    ranked = rank_label_queue(
        [_c(1, 0.05), _c(2, 0.58), _c(3, 0.58, hours=200), _c(4, 0.58, topic=1.0), _c(5, 0.58, cw=0.9)],
        now=NOW, limit=10,
    )
    order = [e.item_id for e in ranked]
    assert order[0] == 4 and order[-1] == 1
    assert order.index(5) < order.index(2) < order.index(3)
    assert set(ranked[0].parts) == {"uncertainty", "recency", "topic", "checkworthy"}


def test_no_run_of_near_duplicates() -> None:
    v = np.array([1.0, 0.0, 0.0], np.float32)
    almost = np.array([0.99, 0.1, 0.0], np.float32) / np.linalg.norm([0.99, 0.1, 0.0])
    other = np.array([0.0, 1.0, 0.0], np.float32)
    ranked = rank_label_queue(
        [_c(1, 0.6, vector=v), _c(2, 0.6, vector=almost), _c(3, 0.59, vector=other),
         _c(4, 0.6, group=9), _c(5, 0.6, group=9)],
        now=NOW, limit=10,
    )
    ids = [e.item_id for e in ranked]
    assert 2 not in ids and 1 in ids and 3 in ids
    assert len({4, 5} & set(ids)) == 1
    assert len(rank_label_queue([_c(i, 0.6) for i in range(10)], now=NOW, limit=3)) == 3


def test_label_queue_reads_storage_and_skips_labelled_items(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:  # noqa: F811 - fixtures
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings)
    write_tiny_version(settings, tiny_encoder)
    (tmp_path / "t.toml").write_text(TOPICS_TOML)
    with storage.transaction(db.sessions) as session:
        seed_topics(session, tmp_path / "t.toml")
        ids = add_items(session, [(t, "", None) for t in POSITIVE[:3] + NEGATIVE[:3]])
        first = session.get(Item, ids[0])
        session.get(Item, ids[1]).duplicate_of = first.id
        analyst = add_user(session, "anna", "a long password", "analyst", "admin")
    classify_items(db.sessions, settings, load_scoring_models(db.sessions, settings, encoder=tiny_encoder))
    with storage.transaction(db.sessions) as session:
        label_store.add_label(session, ids[2], analyst, "disinformation")
    with db.read_sessions() as session:
        # the tiny random encoder puts all texts close together: only exact repeats count as near-duplicates here
        strict = settings.classifier.model_copy(update={"near_duplicate_cosine": 0.99999})
        queue = label_queue(session, strict, limit=10)
        assert len(label_queue(session, settings.classifier, limit=10)) <= len(queue)
    queued = [e.item_id for e in queue]
    assert ids[2] not in queued  # already labelled
    assert not {ids[0], ids[1]} <= set(queued)  # one of a duplicate group
    assert len(queued) == len(set(queued)) >= 3
    assert [e.priority for e in queue] == sorted((e.priority for e in queue), reverse=True)


def test_the_queue_ranks_the_classifiers_item_signal_with_its_settings() -> None:
    """Storage names the task and the settings fields itself (it imports no classifier): they
    must stay the classifier's."""
    from classifier import TASK_DISINFORMATION, ClassifierSettings
    from storage.read_models.label_queue import QUEUE_TASK, QueueSettings

    assert QUEUE_TASK == TASK_DISINFORMATION
    fields = {name for name in QueueSettings.__annotations__}
    assert fields == {"queue_days", "recency_half_life_hours", "near_duplicate_cosine"}
    assert fields <= set(ClassifierSettings.model_fields)

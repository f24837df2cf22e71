"""The service's classify step: scores pending items, stops between batches, and re-scores
recent items after a promotion."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import storage
from classifier.versions import promote, register_folder
from storage.repositories import classifications, model_versions
from tests.classifier.pipeline_support import (
    NEGATIVE,
    POSITIVE,
    add_items,
    tiny_app_settings,
    write_tiny_version,
)
from waakhond.context import AppContext
from waakhond.pipeline.classify import classify_step


def _context(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder):
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings).model_copy(update={"database_url": db.url})
    write_tiny_version(settings, tiny_encoder)
    return SimpleNamespace(app=AppContext(settings), stopping=threading.Event())


def test_step_scores_pending_items_and_rescores_after_promotion(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:
    context = _context(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder)
    with storage.transaction(db.sessions) as session:
        ids = add_items(session, [(t, "", None) for t in POSITIVE[:4] + NEGATIVE[:3]])
    report = classify_step(context)
    assert (report.version, report.scored, report.batches) == ("tiny-v1", 7, 3)
    assert classify_step(context).scored == 0
    folder = write_tiny_version(context.app.settings, tiny_encoder, "tiny-v2", default=False, seed=5)
    with storage.transaction(db.sessions) as session:
        register_folder(session, context.app.settings, folder, actor="tester")
    promote(db.sessions, "tiny-v2", "tester")
    again = classify_step(context)
    assert (again.version, again.scored) == ("tiny-v2", 7)
    with db.read_sessions() as session:
        version = model_versions.active_model_version(session, "disinformation")
        assert all(classifications.classification_for_item(session, i, version.id) for i in ids)
    context.app.dispose()


def test_step_stops_between_batches(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder) -> None:
    context = _context(db, tmp_path, tiny_folder, tiny_settings, tiny_encoder)
    with storage.transaction(db.sessions) as session:
        add_items(session, [(t, "", None) for t in POSITIVE[:5]])
    context.stopping.set()
    assert classify_step(context).scored == 0
    context.stopping.clear()
    assert classify_step(context).scored == 5
    context.app.dispose()


def test_step_without_any_version_skips_with_a_warning(db, tmp_path, tiny_folder, tiny_settings, caplog) -> None:
    settings = tiny_app_settings(tmp_path, tiny_folder, tiny_settings).model_copy(update={"database_url": db.url})
    context = SimpleNamespace(app=AppContext(settings), stopping=threading.Event())
    assert classify_step(context) is None
    assert "classification skipped" in caplog.text
    context.app.dispose()

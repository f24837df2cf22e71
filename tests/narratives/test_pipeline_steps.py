"""The narrative, merge and alert steps as the service runs them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import storage
from storage.read_models import narratives as narrative_views
from storage.repositories import alerts as alert_repo
from tests.alerts.receivers import WebhookReceiver
from tests.narratives import rows
from waakhond.context import AppContext
from waakhond.pipeline import pipeline_steps
from waakhond.pipeline.alerts import alerts_step
from waakhond.pipeline.narratives import merge_step, narrative_step
from waakhond.settings import Settings

CLAIM = rows.direction(31)


def app_for(db, tmp_path, **sections) -> AppContext:
    return AppContext(Settings(database_url=db.url, data_dir=tmp_path, **sections))


def test_pipeline_has_the_steps_with_intervals_from_the_settings(db, tmp_path):
    app = app_for(db, tmp_path, narratives={"merge_interval_minutes": 30}, alerts={"evaluate_interval_minutes": 2})
    steps = {s.name: s for s in pipeline_steps(app)}
    assert steps["narrative_merge"].interval_seconds == 1800 and steps["alerts"].interval_seconds == 120
    assert steps["narratives"].exclusive and steps["alerts"].exclusive
    quiet = app_for(db, tmp_path, alerts={"enabled": False})
    assert "alerts" not in {s.name for s in pipeline_steps(quiet)}


def test_steps_place_items_merge_and_alert(db, tmp_path):
    receiver = WebhookReceiver()
    try:
        now = datetime.now(UTC)
        with storage.transaction(db.sessions) as s:
            version = rows.model_version(s)
            feeds = [rows.source(s, n) for n in ("a", "b", "c")]
            rows.background_items(s, feeds[0], version, 60, now - timedelta(days=1))
            for i in range(4):
                rows.item(s, feeds[i % 3], version, now - timedelta(hours=4 - i), rows.near(CLAIM, i), evidence="Bewering.")
            alert_repo.add_channel(s, "team", "webhook", {"url": receiver.url("/ok/team")}, "test")
            alert_repo.add_rule(s, "nieuw", "new_narrative", "team", {"min_sources": 3}, 3600, "test")
        app = app_for(db, tmp_path, dashboard={"public_url": "https://dash.example.nl"})
        context = SimpleNamespace(app=app, stopping=threading.Event())
        assert narrative_step(context).placed == 4
        assert merge_step(context).merged == 0
        report = alerts_step(context)
        assert report.sent == 1
        (body,) = receiver.bodies("/ok/team")
        assert body["link"].startswith("https://dash.example.nl/?page=verhalen&verhaal=")
        with db.read_sessions() as s:
            assert [n.item_count for n in narrative_views.list_narratives(s)] == [4]
        assert alerts_step(context).sent == 0
    finally:
        receiver.close()

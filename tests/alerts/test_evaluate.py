"""Evaluating rules against a database and delivering to a real local webhook receiver, on
SQLite and PostgreSQL: content, de-duplication, cooldown, and failures that are recorded and
stop nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import storage
from alerts import AlertSettings, evaluate_and_send
from classifier.narratives import NarrativeSettings
from classifier.narratives import runner as narrative_runner
from storage.errors import AlreadyExists, InvalidInput, NotFound
from storage.repositories import alerts as repo
from storage.repositories import audit
from storage.schema import AlertRule, FetchRun
from tests.alerts.receivers import WebhookReceiver
from tests.narratives import rows

NOW = datetime(2025, 9, 1, 12, tzinfo=UTC)
BASE = "https://waakhond.example.nl"
NARRATIVES = NarrativeSettings(min_background_items=20)
ALERTS = AlertSettings(retry_minutes=15)
CLAIM, OTHER = rows.orthogonal_pair(3)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def world(db, webhook):
    with storage.transaction(db.sessions) as s:
        version = rows.model_version(s)
        feeds = [rows.source(s, name) for name in ("omroep", "krant", "forum", "blog")]
        rows.background_items(s, feeds[0], version, 30, NOW - timedelta(days=3))
        items = [rows.item(s, feeds[i % 4], version, NOW - timedelta(hours=10 - i), rows.near(CLAIM, i),
                           topics=("digitale-overheid-geld",), evidence="Contant geld wordt op 1 januari afgeschaft.")
                 for i in range(8)]
        lone = rows.item(s, feeds[0], version, NOW - timedelta(hours=2), rows.near(OTHER, 50), evidence="Iets anders.")
        check = rows.fact_check(s, "Contant geld verdwijnt op 1 januari", "false", url="https://factcheck.example.org/cash")
        rows.claim_match(s, items[0], check, created_at=NOW - timedelta(hours=9))
        rows.claim_match(s, items[7], check, created_at=NOW - timedelta(hours=1))
        down = feeds[3]
        down.last_status, down.consecutive_failures, down.last_error = "failed", 5, "HTTP 503 van de server"
        s.add(FetchRun(source_id=down.id, started_at=NOW - timedelta(hours=30), status="ok"))
        for hours in (9, 5, 1):
            s.add(FetchRun(source_id=down.id, started_at=NOW - timedelta(hours=hours), status="failed",
                           error_kind="http", error_message="HTTP 503"))
        ok = repo.add_channel(s, "team", "webhook", {"url": webhook.url("/ok/team")}, "cli:beheer")
        broken = repo.add_channel(s, "stuk", "mattermost", {"url": webhook.url("/fail/mm")}, "cli:beheer")
        repo.add_rule(s, "nieuw-verhaal", "new_narrative", "team", {"min_sources": 3, "min_items": 3}, 3600, "cli:beheer")
        repo.add_rule(s, "nieuw-verhaal-mm", "new_narrative", broken.id, {"min_sources": 3}, 3600, "cli:beheer")
        repo.add_rule(s, "bron-plat", "source_down", ok.id, {"hours": 6}, 3600, "cli:beheer")
        repo.add_rule(s, "weer-gezien", "debunk_seen_again", ok.id, {"lookback_hours": 24}, 3600, "cli:beheer")
        repo.add_rule(s, "piek", "topic_spike", ok.id, {}, 3600, "cli:beheer")
        ids = {"items": [i.id for i in items], "lone": lone.id, "check": check.id}
    narrative_runner.place_pending(db.sessions, NARRATIVES)
    return db, ids


def test_alerts_are_sent_in_dutch_with_links_and_a_failing_channel_is_recorded(world, webhook):
    db, ids = world
    report = evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW)
    assert report.rule_errors == {}
    assert (report.sent, report.failed) == (3, 1)
    bodies = {b["kind"]: b for b in webhook.bodies("/ok/team")}
    assert set(bodies) == {"new_narrative", "source_down", "debunk_seen_again"}
    narrative = bodies["new_narrative"]
    assert "nieuw verhaal in 4 bronnen" in narrative["subject"]
    assert "8 berichten uit 4 bronnen" in narrative["text"]
    assert "Contant geld wordt op 1 januari afgeschaft." in narrative["text"]
    assert narrative["link"].startswith(f"{BASE}/?page=verhalen&verhaal=")
    assert narrative["debunks"][0]["url"] == "https://factcheck.example.org/cash"
    assert any("isdatechtzo.nl" in g["url"] for g in narrative["guidance"])
    assert "Regio" not in bodies["source_down"]["subject"] and "blog" in bodies["source_down"]["subject"]
    assert "9 uur" in bodies["source_down"]["subject"]  # down since the first failure after the last good fetch
    assert bodies["debunk_seen_again"]["facts"]["item_id"] == ids["items"][7]
    assert len(webhook.bodies("/fail/mm")) == 1  # it was tried ...
    with db.read_sessions() as s:
        history = repo.alert_history(s)
    failed = [a for a in history if a.status == "failed"]
    assert len(failed) == 1 and "HTTP 500" in failed[0].error  # ... and the failure is recorded
    assert sorted(a.status for a in history) == ["failed", "sent", "sent", "sent"]
    assert all(a.subject and a.payload["subject"] == a.subject for a in history)


def test_second_evaluation_pages_nobody_again_and_failures_are_retried_later(world, webhook):
    db, _ = world
    evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW)
    again = evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW + timedelta(minutes=5))
    assert (again.sent, again.failed) == (0, 0) and again.suppressed == 4
    later = evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW + timedelta(hours=3))
    assert later.sent == 0 and later.failed == 1  # only the failed delivery is tried again
    assert len(webhook.bodies("/ok/team")) == 3 and len(webhook.bodies("/fail/mm")) == 2


def test_a_growing_narrative_is_still_one_alert(world, webhook):
    db, ids = world
    evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW)
    with storage.transaction(db.sessions) as s:
        version = s.scalars(select(rows.ModelVersion)).first()
        feed = rows.source(s, "nieuwe-bron")
        for i in range(5):
            rows.item(s, feed, version, NOW + timedelta(minutes=10 * i), rows.near(CLAIM, 200 + i))
    narrative_runner.place_pending(db.sessions, NARRATIVES)
    evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW + timedelta(days=2))
    assert [b["kind"] for b in webhook.bodies("/ok/team")].count("new_narrative") == 1


def test_a_broken_rule_is_reported_and_the_others_still_run(world, webhook):
    db, _ = world
    with storage.transaction(db.sessions) as s:
        s.add(AlertRule(name="kapot", kind="source_down", params={"uren": 1}, channel_id=repo.get_channel(s, "team").id,
                        cooldown_seconds=0))
    report = evaluate_and_send(db.sessions, ALERTS, NARRATIVES, BASE, now=NOW)
    assert "kapot" in report.rule_errors and report.sent == 3


def test_channels_and_rules_are_managed_with_audit_entries(db):
    with storage.transaction(db.sessions) as s:
        channel = repo.add_channel(s, "mail", "email", {"to": ["a@b.nl"]}, "cli:beheer")
        repo.add_rule(s, "r1", "topic_spike", "mail", {"topic": "wonen"}, 600, "cli:beheer")
    with pytest.raises(AlreadyExists):
        with storage.transaction(db.sessions) as s:
            repo.add_channel(s, "mail", "webhook", {"url": "https://x.nl"}, "cli:beheer")
    for bad in (lambda s: repo.add_channel(s, "x", "pager", {}, "a"), lambda s: repo.add_rule(s, "r2", "nope", "mail", {}, 1, "a"),
                lambda s: repo.add_rule(s, "r3", "topic_spike", "mail", {}, -1, "a")):
        with pytest.raises(InvalidInput):
            with storage.transaction(db.sessions) as s:
                bad(s)
    with pytest.raises(NotFound):
        with storage.transaction(db.sessions) as s:
            repo.add_rule(s, "r4", "topic_spike", "geen-kanaal", {}, 1, "a")
    with storage.transaction(db.sessions) as s:
        repo.remove_channel(s, channel.id, "cli:beheer")
    with db.read_sessions() as s:
        assert repo.list_channels(s) == [] and repo.list_rules(s) == []
        actions = [e.action for e in audit.entries(s, object_type="alert_channel")] + \
                  [e.action for e in audit.entries(s, object_type="alert_rule")]
    assert actions == ["alert_channel.remove", "alert_channel.add", "alert_rule.add"]

"""The briefing through storage on SQLite and PostgreSQL, and sent on a schedule by the alert
rule kind ``briefing`` to a real local webhook receiver: made once per week (a PDF, recorded),
announced with a link to Overzicht, never twice; without a maker only a stored briefing goes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

import storage
from alerts import AlertSettings, evaluate_and_send
from briefing import BriefingSettings, GuidanceLinks, Link, build_briefing, parse_week
from classifier.narratives import NarrativeSettings
from storage.repositories import alerts as repo
from storage.repositories.briefings import briefing_content, latest_briefing
from tests.alerts.receivers import WebhookReceiver
from tests.briefing import world
from waakhond.briefing_maker import make_briefing

BASE = "https://waakhond.example.nl"
MONDAY_07_30 = datetime(2025, 9, 1, 5, 30, tzinfo=UTC)  # 1 September 2025 07:30 in Amsterdam (summer time)
MONDAY_08_05 = datetime(2025, 9, 1, 6, 5, tzinfo=UTC)
GUIDANCE = GuidanceLinks((Link("Is dat echt zo?", "https://www.isdatechtzo.nl/"),), {})


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def test_the_week_read_through_storage(db):
    ids = world.build(db)
    with db.read_sessions() as session:
        content = build_briefing(session, parse_week(world.WEEK), now=world.NOW, settings=BriefingSettings(),
                                 guidance=GUIDANCE)
    assert [s.slug for s in content.sections] == ["digitale-overheid-geld", "stikstof-landbouw"]
    cash, farming = content.sections
    assert [(w.week.label, w.flagged) for w in cash.weeks[-4:]] == [
        ("2025-W32", 1), ("2025-W33", 2), ("2025-W34", 4), ("2025-W35", 9)]
    assert [(n.in_week, n.previous) for n in cash.narratives] == [(9, 2)]
    assert [(n.in_week, n.previous) for n in farming.narratives] == [(6, 0)]  # the steady one did not grow
    spike_b = cash.narratives[0]
    assert len(spike_b.claims) == 2 and all(c.item_id in ids["cash"] and c.evidence for c in spike_b.claims)
    assert all(c.why and c.why.startswith("Waarom gesignaleerd: controleerbare bewering") for c in spike_b.claims)
    assert [d.url for d in spike_b.debunks] == [world.DEBUNK_URL]  # the javascript: one is dropped
    assert (cash.labels.confirmed, cash.labels.rejected, cash.labels.unsure) == (2, 1, 0)
    assert [g.url for g in cash.guidance] == ["https://www.isdatechtzo.nl/"]
    assert content.quiet_topics == ("Onderwijs",) and not content.in_progress


def test_a_briefing_rule_sends_the_week_once_with_a_link(db, webhook, tmp_path):
    world.build(db)
    with storage.transaction(db.sessions) as s:
        repo.add_channel(s, "team", "webhook", {"url": webhook.url("/ok/team")}, "cli:beheer")
        repo.add_rule(s, "maandag", "briefing", "team", {"weekday": 1, "time": "08:00"}, 0, "cli:beheer")
    made = []

    def maker(week, topic, language):
        made.append((week.label, topic, language))
        return make_briefing(db.sessions, BriefingSettings(), week, out=tmp_path / f"{week.label}.pdf", actor="alerts",
                             language=language, topic=topic, now=MONDAY_08_05, guidance=GUIDANCE).record

    # 07:30 local: the slot before is a week ago, too late to send W34's now; W35's is not due yet
    before = evaluate_and_send(db.sessions, AlertSettings(), NarrativeSettings(), BASE,
                               now=MONDAY_07_30, briefing_maker=maker)
    assert (before.sent, before.rule_errors, made) == (0, {}, [])
    report = evaluate_and_send(db.sessions, AlertSettings(), NarrativeSettings(), BASE, now=MONDAY_08_05,
                               briefing_maker=maker)
    assert report.rule_errors == {} and report.sent == 1
    assert made == [("2025-W35", None, "nl")]
    body = webhook.bodies("/ok/team")[-1]
    assert body["kind"] == "briefing" and body["subject"] == "Waakhond: weekbriefing 2025-W35"
    assert "18 gemarkeerde berichten in 2 onderwerpen; 2 verhalen groeiden." in body["text"]
    with db.read_sessions() as session:
        stored = latest_briefing(session)
        assert briefing_content(session, stored.id).startswith(b"%PDF-")
    assert body["link"] == f"{BASE}/?page=overzicht&briefing={stored.id}"
    again = evaluate_and_send(db.sessions, AlertSettings(), NarrativeSettings(), BASE,
                              now=MONDAY_08_05 + timedelta(hours=5), briefing_maker=maker)
    assert (again.sent, made) == (0, [("2025-W35", None, "nl")])  # not sent twice, not made twice


def test_without_a_maker_a_stored_briefing_is_sent_and_a_missing_one_is_the_rules_error(db, webhook, tmp_path):
    world.build(db)
    with storage.transaction(db.sessions) as s:
        repo.add_channel(s, "team", "webhook", {"url": webhook.url("/ok/team")}, "cli:beheer")
        repo.add_rule(s, "maandag", "briefing", "team", {}, 0, "cli:beheer")
    missing = evaluate_and_send(db.sessions, AlertSettings(), NarrativeSettings(), BASE, now=MONDAY_08_05)
    assert missing.sent == 0 and "no briefing of 2025-W35 stored yet" in missing.rule_errors["maandag"]
    make_briefing(db.sessions, BriefingSettings(), parse_week(world.WEEK), out=tmp_path / "w35.pdf", actor="cli:test",
                  now=MONDAY_08_05, guidance=GUIDANCE)
    report = evaluate_and_send(db.sessions, AlertSettings(), NarrativeSettings(), BASE, now=MONDAY_08_05)
    assert (report.sent, report.rule_errors) == (1, {})
    assert webhook.bodies("/ok/team")[-1]["facts"]["week"] == "2025-W35"

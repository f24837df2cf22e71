"""The alert rule kind ``briefing`` (pure): when the weekly briefing is due, which week it
covers, its parameters, and the alert it raises. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.briefing_schedule import (
    BriefingFact,
    briefing_due,
    briefing_key,
    due_week,
    last_slot,
    schedule_from_params,
)
from alerts.rules import AlertFacts, RuleError, RuleSpec, decide, evaluate_rule, validate_params
from storage.repositories.alerts import LastAlerts

MONDAY_8 = schedule_from_params({})  # the defaults: Monday 08:00 Europe/Amsterdam, Dutch, every topic
BASE = "https://waakhond.example.nl"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_defaults_are_monday_eight_in_amsterdam():
    assert (MONDAY_8.weekday, MONDAY_8.at.hour, MONDAY_8.at.minute) == (1, 8, 0)
    assert (MONDAY_8.timezone, MONDAY_8.language, MONDAY_8.topic) == ("Europe/Amsterdam", "nl", None)


@pytest.mark.parametrize(("now", "week"), [
    # winter time (UTC+1): Monday 1 December 2025 08:00 local is 07:00 UTC
    (utc(2025, 12, 1, 6, 59), "2025-W47"),  # just before: last week's slot still counts
    (utc(2025, 12, 1, 7, 0), "2025-W48"),   # the slot: the week that just ended (24-30 Nov)
    (utc(2025, 12, 3, 12, 0), "2025-W48"),  # Wednesday: still that week's briefing
    (utc(2025, 12, 7, 23, 30), "2025-W48"),  # Monday 00:30 local, before 08:00
    # summer time (UTC+2): Monday 1 September 2025 08:00 local is 06:00 UTC
    (utc(2025, 9, 1, 5, 59), "2025-W34"),
    (utc(2025, 9, 1, 6, 0), "2025-W35"),
    # across the new year: Monday 5 January 2026 covers 2026-W01 (29 Dec - 4 Jan)
    (utc(2026, 1, 5, 7, 0), "2026-W01"),
])
def test_due_week_is_the_week_before_the_latest_slot(now, week):
    assert due_week(now, MONDAY_8).label == week


def test_last_slot_respects_summer_and_winter_time():
    assert last_slot(utc(2025, 9, 2, 12), MONDAY_8) == utc(2025, 9, 1, 6, 0)
    assert last_slot(utc(2025, 11, 4, 12), MONDAY_8) == utc(2025, 11, 3, 7, 0)


def test_a_briefing_is_due_once_per_week_and_not_after_it_was_sent():
    now = utc(2025, 12, 1, 7, 5)
    assert briefing_due(now, MONDAY_8, set()).label == "2025-W48"
    assert briefing_due(now, MONDAY_8, {briefing_key("2025-W48", None, "nl")}) is None
    # the English one, or another topic, is another briefing
    assert briefing_due(now, schedule_from_params({"language": "en"}), {briefing_key("2025-W48", None, "nl")}).label == "2025-W48"
    # sent last week does not stop this week's
    assert briefing_due(now, MONDAY_8, {briefing_key("2025-W47", None, "nl")}).label == "2025-W48"


def test_a_briefing_too_late_is_skipped():
    # Wednesday is 52 hours after Monday 08:00: a new rule (or a service down since Monday) waits
    assert briefing_due(utc(2025, 12, 3, 11), MONDAY_8, set()) is None
    assert briefing_due(utc(2025, 12, 2, 6, 59), MONDAY_8, set()).label == "2025-W48"  # 23h59 late: still sent
    assert briefing_due(utc(2025, 12, 3, 11), schedule_from_params({"late_hours": 72}), set()).label == "2025-W48"


def test_other_days_times_and_zones():
    friday_17 = schedule_from_params({"weekday": 5, "time": "17:30", "timezone": "UTC"})
    assert due_week(utc(2025, 12, 5, 17, 29), friday_17).label == "2025-W47"  # before Friday's slot of W49
    assert due_week(utc(2025, 12, 5, 17, 30), friday_17).label == "2025-W48"


@pytest.mark.parametrize("params", [
    {"weekday": 8}, {"weekday": 0}, {"time": "8 uur"}, {"time": "24:00"}, {"timezone": "Mars/Olympus"},
    {"language": "fr"}, {"colour": "blauw"}, {"late_hours": 168}, {"late_hours": 0},
])
def test_bad_parameters_are_refused(params):
    with pytest.raises(RuleError):
        validate_params("briefing", params)


def test_parameters_get_their_defaults():
    assert validate_params("briefing", {"topic": "wonen"}) == {
        "weekday": 1, "time": "08:00", "timezone": "Europe/Amsterdam", "language": "nl", "topic": "wonen",
        "late_hours": 24}


def _fact() -> BriefingFact:
    return BriefingFact(7, "2025-W48", None, "nl", utc(2025, 12, 1, 7, 1), {
        "flagged": 12, "narratives_grown": 1, "top_narrative": "Contant geld wordt afgeschaft",
        "topics": [{"slug": "digitale-overheid-geld", "name": "Digitale overheid en geld", "flagged": 9},
                   {"slug": "stikstof-landbouw", "name": "Stikstof en landbouw", "flagged": 3}]})


def test_the_rule_announces_the_due_briefing_with_a_link_once():
    rule = RuleSpec(1, "maandag", "briefing", {}, 3, 0)
    now = utc(2025, 12, 1, 7, 5)
    key = briefing_key("2025-W48", None, "nl")
    intents = evaluate_rule(rule, AlertFacts(now=now, window_hours=24, briefings={key: _fact()}), BASE)
    assert len(intents) == 1
    intent = intents[0]
    assert (intent.dedup_key, intent.once, intent.channel_id) == (key, True, 3)
    assert intent.message.subject == "Waakhond: weekbriefing 2025-W48"
    text = "\n".join(intent.message.lines)
    assert "12 gemarkeerde berichten in 2 onderwerpen; 1 verhaal groeide." in text
    assert "Digitale overheid en geld 9" in text and "Contant geld wordt afgeschaft" in text
    assert intent.message.link == f"{BASE}/?page=overzicht&briefing=7"
    # once sent, never again for that week
    sent = {(1, key): LastAlerts(sent_at=now)}
    assert decide(intents, sent, {1: 0}, utc(2025, 12, 1, 8), 900) == []
    assert decide(intents, {}, {1: 0}, now, 900) == intents


def test_no_briefing_in_the_facts_no_alert():
    rule = RuleSpec(1, "maandag", "briefing", {}, 3, 0)
    facts = AlertFacts(now=utc(2025, 12, 1, 7, 5), window_hours=24,
                       briefings={briefing_key("2025-W47", None, "nl"): _fact()})  # last week's, not due now
    assert evaluate_rule(rule, facts, BASE) == []

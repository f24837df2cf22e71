"""Getting the briefings that ``briefing`` rules are due to send (the runner; decisions are in
``briefing_schedule``).

For each briefing rule whose due week was not sent yet: the stored briefing of that week,
topic and language (made after the week ended), else a new one from ``maker`` (the service
and ``alerts evaluate`` pass one that renders and records it). A failure is that rule's error;
the other rules go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from alerts.briefing_schedule import BriefingFact, briefing_due, briefing_key, schedule_from_params
from briefing import IsoWeek
from storage import transaction
from storage.repositories import BriefingRecord, LastAlerts, briefing_for

#: (week, topic or None, language) -> the briefing, written and recorded
BriefingMaker = Callable[[IsoWeek, str | None, str], BriefingRecord]


def _fact(record: BriefingRecord) -> BriefingFact:
    return BriefingFact(record.id, record.week, record.topic, record.language, record.created_at, dict(record.summary))


def due_briefings(
    sessions: sessionmaker[Session], rules: Sequence, last: Mapping[tuple[int, str], LastAlerts], now,
    maker: BriefingMaker | None,
) -> tuple[dict[str, BriefingFact], dict[str, str]]:
    """(dedup key -> briefing fact, rule name -> error) for the briefing rules due now."""
    facts: dict[str, BriefingFact] = {}
    errors: dict[str, str] = {}
    for rule in rules:
        if rule.kind != "briefing":
            continue
        try:
            schedule = schedule_from_params(rule.params)
        except ValueError as exc:
            errors[rule.name] = f"RuleError: {exc}"
            continue
        sent = {key for (rule_id, key), seen in last.items() if rule_id == rule.id and seen.sent_at is not None}
        week = briefing_due(now, schedule, sent)
        if week is None:
            continue
        key = briefing_key(week.label, schedule.topic, schedule.language)
        if key in facts:
            continue
        with transaction(sessions) as session:
            stored = briefing_for(session, week.label, schedule.topic, schedule.language, "pdf")
        # one made while its week was still running is not the week's briefing
        if stored is not None and not stored.summary.get("in_progress"):
            facts[key] = _fact(stored)
            continue
        if maker is None:
            errors[rule.name] = f"no briefing of {week.label} stored yet (run `waakhond briefing --week {week.label}`)"
            continue
        try:
            facts[key] = _fact(maker(week, schedule.topic, schedule.language))
        except Exception as exc:  # a briefing that cannot be made is this rule's failure only
            errors[rule.name] = f"{type(exc).__name__}: {exc}"
    return facts, errors

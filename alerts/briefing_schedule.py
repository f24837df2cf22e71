"""The alert rule kind ``briefing``: send the weekly briefing on a schedule (pure decisions).

    params    weekday (1 = Monday .. 7 = Sunday, default 1), time ("08:00"), timezone
              ("Europe/Amsterdam"), language (nl|en), topic (a slug; empty: every topic),
              late_hours (24: a briefing not sent within this long after its slot is skipped)
    slot      the latest scheduled moment at or before now, in local time (summer and winter
              time handled by the zone)
    due week  the ISO week before the slot's week: on Monday 08:00 the briefing of the week
              that just ended goes out
    due now   the due week's briefing has not been sent yet by this rule (its dedup key), and
              the slot is at most late_hours ago

So a rule added on a Wednesday sends its first briefing on the next Monday, and a service that
was down all week does not send a stale one when it comes back; otherwise once per week. The channel gets a link to the dashboard's Overzicht, which offers
the file (the channels carry text and links, no attachments).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.messages import AlertMessage, dashboard_link, plural, quote
from briefing import LANGUAGES, IsoWeek, week_of

BRIEFING_PARAMS: dict[str, tuple[type, Any]] = {
    "weekday": (int, 1),
    "time": (str, "08:00"),
    "timezone": (str, "Europe/Amsterdam"),
    "language": (str, "nl"),
    "topic": (str, None),
    "late_hours": (int, 24),
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True)
class BriefingSchedule:
    weekday: int  # ISO: 1 = Monday
    at: time
    timezone: str
    language: str = "nl"
    topic: str | None = None
    late_hours: int = 24


@dataclass(frozen=True)
class BriefingFact:
    """A stored briefing, ready to be announced."""

    id: int
    week: str
    topic: str | None
    language: str
    created_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)


def schedule_from_params(params: Mapping[str, Any]) -> BriefingSchedule:
    """The schedule of validated parameters; ValueError with the reason otherwise."""
    weekday = int(params.get("weekday", 1))
    if not 1 <= weekday <= 7:
        raise ValueError("weekday must be 1 (Monday) .. 7 (Sunday)")
    match = _TIME.match(str(params.get("time", "08:00")).strip())
    if not match:
        raise ValueError("time must be HH:MM, e.g. 08:00")
    zone = str(params.get("timezone", "Europe/Amsterdam"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {zone!r}") from exc
    language = str(params.get("language", "nl"))
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    topic = params.get("topic") or None
    late_hours = int(params.get("late_hours", 24))
    if not 1 <= late_hours <= 167:  # within the week: the next slot comes after 168 hours
        raise ValueError("late_hours must be 1 .. 167")
    return BriefingSchedule(weekday, time(int(match.group(1)), int(match.group(2))), zone, language, topic, late_hours)


def last_slot(now: datetime, schedule: BriefingSchedule) -> datetime:
    """The latest scheduled moment at or before ``now`` (aware, UTC)."""
    zone = ZoneInfo(schedule.timezone)
    local_today = now.astimezone(zone).date()
    for back in range(8):
        day = local_today - timedelta(days=back)
        if day.isoweekday() != schedule.weekday:
            continue
        slot = datetime.combine(day, schedule.at, tzinfo=zone).astimezone(UTC)
        if slot <= now:
            return slot
    raise AssertionError("a weekly slot always lies within the last eight days")


def due_week(now: datetime, schedule: BriefingSchedule) -> IsoWeek:
    """The week whose briefing the latest slot sends: the week before the slot's week."""
    slot_day = last_slot(now, schedule).astimezone(ZoneInfo(schedule.timezone)).date()
    return week_of(slot_day).shifted(-1)


def briefing_key(week: str, topic: str | None, language: str) -> str:
    return f"briefing:{week}:{topic or '*'}:{language}"


def briefing_due(now: datetime, schedule: BriefingSchedule, sent_keys: Collection[str]) -> IsoWeek | None:
    """Is a briefing due now: the due week, unless its briefing was already sent or its slot
    is more than ``late_hours`` ago."""
    if now - last_slot(now, schedule) > timedelta(hours=schedule.late_hours):
        return None
    week = due_week(now, schedule)
    return None if briefing_key(week.label, schedule.topic, schedule.language) in sent_keys else week


def briefing_message(fact: BriefingFact, base_url: str) -> AlertMessage:
    """The alert for one briefing (Dutch, as every alert): the figures and the link to it."""
    summary = fact.summary
    topics = [t for t in summary.get("topics", []) if isinstance(t, dict)]
    lines = [f"De weekbriefing over week {fact.week} staat klaar"
             f"{' (Engelstalig)' if fact.language == 'en' else ''}.",
             f"{plural(int(summary.get('flagged', 0)), 'gemarkeerd bericht', 'gemarkeerde berichten')} in "
             f"{plural(len(topics), 'onderwerp', 'onderwerpen')}; "
             f"{plural(int(summary.get('narratives_grown', 0)), 'verhaal groeide', 'verhalen groeiden')}."]
    if topics:
        lines.append("Per onderwerp: " + ", ".join(f"{quote(str(t.get('name')))} {t.get('flagged', 0)}" for t in topics[:6]) + ".")
    if summary.get("top_narrative"):
        lines.append(f"Grootste groei: “{quote(str(summary['top_narrative']))}”")
    lines.append("Open de briefing (PDF) op de pagina Overzicht van Waakhond.")
    link = dashboard_link(base_url, "overzicht", briefing=fact.id)
    return AlertMessage(
        kind="briefing", subject=f"Waakhond: weekbriefing {fact.week}", lines=tuple(lines), link=link,
        facts={"briefing_id": fact.id, "week": fact.week, "topic": fact.topic, "language": fact.language},
    )

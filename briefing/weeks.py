"""ISO weeks (pure): ``2026-W48`` -> its days and its UTC bounds.

A briefing's week is Monday 00:00 to Monday 00:00 UTC: whole UTC days, the same days the
dashboard's daily counts (``daily_topic_counts``) use, so the briefing's figures and the
dashboard's agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from briefing.errors import BriefingError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class WeekError(BriefingError, ValueError):
    """Not an ISO week."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=7)

    def shifted(self, weeks: int) -> IsoWeek:
        return week_of(self.first_day + timedelta(weeks=weeks))

    def previous(self, count: int) -> list[IsoWeek]:
        """The ``count`` weeks before this one, oldest first."""
        return [self.shifted(-n) for n in range(count, 0, -1)]


def week_of(day: date) -> IsoWeek:
    year, week, _ = day.isocalendar()
    return IsoWeek(year, week)


def parse_week(text: str) -> IsoWeek:
    match = _WEEK.match((text or "").strip())
    if not match:
        raise WeekError(f"not an ISO week like 2026-W48: {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise WeekError(f"{year} has no week {week}") from exc
    return IsoWeek(year, week)


def last_completed_week(now: datetime) -> IsoWeek:
    """The last ISO week that is over at ``now`` (UTC days)."""
    return week_of(now.astimezone(UTC).date()).shifted(-1)

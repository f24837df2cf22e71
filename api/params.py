"""Turning query parameters into the dashboard's filter (``storage.read_models.daily_counts.SignalFilter``).

    period(first_day, last_day, days, today, default_days, max_days) -> (first, last)   (pure)
    signal_filter(session, ...) -> SignalFilter     (resolves the topic slug and the source id)

Every mistake is a ``BadParameter`` with a reason; the app answers it with 400.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import ApiError
from storage.read_models import SignalFilter
from storage.schema import PolicyTopic, Source

#: Item languages are ISO 639-1/-3 codes (py3langid, feeds' xml:lang): two or three letters.
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class BadParameter(ApiError, ValueError):
    """A query parameter the API cannot use; the message says why."""


def period(
    first_day: date | None, last_day: date | None, days: int | None, today: date, default_days: int, max_days: int
) -> tuple[date, date]:
    """Whole UTC days. Either ``first_day``/``last_day`` (each optional) or ``days`` back from
    ``last_day`` (default: today); not both ``first_day`` and ``days``."""
    if first_day is not None and days is not None:
        raise BadParameter("give either first_day or days, not both")
    if days is not None and not 1 <= days <= max_days:
        raise BadParameter(f"days must be between 1 and {max_days}")
    last = last_day or today
    if last >= date.max:  # the day after it, where the period ends, does not exist
        raise BadParameter(f"last_day must be before {date.max.isoformat()}")
    if first_day is None:
        span = days if days is not None else default_days
        try:
            first = last - timedelta(days=span - 1)
        except OverflowError as exc:
            raise BadParameter("the period starts before the year 1") from exc
    else:
        first = first_day
    if first > last:
        raise BadParameter(f"first_day {first.isoformat()} is after last_day {last.isoformat()}")
    if (last - first).days + 1 > max_days:
        raise BadParameter(f"the period is longer than {max_days} days")
    return first, last


def control_character_in(values: list[str]) -> bool:
    """Pure: does any value hold a C0 control character (NUL first of all, which PostgreSQL
    refuses in text and which no slug, search or cursor needs)?"""
    return any(ch < " " for value in values for ch in value)


def language_code(language: str | None) -> str | None:
    if language is None:
        return None
    if not LANGUAGE.match(language):
        raise BadParameter(f"language must be a two- or three-letter code such as nl, not {language[:20]!r}")
    return language


def topic_id(session: Session, slug: str | None) -> int | None:
    if slug is None:
        return None
    found = session.scalar(select(PolicyTopic.id).where(PolicyTopic.slug == slug))
    if found is None:
        raise BadParameter(f"unknown topic {slug[:64]!r}: see /api/v1/topics")
    return int(found)


def signal_filter(
    session: Session, first: date, last: date, topic: str | None, source_id: int | None, language: str | None,
    min_score: float,
) -> SignalFilter:
    if source_id is not None and session.get(Source, source_id) is None:
        raise BadParameter(f"unknown source {source_id}: see /api/v1/sources")
    return SignalFilter(first_day=first, last_day=last, topic_id=topic_id(session, topic), source_id=source_id,
                        language=language_code(language), min_score=min_score)

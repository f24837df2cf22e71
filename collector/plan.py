"""When to fetch: pure scheduling decisions. Plain data in, a ``ScheduleDecision`` out.

    is_due(source, now)                      enabled and next_due_at reached (or never fetched)
    interval_bounds(source, policy)          the operator's min/max, else interval / 4 .. x 4
    decide_schedule(source, outcome, policy) after a fetch:
        ok / not_modified  -> failures reset; adaptive factor shrinks when new items came,
                              grows when nothing changed; next = now + effective interval
        failed             -> failures + 1; next = now + interval * 2^failures (capped),
                              never before the server's Retry-After;
                              disabled with the reason after N failures in a row
                              (at once for errors that retrying cannot fix)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Without operator bounds, adaptive polling may go this many times faster or slower than the
# configured interval.
DEFAULT_ADAPTIVE_SPAN = 4.0
# A feed that had news is polled this much sooner; one without news, this much later. Fast
# reaction to activity, slow relaxation (the classic multiplicative increase/decrease).
SHRINK_ON_NEWS = 0.5
GROW_WHEN_QUIET = 1.25
# Failures double the wait up to 2^this (then the cap of max_interval_seconds applies).
MAX_BACKOFF_DOUBLINGS = 8
# Retrying cannot fix these: an operator must change the URL (or allow_networks) first.
PERMANENT_ERROR_KINDS = frozenset({"blocked_address", "invalid_url"})
PERMANENT_HTTP_STATUSES = frozenset({410})  # 410 Gone: the publisher removed the feed


@dataclass(frozen=True)
class PollingPolicy:
    """The settings that scheduling reads (from ``CollectorSettings``)."""

    min_interval_seconds: int = 60
    max_interval_seconds: int = 86_400
    adaptive: bool = True
    disable_after_failures: int = 10

    @classmethod
    def from_settings(cls, settings) -> PollingPolicy:
        return cls(
            min_interval_seconds=settings.min_interval_seconds,
            max_interval_seconds=settings.max_interval_seconds,
            adaptive=settings.adaptive_polling,
            disable_after_failures=settings.disable_after_failures,
        )


@dataclass(frozen=True)
class SourceSchedule:
    """A source's scheduling state, as stored."""

    interval_seconds: int
    min_interval_seconds: int | None = None
    max_interval_seconds: int | None = None
    poll_factor: float = 1.0
    consecutive_failures: int = 0
    enabled: bool = True
    next_due_at: datetime | None = None


@dataclass(frozen=True)
class FetchOutcome:
    status: str  # ok | not_modified | failed
    new_items: int = 0
    error_kind: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class ScheduleDecision:
    next_due_at: datetime
    poll_factor: float
    consecutive_failures: int
    disable: bool = False
    disabled_reason: str | None = None


def is_due(source: SourceSchedule, now: datetime) -> bool:
    return source.enabled and (source.next_due_at is None or source.next_due_at <= now)


def interval_bounds(source: SourceSchedule, policy: PollingPolicy) -> tuple[int, int]:
    low = source.min_interval_seconds or int(source.interval_seconds / DEFAULT_ADAPTIVE_SPAN)
    high = source.max_interval_seconds or int(source.interval_seconds * DEFAULT_ADAPTIVE_SPAN)
    low = max(policy.min_interval_seconds, low)
    high = min(policy.max_interval_seconds, max(high, low))
    return low, high


def effective_interval(source: SourceSchedule, policy: PollingPolicy) -> int:
    if not policy.adaptive:
        return source.interval_seconds
    low, high = interval_bounds(source, policy)
    return int(min(high, max(low, round(source.interval_seconds * source.poll_factor))))


def adapted_factor(source: SourceSchedule, new_items: int, policy: PollingPolicy) -> float:
    """The next poll factor, clamped so the effective interval stays within the bounds."""
    if not policy.adaptive:
        return 1.0
    factor = source.poll_factor * (SHRINK_ON_NEWS if new_items > 0 else GROW_WHEN_QUIET)
    low, high = interval_bounds(source, policy)
    return min(high / source.interval_seconds, max(low / source.interval_seconds, factor))


def decide_schedule(
    source: SourceSchedule, outcome: FetchOutcome, now: datetime, policy: PollingPolicy
) -> ScheduleDecision:
    if outcome.status in ("ok", "not_modified"):
        factor = adapted_factor(source, outcome.new_items, policy)
        adapted = SourceSchedule(
            interval_seconds=source.interval_seconds,
            min_interval_seconds=source.min_interval_seconds,
            max_interval_seconds=source.max_interval_seconds,
            poll_factor=factor,
        )
        wait = effective_interval(adapted, policy)
        return ScheduleDecision(now + timedelta(seconds=wait), factor, 0)

    failures = source.consecutive_failures + 1
    base = effective_interval(source, policy)
    wait = min(policy.max_interval_seconds, base * 2 ** min(failures, MAX_BACKOFF_DOUBLINGS))
    if outcome.retry_after:
        wait = max(wait, outcome.retry_after)
    reason = f"{outcome.error_kind}: {outcome.error_message}" if outcome.error_kind else (outcome.error_message or "")
    permanent = outcome.error_kind in PERMANENT_ERROR_KINDS or outcome.http_status in PERMANENT_HTTP_STATUSES
    if permanent or failures >= policy.disable_after_failures:
        why = "cannot succeed without a change" if permanent else f"failed {failures} times in a row"
        return ScheduleDecision(
            next_due_at=now + timedelta(seconds=wait),
            poll_factor=source.poll_factor,
            consecutive_failures=failures,
            disable=True,
            disabled_reason=f"disabled by the collector: {why}; last error {reason}"[:2000],
        )
    return ScheduleDecision(now + timedelta(seconds=wait), source.poll_factor, failures)

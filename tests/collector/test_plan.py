"""Scheduling decisions (collector.plan): pure, so every branch is checked without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collector.plan import (
    GROW_WHEN_QUIET,
    MAX_BACKOFF_DOUBLINGS,
    SHRINK_ON_NEWS,
    FetchOutcome,
    PollingPolicy,
    SourceSchedule,
    decide_schedule,
    effective_interval,
    interval_bounds,
    is_due,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLICY = PollingPolicy(min_interval_seconds=60, max_interval_seconds=86_400, adaptive=True, disable_after_failures=5)


def seconds_until(decision) -> float:
    return (decision.next_due_at - NOW).total_seconds()


@pytest.mark.parametrize(
    ("enabled", "next_due", "due"),
    [
        (True, None, True),
        (True, NOW - timedelta(seconds=1), True),
        (True, NOW, True),
        (True, NOW + timedelta(seconds=1), False),
        (False, None, False),
        (False, NOW - timedelta(days=1), False),
    ],
)
def test_is_due(enabled, next_due, due):
    assert is_due(SourceSchedule(900, enabled=enabled, next_due_at=next_due), NOW) is due


def test_bounds_default_to_a_factor_four_around_the_interval():
    assert interval_bounds(SourceSchedule(900), POLICY) == (225, 3600)


def test_operator_bounds_win_and_settings_clamp_them():
    assert interval_bounds(SourceSchedule(900, 300, 1800), POLICY) == (300, 1800)
    assert interval_bounds(SourceSchedule(120, None, None), POLICY) == (60, 480)  # 120/4 < settings min
    tight = PollingPolicy(min_interval_seconds=600, max_interval_seconds=1200)
    assert interval_bounds(SourceSchedule(900, 60, 86_400), tight) == (600, 1200)


def test_ok_with_news_shrinks_the_interval_within_bounds():
    decision = decide_schedule(SourceSchedule(900), FetchOutcome("ok", new_items=3), NOW, POLICY)
    assert decision.poll_factor == SHRINK_ON_NEWS
    assert seconds_until(decision) == 900 * SHRINK_ON_NEWS
    assert decision.consecutive_failures == 0 and not decision.disable


def test_shrinking_stops_at_the_lower_bound():
    source = SourceSchedule(900, poll_factor=0.25)
    decision = decide_schedule(source, FetchOutcome("ok", new_items=10), NOW, POLICY)
    assert seconds_until(decision) == 225
    assert decision.poll_factor == 0.25


@pytest.mark.parametrize("status", ["ok", "not_modified"])
def test_nothing_new_grows_the_interval_up_to_the_upper_bound(status):
    decision = decide_schedule(SourceSchedule(900), FetchOutcome(status, new_items=0), NOW, POLICY)
    assert decision.poll_factor == GROW_WHEN_QUIET
    assert seconds_until(decision) == 900 * GROW_WHEN_QUIET
    capped = decide_schedule(SourceSchedule(900, poll_factor=3.9), FetchOutcome(status), NOW, POLICY)
    assert seconds_until(capped) == 3600 and capped.poll_factor == 4.0


def test_operator_bounds_limit_adaptation():
    source = SourceSchedule(900, min_interval_seconds=900, max_interval_seconds=900)
    for outcome in (FetchOutcome("ok", new_items=5), FetchOutcome("not_modified")):
        assert seconds_until(decide_schedule(source, outcome, NOW, POLICY)) == 900


def test_without_adaptive_polling_the_interval_is_exactly_the_configured_one():
    policy = PollingPolicy(adaptive=False)
    source = SourceSchedule(900, poll_factor=0.3)
    assert effective_interval(source, policy) == 900
    decision = decide_schedule(source, FetchOutcome("ok", new_items=5), NOW, policy)
    assert seconds_until(decision) == 900 and decision.poll_factor == 1.0


def test_success_resets_the_failure_count():
    decision = decide_schedule(SourceSchedule(900, consecutive_failures=4), FetchOutcome("ok"), NOW, POLICY)
    assert decision.consecutive_failures == 0


def test_failures_back_off_exponentially_and_are_capped():
    source = SourceSchedule(900, consecutive_failures=0)
    waits = []
    for _ in range(4):
        decision = decide_schedule(source, FetchOutcome("failed", error_kind="timeout"), NOW, POLICY)
        waits.append(seconds_until(decision))
        source = SourceSchedule(900, consecutive_failures=decision.consecutive_failures)
    assert waits == [1800, 3600, 7200, 14400]
    late = SourceSchedule(900, consecutive_failures=MAX_BACKOFF_DOUBLINGS + 3)
    policy = PollingPolicy(disable_after_failures=100)
    assert seconds_until(decide_schedule(late, FetchOutcome("failed", error_kind="timeout"), NOW, policy)) == 86_400


def test_failure_keeps_the_adaptive_factor():
    decision = decide_schedule(SourceSchedule(900, poll_factor=0.5), FetchOutcome("failed", error_kind="timeout"), NOW, POLICY)
    assert decision.poll_factor == 0.5
    assert seconds_until(decision) == 450 * 2


def test_retry_after_is_a_lower_bound_for_the_next_attempt():
    outcome = FetchOutcome("failed", error_kind="http_error", http_status=429, retry_after=7200)
    assert seconds_until(decide_schedule(SourceSchedule(900), outcome, NOW, POLICY)) == 7200
    short = FetchOutcome("failed", error_kind="http_error", http_status=429, retry_after=5)
    assert seconds_until(decide_schedule(SourceSchedule(900), short, NOW, POLICY)) == 1800


def test_disabled_after_n_failures_in_a_row_with_the_reason():
    source = SourceSchedule(900, consecutive_failures=3)
    outcome = FetchOutcome("failed", error_kind="http_error", error_message="HTTP 500", http_status=500)
    assert not decide_schedule(source, outcome, NOW, POLICY).disable
    source = SourceSchedule(900, consecutive_failures=4)
    decision = decide_schedule(source, outcome, NOW, POLICY)
    assert decision.disable and decision.consecutive_failures == 5
    assert "failed 5 times in a row" in decision.disabled_reason
    assert "http_error: HTTP 500" in decision.disabled_reason


@pytest.mark.parametrize(
    ("kind", "status"), [("blocked_address", None), ("invalid_url", None), ("http_error", 410)]
)
def test_errors_that_retrying_cannot_fix_disable_at_once(kind, status):
    decision = decide_schedule(SourceSchedule(900), FetchOutcome("failed", error_kind=kind, http_status=status), NOW, POLICY)
    assert decision.disable and decision.consecutive_failures == 1
    assert "cannot succeed without a change" in decision.disabled_reason


@pytest.mark.parametrize(("kind", "status"), [("http_error", 404), ("timeout", None), ("parse_error", 200)])
def test_ordinary_errors_do_not_disable_at_once(kind, status):
    decision = decide_schedule(SourceSchedule(900), FetchOutcome("failed", error_kind=kind, http_status=status), NOW, POLICY)
    assert not decision.disable

"""The API's pure decisions, without I/O: the token bucket, when to write a last use, the
cursor, the period, role order and a token's state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from api.auth import role_allows
from api.cursor import CursorError, decode_cursor, encode_cursor
from api.params import BadParameter, control_character_in, language_code, period
from api.rate_limit import Bucket, RateLimiter, take
from api.usage import should_record
from storage.read_models.signal_pages import SignalKey
from storage.repositories.api_tokens import token_state


def test_a_new_bucket_allows_the_burst_then_refuses():
    bucket = None
    for expected_left in range(2, -1, -1):
        decision = take(bucket, 100.0, rate_per_second=1.0, burst=3)
        assert decision.allowed and decision.remaining == expected_left
        bucket = decision.bucket
    refused = take(bucket, 100.0, rate_per_second=1.0, burst=3)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(1.0)


def test_the_bucket_refills_at_the_rate_and_never_beyond_the_burst():
    empty = Bucket(0.0, 10.0)
    assert not take(empty, 10.4, rate_per_second=2.0, burst=5).allowed  # 0.8 of a request
    assert take(empty, 10.5, rate_per_second=2.0, burst=5).allowed  # exactly one
    full = take(empty, 10_000.0, rate_per_second=2.0, burst=5)
    assert full.remaining == 4  # capped at the burst of 5, one taken


def test_a_clock_stepping_back_adds_nothing():
    decision = take(Bucket(0.5, 50.0), 40.0, rate_per_second=1.0, burst=3)
    assert not decision.allowed
    assert decision.retry_after == pytest.approx(0.5)


def test_bad_limits_are_refused():
    with pytest.raises(ValueError):
        take(None, 0.0, rate_per_second=0.0, burst=1)
    with pytest.raises(ValueError):
        take(None, 0.0, rate_per_second=1.0, burst=0)


def test_the_limiter_keeps_one_bucket_per_token():
    now = [0.0]
    limiter = RateLimiter(rate_per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.check(1).allowed for _ in range(3)] == [True, True, False]
    assert limiter.check(2).allowed  # another token has its own bucket
    now[0] = 1.0
    assert limiter.check(1).allowed


def test_last_use_is_written_once_per_interval():
    assert should_record(None, 5.0, 60)
    assert not should_record(5.0, 64.9, 60)
    assert should_record(5.0, 65.0, 60)
    assert should_record(5.0, 5.0, 0)  # 0: every request
    assert should_record(100.0, 50.0, 60)  # a clock that stepped back


@pytest.mark.parametrize("key", [
    SignalKey("time", datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC), 42),
    SignalKey("score", 0.875, 7),
])
def test_a_cursor_round_trips(key):
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("text", [
    "", "x", "!!!!", "e30", "a" * 500,
    encode_cursor(SignalKey("score", 0.5, 1)).replace("e", "f"),
    "eyJzIjoidGltZSIsInYiOiIyMDI2LTAxLTAxIiwiaSI6MX0",  # a naive time
    "eyJzIjoic2NvcmUiLCJ2IjoiTmFOIiwiaSI6MX0",  # a score that is a string
    "eyJzIjoiaGFjayIsInYiOjEsImkiOjF9",  # an unknown sort
])
def test_a_broken_cursor_is_a_clear_error(text):
    with pytest.raises(CursorError, match="invalid cursor"):
        decode_cursor(text)


def test_the_period_defaults_to_the_last_days_up_to_today():
    today = date(2026, 12, 2)
    assert period(None, None, None, today, 30, 366) == (date(2026, 11, 3), today)
    assert period(None, None, 7, today, 30, 366) == (date(2026, 11, 26), today)
    assert period(date(2026, 11, 1), date(2026, 11, 2), None, today, 30, 366) == (date(2026, 11, 1), date(2026, 11, 2))


@pytest.mark.parametrize(("first", "last", "days", "reason"), [
    (date(2026, 11, 5), date(2026, 11, 1), None, "after last_day"),
    (date(2020, 1, 1), date(2026, 11, 1), None, "longer than 366"),
    (date(2026, 11, 1), None, 3, "either first_day or days"),
    (None, None, 400, "between 1 and 366"),
    (None, date(1, 1, 3), 30, "before the year 1"),
    (None, date.max, 1, "before 9999-12-31"),
])
def test_a_bad_period_says_why(first, last, days, reason):
    with pytest.raises(BadParameter, match=reason):
        period(first, last, days, date(2026, 12, 2), 30, 366)


def test_control_characters_in_parameters():
    assert control_character_in(["ok", "a\x00b"]) and control_character_in(["tab\there"])
    assert not control_character_in(["stikstof", "Zoë & co", ""])


def test_language_codes():
    assert language_code("nl") == "nl" and language_code(None) is None
    for bad in ("NL", "n", "nederlands", "n1", "nl-NL"):
        with pytest.raises(BadParameter):
            language_code(bad)


def test_roles_and_token_states():
    assert role_allows("analyst", "viewer") and role_allows("viewer", "viewer")
    assert not role_allows("viewer", "analyst") and not role_allows("admin", "viewer")
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert token_state(None, None, now) == "active"
    assert token_state(None, now + timedelta(seconds=1), now) == "active"
    assert token_state(None, now, now) == "expired"
    assert token_state(now, now + timedelta(days=1), now) == "revoked"

"""Pure HTTP decisions: Retry-After, retries and backoff, content types, redirects, body limits."""

from __future__ import annotations

import gzip
import random
import zlib
from datetime import UTC, datetime

import pytest

from collector.body import BadContentEncoding, BodyTooLarge, BoundedBodyDecoder
from collector.http_rules import (
    backoff_delay,
    charset_of,
    content_type_allowed,
    media_type,
    redirect_target,
    retry_after_seconds,
    should_retry,
)
from collector.settings import CollectorSettings

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ALLOWED = CollectorSettings().allowed_content_types


def test_retry_after_in_seconds_or_as_http_date():
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Sun, 01 Nov 2026 12:02:00 GMT", NOW) == 120
    assert retry_after_seconds("Sun, 01 Nov 2026 11:00:00 GMT", NOW) == 0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


@pytest.mark.parametrize(("status", "timed_out", "retry"), [
    (500, False, True), (503, False, True), (429, False, True), (408, False, True),
    (404, False, False), (403, False, False), (None, True, True), (None, False, False),
])
def test_what_is_retried(status, timed_out, retry):
    assert should_retry(status, timed_out) is retry


def test_backoff_grows_with_full_jitter_and_honours_retry_after():
    rng = random.Random(7)
    for attempt in range(6):
        delay = backoff_delay(attempt, base=1.0, cap=60.0, retry_after=None, rng=rng)
        assert 0 <= delay <= min(60.0, 2**attempt)
    assert backoff_delay(0, 1.0, 60.0, retry_after=30, rng=rng) >= 30
    assert backoff_delay(0, 1.0, 60.0, retry_after=600, rng=rng) is None  # longer than we wait inline


def test_content_types():
    assert media_type("Application/RSS+XML; charset=UTF-8") == "application/rss+xml"
    assert charset_of('text/xml; charset="ISO-8859-1"') == "iso-8859-1"
    assert charset_of("text/xml") is None
    assert content_type_allowed("application/rss+xml; charset=utf-8", ALLOWED)
    assert content_type_allowed(None, ALLOWED)
    assert content_type_allowed("application/vnd.custom+xml", ALLOWED)
    assert not content_type_allowed("image/png", ALLOWED)
    assert not content_type_allowed("application/zip", ALLOWED)


def test_redirect_targets():
    assert redirect_target("https://a.test/feed", "/new") == "https://a.test/new"
    assert redirect_target("https://a.test/feed", "https://b.test/x") == "https://b.test/x"
    assert redirect_target("https://a.test/feed", "file:///etc/passwd") is None
    assert redirect_target("https://a.test/feed", "gopher://a.test/") is None
    assert redirect_target("https://a.test/feed", None) is None


def test_a_gzip_bomb_is_stopped_at_the_limit_after_decompression():
    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB on the wire
    decoder = BoundedBodyDecoder("gzip", max_bytes=1_000_000)
    with pytest.raises(BodyTooLarge):
        for start in range(0, len(bomb), 65536):
            decoder.feed(bomb[start : start + 65536])
    assert decoder.raw_bytes <= len(bomb)


def test_bodies_within_the_limit_are_decoded():
    text = "Één café, twee cafés".encode() * 100
    for coding, data in [
        (None, text),
        ("gzip", gzip.compress(text)),
        ("deflate", zlib.compress(text)),
        ("deflate", zlib.compress(text)[2:-4]),  # raw deflate, as some old servers send it
        ("gzip", gzip.compress(text[:50]) + gzip.compress(text[50:])),  # two gzip members
    ]:
        decoder = BoundedBodyDecoder(coding, max_bytes=len(text))
        for start in range(0, len(data), 7):
            decoder.feed(data[start : start + 7])
        assert decoder.finish() == text, coding


def test_plain_bodies_over_the_limit_and_bad_encodings_fail():
    decoder = BoundedBodyDecoder("identity", max_bytes=10)
    with pytest.raises(BodyTooLarge):
        decoder.feed(b"x" * 11)
    with pytest.raises(BadContentEncoding):
        BoundedBodyDecoder("br", max_bytes=10)
    corrupt = BoundedBodyDecoder("gzip", max_bytes=100)
    with pytest.raises(BadContentEncoding):
        corrupt.feed(b"this is not gzip at all")

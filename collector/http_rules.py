"""Pure HTTP decisions of the fetcher: retries and their waits, Retry-After, content types,
redirect targets. Plain values in, plain values out; no I/O."""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from storage import web_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 5xx, 429 Too Many Requests and 408 Request Timeout are worth another attempt.
RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
# Media types with a structured-syntax suffix (RFC 6839), e.g. application/vnd.x+xml.
STRUCTURED_SUFFIXES = ("+xml", "+json")


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date without zone is GMT by definition
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def should_retry(status: int | None, timed_out: bool) -> bool:
    return timed_out or (status is not None and status in RETRYABLE_STATUSES)


def backoff_delay(
    attempt: int, base: float, cap: float, retry_after: float | None, rng: random.Random
) -> float | None:
    """The wait before attempt ``attempt + 1`` (attempt counts from 0): exponential backoff with
    full jitter, at least Retry-After. None when Retry-After asks for more than ``cap``: then
    we stop retrying now and let the schedule honour it."""
    if retry_after is not None and retry_after > cap:
        return None
    jittered = rng.uniform(0, min(cap, base * (2**attempt)))
    return min(cap, max(jittered, retry_after or 0.0))


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').strip("'").lower() or None
    return None


def content_type_allowed(content_type: str | None, allowed: list[str] | tuple[str, ...]) -> bool:
    """A missing Content-Type is allowed (the parser sniffs); else the media type must be listed
    or carry a +xml / +json suffix."""
    kind = media_type(content_type)
    if kind is None:
        return True
    return kind in allowed or kind.endswith(STRUCTURED_SUFFIXES)


def redirect_target(current_url: str, location: str | None) -> str | None:
    """The absolute http(s) URL a redirect points to, or None if it is unusable."""
    if not location:
        return None
    try:
        target = urljoin(current_url, location.strip())
    except ValueError:  # a broken IPv6 literal
        return None
    # The one URL rule (storage.urls): http(s) only, and no user:password@ that httpx would
    # send as credentials to whatever host the redirect names.
    return web_url(target)

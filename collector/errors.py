"""Typed failures of the collector: every external failure ends as one ``FetchFailure`` with an
``error_kind`` the operator sees in ``fetch_runs`` and ``sources.last_error``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    BLOCKED_ADDRESS = "blocked_address"  # the host resolves to a refused address (SSRF guard)
    INVALID_URL = "invalid_url"  # not http(s), no host, bad redirect Location
    DNS_ERROR = "dns_error"  # the host name does not resolve
    CONNECT_ERROR = "connect_error"  # refused, unreachable, TLS handshake failed
    NETWORK_ERROR = "network_error"  # the connection broke while talking (reset, protocol error)
    TIMEOUT = "timeout"  # connect, read or total timeout
    TOO_LARGE = "too_large"  # body over the limit, counted after decompression
    BAD_CONTENT_TYPE = "bad_content_type"  # media type not in collector.allowed_content_types
    BAD_ENCODING = "bad_encoding"  # unknown Content-Encoding or corrupt compressed data
    TOO_MANY_REDIRECTS = "too_many_redirects"  # more hops than collector.max_redirects, or a loop
    HTTP_ERROR = "http_error"  # a 4xx/5xx answer (after retries for 5xx/429)
    ROBOTS_DISALLOWED = "robots_disallowed"  # robots.txt forbids our user agent this path
    ROBOTS_UNAVAILABLE = "robots_unavailable"  # robots.txt answered 5xx: RFC 9309 says assume disallow
    PARSE_ERROR = "parse_error"  # not a feed, refused XML (entities), broken JSON
    INTERNAL_ERROR = "internal_error"  # a bug of ours; recorded, and never stops the other sources


@dataclass(frozen=True)
class FetchFailure:
    """Why one fetch (feed, robots.txt or article page) did not give a usable body."""

    kind: ErrorKind
    message: str
    http_status: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (Retry-After)
    attempts: int = 1
    final_url: str | None = None

    def describe(self) -> str:
        return f"{self.kind.value}: {self.message}"


class CollectorError(Exception):
    """Base class of the collector's errors: a refused address, a body over the limit or badly
    encoded, a feed that does not parse, a source list that cannot be read."""


class FeedParseError(CollectorError, ValueError):
    """The body is not a usable feed (or is refused, e.g. XML with entity declarations)."""

"""The polite HTTP client: it fetches one URL and returns bytes and headers, or a typed failure.

Flow of ``PoliteClient.fetch(url)``::

    for attempt in 0..retries:
        for each redirect hop (at most max_redirects, loops refused):
            robots.txt of the hop's origin allows it?        (cached per origin)
            wait for a slot of the hop's host                 (per-host concurrency + min delay)
            connect through the address guard                 (collector.transport)
            GET with conditional headers, stream the body within the limits
        done, unless the failure is a timeout / 5xx / 429 -> backoff with jitter, >= Retry-After

It decides nothing about sources or schedules; the runner hands the result on.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from importlib import metadata
from urllib.parse import urlsplit

import httpx

from collector.body import ACCEPT_ENCODING, BadContentEncoding, BodyTooLarge, BoundedBodyDecoder
from collector.errors import ErrorKind, FetchFailure
from collector.guard import AddressGuard, BlockedAddress, ResolutionFailed, parse_networks
from collector.http_rules import (
    REDIRECT_STATUSES,
    backoff_delay,
    content_type_allowed,
    redirect_target,
    retry_after_seconds,
    should_retry,
)
from collector.politeness import (
    HostLimiter,
    RobotsCache,
    RobotsRules,
    origin_of,
    robots_rules_from_response,
    robots_url,
)
from collector.settings import CollectorSettings
from collector.transport import GuardedTransport
from storage import web_url

PRODUCT = "Waakhond"  # also the token robots.txt rules are matched against
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_LANGUAGE = "nl, en;q=0.7, *;q=0.3"
BODY_CHUNK_BYTES = 64 * 1024
# Small error and redirect bodies (a robots.txt 404 page) are read to the end so the connection can be
# reused for the feed that follows; larger ones are dropped with the connection.
ERROR_BODY_DRAIN_BYTES = 64 * 1024


def user_agent(contact: str) -> str:
    try:
        version = metadata.version("waakhond")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        version = "0"
    return f"{PRODUCT}/{version} (+{contact})"


@dataclass(frozen=True)
class ConditionalGet:
    """The validators of the last successful fetch, sent back so the server can answer 304."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    bytes_received: int = 0  # bytes on the wire (compressed), body only
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class PoliteClient:
    """One shared async client for feeds, robots.txt and article pages. Use ``async with``."""

    def __init__(
        self,
        settings: CollectorSettings,
        *,
        guard: AddressGuard | None = None,
        rng: random.Random | None = None,
        inner_backend=None,
        sleep=asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.guard = guard or AddressGuard(parse_networks(settings.allow_networks), timeout=settings.connect_timeout)
        self.user_agent = user_agent(settings.contact)
        self.limiter = HostLimiter(settings.per_host_concurrency, settings.per_host_min_delay)
        self.robots = RobotsCache(settings.robots_cache_seconds)
        self._rng = rng or random.Random()
        self._sleep = sleep  # injectable so tests can see the waits without waiting
        self._inner_backend = inner_backend
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PoliteClient:
        s = self.settings
        limits = httpx.Limits(
            max_connections=s.global_concurrency * s.per_host_concurrency,
            max_keepalive_connections=s.global_concurrency,
        )
        cookies = httpx.Cookies()
        cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # no tracking across sources
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self.guard, limits, s.per_host_concurrency, self._inner_backend),
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.total_timeout
            ),
            follow_redirects=False,  # every hop is followed here, guarded and robots-checked
            headers={"User-Agent": self.user_agent, "Accept-Language": ACCEPT_LANGUAGE},
            cookies=cookies,
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self,
        url: str,
        *,
        conditional: ConditionalGet | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
    ) -> FetchResult | FetchFailure:
        """GET ``url`` politely, with retries. Never raises for network or HTTP trouble."""
        s = self.settings
        headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
        headers.update((conditional or ConditionalGet()).headers())
        limit = max_bytes or s.max_response_bytes
        attempt = 0
        while True:
            outcome = await self._follow(url, headers, limit, check_robots=s.respect_robots)
            if isinstance(outcome, FetchResult):
                return _with_attempts(outcome, attempt + 1)
            retryable = should_retry(
                outcome.http_status if outcome.kind is ErrorKind.HTTP_ERROR else None,
                outcome.kind is ErrorKind.TIMEOUT,
            )
            if not retryable or attempt >= s.retries:
                return _with_attempts(outcome, attempt + 1)
            delay = backoff_delay(attempt, s.backoff_base, s.backoff_max, outcome.retry_after, self._rng)
            if delay is None:  # the server asks for a longer pause than we wait inline
                return _with_attempts(outcome, attempt + 1)
            if outcome.retry_after:
                self.limiter.defer(_host(outcome.final_url or url), outcome.retry_after)
            await self._sleep(delay)
            attempt += 1

    async def _follow(
        self, url: str, headers: dict[str, str], max_bytes: int, *, check_robots: bool
    ) -> FetchResult | FetchFailure:
        current = url
        visited = {url}
        for _hop in range(self.settings.max_redirects + 1):
            if check_robots:
                denied = await self._robots_verdict(current)
                if denied is not None:
                    return denied
            outcome = await self._request(current, headers, max_bytes)
            if not isinstance(outcome, str):
                if isinstance(outcome, FetchResult):
                    return FetchResult(
                        url=url, final_url=current, status=outcome.status, headers=outcome.headers,
                        body=outcome.body, bytes_received=outcome.bytes_received,
                    )
                return outcome
            target = outcome
            if target in visited:
                return FetchFailure(ErrorKind.TOO_MANY_REDIRECTS, f"redirect loop at {target}", final_url=current)
            visited.add(target)
            current = target
        return FetchFailure(
            ErrorKind.TOO_MANY_REDIRECTS, f"more than {self.settings.max_redirects} redirects", final_url=current
        )

    async def _request(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult | FetchFailure | str:
        """One GET of one URL. Returns the result, a failure, or the redirect target (str)."""
        assert self._client is not None, "use PoliteClient inside 'async with'"
        s = self.settings
        # The one URL rule (storage.urls): no credentials, no other scheme, and an IPv4 number in
        # any spelling (2130706433, 0177.0.0.1) is requested as its dotted quad, which the guard vets.
        clean = web_url(url)
        if clean is None:
            return FetchFailure(ErrorKind.INVALID_URL, f"not a clean http(s) URL: {url}", final_url=url)
        parts = urlsplit(clean)
        async with self.limiter.slot(parts.hostname):
            try:
                async with asyncio.timeout(s.total_timeout):
                    return await self._exchange(clean, headers, max_bytes)
            except BlockedAddress as exc:
                return FetchFailure(ErrorKind.BLOCKED_ADDRESS, str(exc), final_url=url)
            except ResolutionFailed as exc:
                return FetchFailure(ErrorKind.DNS_ERROR, str(exc), final_url=url)
            except (TimeoutError, httpx.TimeoutException) as exc:
                return FetchFailure(ErrorKind.TIMEOUT, _timeout_message(exc, s.total_timeout), final_url=url)
            except httpx.ConnectError as exc:
                return FetchFailure(ErrorKind.CONNECT_ERROR, _message(exc), final_url=url)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                return FetchFailure(ErrorKind.INVALID_URL, _message(exc), final_url=url)
            except httpx.TransportError as exc:
                return FetchFailure(ErrorKind.NETWORK_ERROR, _message(exc), final_url=url)
            except BodyTooLarge as exc:
                return FetchFailure(ErrorKind.TOO_LARGE, str(exc), final_url=url)
            except BadContentEncoding as exc:
                return FetchFailure(ErrorKind.BAD_ENCODING, str(exc), final_url=url)

    async def _exchange(self, url: str, headers: dict[str, str], max_bytes: int) -> FetchResult | FetchFailure | str:
        assert self._client is not None
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                await _drain_small_body(response)
                target = redirect_target(url, response.headers.get("location"))
                if target is None:
                    return FetchFailure(
                        ErrorKind.INVALID_URL, f"redirect {status} without a usable Location", status, final_url=url
                    )
                return target
            found = {k.lower(): v for k, v in response.headers.items()}
            if status == 304:
                return FetchResult(url=url, final_url=url, status=304, headers=found)
            if not 200 <= status < 300:
                await _drain_small_body(response)
                wait = retry_after_seconds(response.headers.get("retry-after"), datetime.now(UTC))
                return FetchFailure(
                    ErrorKind.HTTP_ERROR, f"HTTP {status} {response.reason_phrase}".strip(), status, wait, final_url=url
                )
            if not content_type_allowed(response.headers.get("content-type"), self.settings.allowed_content_types):
                return FetchFailure(
                    ErrorKind.BAD_CONTENT_TYPE, f"content type {response.headers.get('content-type')!r} refused",
                    status, final_url=url,
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return FetchFailure(
                    ErrorKind.TOO_LARGE, f"Content-Length {declared} exceeds {max_bytes} bytes", status, final_url=url
                )
            decoder = BoundedBodyDecoder(response.headers.get("content-encoding"), max_bytes)
            async for chunk in response.aiter_raw(BODY_CHUNK_BYTES):
                decoder.feed(chunk)
            body = decoder.finish()
            return FetchResult(
                url=url, final_url=url, status=status, headers=found, body=body, bytes_received=decoder.raw_bytes
            )
        finally:
            await response.aclose()

    async def _robots_verdict(self, url: str) -> FetchFailure | None:
        """None when robots.txt lets us fetch ``url``; else the failure to report."""
        origin = origin_of(url)
        rules = self.robots.get(origin)
        if rules is None:
            async with self.robots.lock(origin):
                rules = self.robots.get(origin)
                if rules is None:
                    fetched = await self._fetch_robots(origin, url)
                    if isinstance(fetched, FetchFailure):
                        return fetched
                    rules = fetched
        if rules.allows(self.user_agent, url):
            return None
        if rules.unavailable:
            return FetchFailure(ErrorKind.ROBOTS_UNAVAILABLE, f"{rules.note} at {origin}: not fetching", final_url=url)
        return FetchFailure(ErrorKind.ROBOTS_DISALLOWED, f"robots.txt of {origin} disallows {url}", final_url=url)

    async def _fetch_robots(self, origin: str, url: str) -> RobotsRules | FetchFailure:
        headers = {"Accept": "text/plain, */*;q=0.5", "Accept-Encoding": ACCEPT_ENCODING}
        outcome = await self._follow(robots_url(url), headers, self.settings.max_response_bytes, check_robots=False)
        if isinstance(outcome, FetchResult):
            rules, lifetime = robots_rules_from_response(outcome.status, outcome.body)
        elif outcome.kind is ErrorKind.HTTP_ERROR and outcome.http_status is not None:
            rules, lifetime = robots_rules_from_response(outcome.http_status, b"")
        elif outcome.kind in (ErrorKind.TOO_MANY_REDIRECTS, ErrorKind.BAD_CONTENT_TYPE, ErrorKind.TOO_LARGE):
            # RFC 9309 2.3.1.2/2.3.1.4: an unreachable or unusable robots.txt after redirects
            # counts as "unavailable" (4xx-like): allow.
            rules, lifetime = robots_rules_from_response(404, b"")
        else:  # the host itself is unreachable or refused: report that for the feed itself
            return outcome
        self.robots.put(origin, rules, lifetime)
        return rules


async def _drain_small_body(response: httpx.Response) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= ERROR_BODY_DRAIN_BYTES and "content-encoding" not in response.headers:
        async for _chunk in response.aiter_raw(BODY_CHUNK_BYTES):
            pass


def _with_attempts(outcome, attempts: int):
    from dataclasses import replace

    return replace(outcome, attempts=attempts)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _timeout_message(exc: BaseException, total: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read timeout (no data for too long)"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in time"
    return f"gave up after {total:g}s (total timeout)"

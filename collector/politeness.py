"""Being a good guest: a per-host concurrency limit with a minimum delay between requests,
and robots.txt rules cached per origin.

``HostLimiter`` and ``RobotsCache`` hold state but decide nothing about the network;
``robots_rules_from_response`` is the pure decision of what a robots.txt answer means.
"""

from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# RFC 9309 2.5: crawlers must parse at least 500 KiB of robots.txt; more is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# After a robots.txt 5xx we disallow for a short while only, then ask again (RFC 9309 2.3.1.4).
ROBOTS_UNAVAILABLE_RETRY_SECONDS = 600


class HostLimiter:
    """At most ``per_host`` requests in flight per host, and ``min_delay`` seconds between the
    starts of two requests to the same host. A host can also be deferred (after a 429)."""

    def __init__(
        self,
        per_host: int,
        min_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = asyncio.sleep,
    ) -> None:
        self.per_host = per_host
        self.min_delay = min_delay
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._spacing: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        host = host.lower()
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with semaphore:
            async with self._spacing.setdefault(host, asyncio.Lock()):
                wait = self._next_start.get(host, 0.0) - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                self._next_start[host] = self._clock() + self.min_delay
            yield

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts within the next ``seconds`` (e.g. its Retry-After)."""
        host = host.lower()
        self._next_start[host] = max(self._next_start.get(host, 0.0), self._clock() + seconds)


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt allows. ``unavailable`` means: disallow everything for now."""

    parser: urllib.robotparser.RobotFileParser | None = None
    unavailable: bool = False
    note: str = ""

    def allows(self, user_agent: str, url: str) -> bool:
        if self.unavailable:
            return False
        if self.parser is None:
            return True
        return self.parser.can_fetch(user_agent, url)


ALLOW_ALL = RobotsRules(note="no robots.txt")


def robots_rules_from_response(status: int, body: bytes) -> tuple[RobotsRules, float | None]:
    """Rules for a robots.txt answer, and a shorter cache lifetime when it should be retried
    soon (None: the normal lifetime). Pure; follows RFC 9309."""
    if 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        return RobotsRules(parser=parser, note="robots.txt"), None
    if 400 <= status < 500:  # "unavailable": the crawler may access any resource
        return RobotsRules(note=f"robots.txt {status}: allow all"), None
    return RobotsRules(unavailable=True, note=f"robots.txt {status}"), ROBOTS_UNAVAILABLE_RETRY_SECONDS


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def robots_url(url: str) -> str:
    return origin_of(url) + "/robots.txt"


@dataclass
class RobotsCache:
    """robots.txt rules per origin, for ``ttl`` seconds; one fetch per origin at a time."""

    ttl: float
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[RobotsRules, float]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def get(self, origin: str) -> RobotsRules | None:
        entry = self._entries.get(origin)
        if entry is None or entry[1] <= self.clock():
            return None
        return entry[0]

    def put(self, origin: str, rules: RobotsRules, lifetime: float | None = None) -> None:
        self._entries[origin] = (rules, self.clock() + (self.ttl if lifetime is None else lifetime))

    def lock(self, origin: str) -> asyncio.Lock:
        return self._locks.setdefault(origin, asyncio.Lock())

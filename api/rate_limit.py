"""Rate limiting per token: a token bucket.

    take(bucket, now, rate_per_second, burst) -> Decision     (pure: no clock, no I/O)

A token may make ``burst`` requests at once; the bucket then refills at ``rate_per_second``
(``api.rate_per_minute`` / 60). ``RateLimiter`` keeps one bucket per API token in memory, so
the limit holds per process: behind several API processes each keeps its own (documented in
docs/api.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    tokens: float  # requests that may still be made now
    updated: float  # when ``tokens`` was computed (seconds, any monotonic clock)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    bucket: Bucket  # the state to keep
    remaining: int  # whole requests left after this one
    retry_after: float  # seconds until the next request would be allowed (0 when allowed)


def take(bucket: Bucket | None, now: float, rate_per_second: float, burst: int) -> Decision:
    """One request at ``now``: allowed when the bucket holds a whole token."""
    if rate_per_second <= 0 or burst < 1:
        raise ValueError("rate_per_second must be > 0 and burst >= 1")
    if bucket is None:
        tokens = float(burst)
    else:
        elapsed = max(0.0, now - bucket.updated)  # a clock that steps back never adds tokens
        tokens = min(float(burst), bucket.tokens + elapsed * rate_per_second)
    if tokens >= 1.0:
        left = tokens - 1.0
        return Decision(True, Bucket(left, now), int(math.floor(left)), 0.0)
    return Decision(False, Bucket(tokens, now), 0, (1.0 - tokens) / rate_per_second)


class RateLimiter:
    """One bucket per key (the token's id), thread-safe (FastAPI runs endpoints in threads)."""

    def __init__(self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate_per_second = rate_per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[int, Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: int) -> Decision:
        with self._lock:
            decision = take(self._buckets.get(key), self._clock(), self.rate_per_second, self.burst)
            self._buckets[key] = decision.bucket
            return decision

"""When to write a token's last-used time: at most once per interval per token.

    should_record(last_written, now, interval) -> bool        (pure)

Writing it on every request would turn every read into a write (and, on SQLite, into a wait for
the collector's writes); once a minute is precise enough to tell a token still in use from one
nobody uses any more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def should_record(last_written: float | None, now: float, interval: float) -> bool:
    return last_written is None or interval <= 0 or now - last_written >= interval or now < last_written


class UsageTracker:
    """Remembers, per token, when its last use was written (per process)."""

    def __init__(self, interval_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval_seconds
        self._clock = clock
        self._written: dict[int, float] = {}
        self._lock = threading.Lock()

    def due(self, token_id: int) -> bool:
        """True (and noted) when this use should be written."""
        with self._lock:
            now = self._clock()
            if not should_record(self._written.get(token_id), now, self.interval):
                return False
            self._written[token_id] = now
            return True

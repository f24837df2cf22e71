"""Pure decisions of the scale-out scheduler and workers: plain data in, plain data out.

    InFlight             what was enqueued when; an entry older than requeue_after counts as
                         lost (dead worker, dropped message) and may be enqueued again
    plan_fetches         due sources not enqueued recently -> one fetch task each
    plan_classify_batches pending items not enqueued recently -> full batches at once, the
                         last partial batch only once its oldest item has waited max_wait
    retry_delay          exponential backoff of a failing task
    leader_try_due       whether a scheduler renews (leader) or tries to take (standby) the
                         leader lease now: TRIES_PER_LEASE times per lease
    leading_until        until when a scheduler may enqueue after a try: a third of a lease
                         short of the lease's expiry, None when it did not get the lease
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storage.repositories import PendingItem

#: Tries (renewals or take-over attempts) per lease period.
TRIES_PER_LEASE = 3


@dataclass
class InFlight:
    """Ids (sources or items) the scheduler has enqueued, with when. Kept in the scheduler's
    memory only: a new leader starts empty and may enqueue some work twice, which the
    idempotent tasks turn into no-ops."""

    requeue_after: timedelta
    enqueued: dict[int, datetime] = field(default_factory=dict)

    def waiting(self, now: datetime) -> set[int]:
        """Ids enqueued recently enough that they are still expected to be done."""
        return {i for i, at in self.enqueued.items() if now - at < self.requeue_after}

    def add(self, ids: Iterable[int], now: datetime) -> None:
        for i in ids:
            self.enqueued[i] = now

    def keep_only(self, still_open: Iterable[int], unseen_above: int | None = None) -> None:
        """Forget ids whose work is done (no longer due / pending). ``unseen_above``: the scan
        stopped at this id, so entries above it are kept as they are."""
        wanted = set(still_open)
        self.enqueued = {
            i: at for i, at in self.enqueued.items() if i in wanted or (unseen_above is not None and i > unseen_above)
        }


def plan_fetches(due_source_ids: Sequence[int], waiting: set[int]) -> list[int]:
    """The due sources to enqueue now: those without a recent fetch task."""
    return [i for i in due_source_ids if i not in waiting]


def plan_classify_batches(
    pending: Sequence[PendingItem], waiting: set[int], now: datetime, batch_size: int, max_wait: timedelta
) -> list[list[int]]:
    """Cut the pending items (by id) that are not enqueued yet into batches of ``batch_size``.
    A last, partial batch is sent only once its oldest item has waited ``max_wait``: batches
    stay full under load, and a quiet hour still gets its few items classified."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    open_items = sorted((p for p in pending if p.item_id not in waiting), key=lambda p: p.item_id)
    batches = [open_items[i : i + batch_size] for i in range(0, len(open_items), batch_size)]
    if batches and len(batches[-1]) < batch_size:
        oldest = min(p.collected_at for p in batches[-1])
        if now - oldest < max_wait:
            batches.pop()
    return [[p.item_id for p in batch] for batch in batches]


def retry_delay(attempt: int, base_seconds: float, max_seconds: float) -> float:
    """Seconds before retry number ``attempt`` + 1 (attempt 0 is the first failure): base,
    2 x base, 4 x base, ... never more than ``max_seconds``."""
    if attempt < 0:
        raise ValueError("attempt must not be negative")
    return min(max_seconds, base_seconds * 2**attempt)


def leader_try_due(last_try: datetime | None, now: datetime, lease: timedelta) -> bool:
    """True when the leader lease should be renewed or tried again now."""
    return last_try is None or now - last_try >= lease / TRIES_PER_LEASE


def leading_until(now: datetime, lease: timedelta, got: bool) -> datetime | None:
    """After a try at ``now``: until when this scheduler leads. A third of a lease short of the
    lease's expiry, so a leader whose renewals fail stops enqueueing before any standby can take
    over (the clocks of machines differ a little)."""
    return now + lease - lease / TRIES_PER_LEASE if got else None

"""The scale-out decisions, without I/O: what the scheduler enqueues, how it cuts batches, how
long retries wait, when the leader lease is tried and how long a term lasts. Then the leader
election itself on a real database with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from storage.repositories.classifications import PendingItem
from waakhond.workers.leader import LeaderElection
from waakhond.workers.planning import (
    InFlight,
    leader_try_due,
    leading_until,
    plan_classify_batches,
    plan_fetches,
    retry_delay,
)
from waakhond.workers.settings import MAX_LEADER_LEASE_SECONDS, ScaleSettings

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def pending(*ids: int, waited: timedelta = timedelta(0)) -> list[PendingItem]:
    return [PendingItem(i, T0 - waited) for i in ids]


# --- in flight -------------------------------------------------------------------------------------
def test_in_flight_forgets_work_after_requeue_after() -> None:
    flight = InFlight(requeue_after=5 * MINUTE)
    flight.add([1, 2], T0)
    flight.add([3], T0 + 3 * MINUTE)
    assert flight.waiting(T0 + 4 * MINUTE) == {1, 2, 3}
    assert flight.waiting(T0 + 5 * MINUTE) == {3}  # 1 and 2 count as lost: enqueue them again


def test_in_flight_keeps_only_open_work_and_what_the_scan_did_not_reach() -> None:
    flight = InFlight(requeue_after=MINUTE)
    flight.add([1, 2, 3, 10, 11], T0)
    flight.keep_only([2, 3], unseen_above=5)
    assert set(flight.enqueued) == {2, 3, 10, 11}
    flight.keep_only([3])
    assert set(flight.enqueued) == {3}


# --- fetches ---------------------------------------------------------------------------------------
def test_plan_fetches_skips_sources_with_a_recent_task_and_keeps_order() -> None:
    assert plan_fetches([5, 1, 3, 2], waiting={3}) == [5, 1, 2]
    assert plan_fetches([], waiting={1}) == []


# --- classify batches ------------------------------------------------------------------------------
def test_full_batches_go_at_once_and_a_fresh_partial_batch_waits() -> None:
    items = pending(*range(1, 11))  # 10 items, just collected
    assert plan_classify_batches(items, set(), T0, batch_size=4, max_wait=MINUTE) == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_a_partial_batch_goes_once_its_oldest_item_waited_max_wait() -> None:
    items = pending(1, 2, 3) + pending(4, waited=MINUTE)
    assert plan_classify_batches(items, set(), T0, batch_size=8, max_wait=MINUTE) == [[1, 2, 3, 4]]
    assert plan_classify_batches(items, set(), T0 - timedelta(seconds=1), batch_size=8, max_wait=MINUTE) == []


def test_items_already_enqueued_are_not_batched_again_and_batches_are_by_id() -> None:
    items = pending(9, 3, 7, 1, 5, waited=MINUTE)
    assert plan_classify_batches(items, {3, 7}, T0, batch_size=2, max_wait=MINUTE) == [[1, 5], [9]]


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        plan_classify_batches(pending(1), set(), T0, batch_size=0, max_wait=MINUTE)


# --- retries ---------------------------------------------------------------------------------------
def test_retry_delay_doubles_up_to_the_maximum() -> None:
    assert [retry_delay(a, 2.0, 20.0) for a in range(6)] == [2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    with pytest.raises(ValueError):
        retry_delay(-1, 2.0, 20.0)


def test_settings_refuse_retries_longer_than_the_visibility_timeout() -> None:
    with pytest.raises(ValidationError):
        ScaleSettings(retry_backoff_max_seconds=60, visibility_timeout_seconds=60)
    with pytest.raises(ValidationError):
        ScaleSettings(leader_lease_seconds=MAX_LEADER_LEASE_SECONDS + 1)


# --- leader lease decisions ------------------------------------------------------------------------
def test_the_lease_is_tried_three_times_per_lease() -> None:
    lease = timedelta(seconds=30)
    assert leader_try_due(None, T0, lease)
    assert not leader_try_due(T0, T0 + timedelta(seconds=9.9), lease)
    assert leader_try_due(T0, T0 + timedelta(seconds=10), lease)


def test_a_term_ends_a_third_of_a_lease_before_the_lease_does() -> None:
    lease = timedelta(seconds=30)
    assert leading_until(T0, lease, got=True) == T0 + timedelta(seconds=20)
    assert leading_until(T0, lease, got=False) is None


def test_a_hand_over_takes_at_most_a_minute_at_the_longest_lease() -> None:
    lease = timedelta(seconds=MAX_LEADER_LEASE_SECONDS)
    # the leader's last renewal at T0; its lease ends at T0 + lease; a standby that tried just
    # before that tries again a third of a lease later
    last_standby_try = T0 + lease - timedelta(microseconds=1)
    next_try = last_standby_try
    while not leader_try_due(last_standby_try, next_try, lease):
        next_try += timedelta(seconds=1)
    assert next_try - T0 <= timedelta(minutes=1)


# --- the election on a real database ---------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_one_of_two_schedulers_leads_and_the_other_takes_over_when_it_stops_renewing(db) -> None:
    clock = Clock()
    first = LeaderElection(db.sessions, "scheduler:a", 30, now=clock)
    second = LeaderElection(db.sessions, "scheduler:b", 30, now=clock)
    assert first.hold() and not second.hold()
    clock.now += timedelta(seconds=10)
    assert first.hold() and not second.hold()  # renewed: the lease now runs to T0 + 40 s
    clock.now += timedelta(seconds=25)  # the first one stops renewing (killed)
    assert not first.is_leader()  # its term ended before its lease did
    assert not second.hold()  # the lease still runs
    clock.now += timedelta(seconds=10)
    assert second.hold()
    assert not first.hold()  # back again: it finds the lease taken


def test_a_released_lease_is_taken_at_the_next_try(db) -> None:
    clock = Clock()
    first = LeaderElection(db.sessions, "scheduler:a", 30, now=clock)
    second = LeaderElection(db.sessions, "scheduler:b", 30, now=clock)
    assert first.hold() and not second.hold()
    first.release()
    assert not first.is_leader()
    clock.now += timedelta(seconds=10)
    assert second.hold()

"""Leader election for the scale-out scheduler: the ``leases`` row ``scheduler:leader``.

    hold()     the leader renews its lease every third of a lease; a standby tries to take it
               as often; ``try_acquire_lease`` is one conditional UPDATE (or INSERT), so of two
               schedulers exactly one holds it, on SQLite and PostgreSQL alike
    leader?    only while the last renewal succeeded and its lease has not run out: a leader
               that cannot reach the database stops enqueueing before a standby may take over
    release()  on a clean stop, so a standby takes over at its next try

A killed leader stops renewing: its lease expires after ``leader_lease_seconds`` and a standby
takes over at its next try, at most a third of a lease later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

import storage
from storage.repositories import release_lease, try_acquire_lease
from storage.schema import utcnow
from waakhond.workers.planning import leader_try_due, leading_until

log = logging.getLogger(__name__)
LEADER_LEASE = "scheduler:leader"


class LeaderElection:
    def __init__(
        self, sessions: sessionmaker[Session], owner: str, lease_seconds: float, now: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = sessions
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self.now = now
        self._held_until: datetime | None = None
        self._last_try: datetime | None = None

    def is_leader(self) -> bool:
        return self._held_until is not None and self.now() < self._held_until

    def hold(self) -> bool:
        """Renew (leader) or try to take (standby) the lease when a try is due; True while this
        process is the leader."""
        now = self.now()
        if leader_try_due(self._last_try, now, self.lease):
            self._last_try = now
            was_leader = self.is_leader()
            try:
                with storage.transaction(self.sessions) as session:
                    got = try_acquire_lease(session, LEADER_LEASE, self.owner, now, self.lease.total_seconds())
            except Exception:  # the database is away: keep what we had until it runs out
                log.warning("leader lease: database unreachable", exc_info=True)
            else:
                self._held_until = leading_until(now, self.lease, got)
                if got and not was_leader:
                    log.info("became the leader scheduler", extra={"owner": self.owner})
                elif was_leader and not got:
                    log.warning("lost the leader lease", extra={"owner": self.owner})
        return self.is_leader()

    def release(self) -> None:
        if self._held_until is None:
            return
        self._held_until = None
        try:
            with storage.transaction(self.sessions) as session:
                release_lease(session, LEADER_LEASE, self.owner)
        except Exception:  # it expires on its own
            log.warning("releasing the leader lease failed", exc_info=True)

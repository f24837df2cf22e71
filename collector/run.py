"""The collect run: lease the due sources, walk each through ``SourcePipeline`` with bounded
concurrency, and report. It decides nothing about any source itself.

    claim leases        due sources (or the ones asked for), stale local leases taken over
    refresh dedup index from stored signatures of the last near_duplicate_window_days
    for each claimed source, at most global_concurrency at a time:
        stop requested?  -> release its lease untouched
        SourcePipeline.run(source)  (stores its own fetch_runs row, releases its lease)
    meanwhile: renew the leases of sources still in flight
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from collector.fetch import PoliteClient
from collector.guard import AddressGuard, Resolver, parse_networks, system_resolver
from collector.leases import dead_local_owners, new_owner_id
from collector.pages import PageProcessors, default_page_processors
from collector.pipeline import SourceOutcome, SourcePipeline
from collector.settings import CollectorSettings
from collector.writer import DatabaseWriter
from storage.schema import utcnow

log = logging.getLogger(__name__)
# Leases are renewed this many times per lease period while a fetch is still running.
LEASE_RENEWALS_PER_PERIOD = 3


@dataclass
class CollectReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    skipped: int = 0  # claimed but not fetched because a stop was requested

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def items_new(self) -> int:
        return sum(o.items_new for o in self.outcomes)

    @property
    def bytes_received(self) -> int:
        return sum(o.bytes_received for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts


class Collector:
    """Collects due sources into the database. One instance per process is enough; it can run
    many times. Inside ``async with collector:`` one HTTP client (with its robots.txt cache
    and per-host delays) is shared by every run; outside it, each run opens its own.
    ``resolver`` and ``inner_backend`` exist for tests (fake DNS, spy sockets)."""

    def __init__(
        self,
        settings: CollectorSettings,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session] | None = None,
        *,
        page_processors: PageProcessors | None = None,
        resolver: Resolver | None = None,
        inner_backend=None,
        owner: str | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.owner = owner or new_owner_id()
        self.now = now
        self.guard = AddressGuard(
            parse_networks(settings.allow_networks), resolver or system_resolver, timeout=settings.connect_timeout
        )
        self._inner_backend = inner_backend
        self._client: PoliteClient | None = None
        self.writer = DatabaseWriter(
            sessions, read_sessions or sessions, settings, page_processors or default_page_processors(), self.owner, now
        )

    def close(self) -> None:
        self.writer.close()

    def _new_client(self) -> PoliteClient:
        return PoliteClient(self.settings, guard=self.guard, inner_backend=self._inner_backend)

    async def __aenter__(self) -> Collector:
        self._client = await self._new_client().__aenter__()
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._client is not None:
            await self._client.__aexit__(*exc_info)
            self._client = None

    def collect_once(self, source_ids: Sequence[int] | None = None, **kwargs) -> CollectReport:
        """Synchronous wrapper for the CLI and tests."""
        return asyncio.run(self.collect(source_ids, **kwargs))

    async def collect(
        self,
        source_ids: Sequence[int] | None = None,
        *,
        stop: asyncio.Event | None = None,
        on_claimed: Callable[[int], None] | None = None,
        on_done: Callable[[SourceOutcome], None] | None = None,
        only_due: bool = False,
    ) -> CollectReport:
        """Fetch the due sources (or exactly ``source_ids``, due or not) once. ``only_due``
        with ``source_ids``: only those of them still due when they are claimed (a queued
        fetch task that arrives after the source was fetched does nothing)."""
        stop = stop or asyncio.Event()
        holders = await self.writer.call_read(self.writer.lease_holders)
        take_over = dead_local_owners(holders, socket.gethostname(), self.owner)
        claimed = await self.writer.call(self.writer.claim, source_ids, take_over, only_due)
        if on_claimed:
            on_claimed(len(claimed))
        report = CollectReport()
        if not claimed:
            return report
        await self.writer.call(self.writer.refresh_index)
        in_flight: set[int] = {s.id for s in claimed}
        renewer = asyncio.create_task(self._renew_leases(in_flight))
        own_client = self._client is None
        client = self._new_client() if own_client else self._client
        try:
            if own_client:
                await client.__aenter__()
            pipeline = SourcePipeline(self.settings, client, self.writer, self.owner, self.now)
            gate = asyncio.Semaphore(self.settings.global_concurrency)

            async def one(source) -> None:
                async with gate:
                    if stop.is_set():
                        await self.writer.call(self.writer.release, [source.id])
                        report.skipped += 1
                    else:
                        outcome = await pipeline.run(source)
                        report.outcomes.append(outcome)
                        if on_done:
                            on_done(outcome)
                    in_flight.discard(source.id)

            # A stop (set ``stop``) lets every started source finish; its write runs on the
            # database thread and completes even if this task is cancelled.
            await asyncio.gather(*(one(s) for s in claimed))
        finally:
            renewer.cancel()
            if own_client:
                await client.__aexit__(None, None, None)
        return report

    async def _renew_leases(self, in_flight: set[int]) -> None:
        period = self.settings.lease_seconds / LEASE_RENEWALS_PER_PERIOD
        while True:
            await asyncio.sleep(period)
            if in_flight:
                try:
                    await self.writer.call(self.writer.renew, sorted(in_flight))
                except Exception:  # the database is briefly away: the next renewal may succeed
                    log.warning("renewing source leases failed", exc_info=True)

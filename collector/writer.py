"""The collector's database side. Every write of a collect run goes through
``DatabaseWriter.call`` on one thread, so writes are serialised (no SQLite lock contention
inside a process), the near-duplicate index is only ever touched by that thread, and an
in-flight write always finishes, even when the event loop is asked to stop. Plain reads
(``call_read``) use a few other threads so they never queue behind writes.

``store`` is one transaction per fetch: duplicate decisions, ``storage.repositories.fetches.upsert_fetch``
(run row, new items, schedule, validators, lease release) and the page processors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from datasketch import MinHash
from sqlalchemy.orm import Session, sessionmaker

import storage
from collector.dedup import NearDuplicateIndex, choose_duplicate_of, signature_from_bytes
from collector.normalize import NormalizedEntry
from collector.pages import PageProcessors
from collector.settings import CollectorSettings
from storage.repositories import (
    ClaimedSource,
    FetchRunRecord,
    NewItem,
    SourceUpdate,
    existing_entry_keys,
    recent_signatures,
    roots_by_content_hash,
)
from storage.repositories import fetches as fetching

T = TypeVar("T")
# The in-memory LSH only grows between rebuilds; a full rebuild drops items older than the
# near-duplicate window. Once a day keeps memory bounded without rereading all the time.
INDEX_REBUILD_INTERVAL = timedelta(hours=24)
# Threads for plain reads (which keys of a feed are stored already); they never write.
READ_THREADS = 2


@dataclass(frozen=True)
class PreparedItem:
    entry: NormalizedEntry
    body_text: str | None
    language: str | None
    to_classify: bool
    signature: MinHash | None
    signature_bytes: bytes | None
    article_status: str | None


class DatabaseWriter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session],
        settings: CollectorSettings,
        processors: PageProcessors,
        owner: str,
        now: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.read_sessions = read_sessions
        self.settings = settings
        self.processors = processors
        self.owner = owner
        self.now = now
        self.index = NearDuplicateIndex(settings.near_duplicate_threshold, settings.minhash_permutations)
        self._index_built_at: datetime | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waakhond-db")
        self._readers = ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="waakhond-db-read")

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run on the database (write) thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def call_read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read that touches no shared state on a reader thread."""
        return await asyncio.get_running_loop().run_in_executor(self._readers, fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._readers.shutdown(wait=True)

    # --- everything below runs on the database thread ------------------------------------

    def claim(
        self, source_ids: Sequence[int] | None, take_over: set[str], only_due: bool = False
    ) -> list[ClaimedSource]:
        now = self.now()
        with storage.transaction(self.sessions) as session:
            if source_ids is None:
                # The due list is read before the claims: a source another collector fetches and
                # releases in between must not be claimed again, so each claim re-checks that the
                # source is still due, in the same UPDATE.
                ids, only_due = fetching.due_source_ids(session, now), True
            else:
                ids = list(source_ids)
            return fetching.claim_sources(
                session, ids, self.owner, now, self.settings.lease_seconds, take_over, only_due=only_due
            )

    def lease_holders(self) -> set[str]:
        with self.read_sessions() as session:
            return fetching.lease_holders(session, self.now())

    def renew(self, source_ids: Sequence[int]) -> None:
        until = self.now() + timedelta(seconds=self.settings.lease_seconds)
        with storage.transaction(self.sessions) as session:
            fetching.renew_leases(session, self.owner, source_ids, until)

    def release(self, source_ids: Sequence[int]) -> None:
        with storage.transaction(self.sessions) as session:
            fetching.release_leases(session, self.owner, source_ids)

    def existing_keys(self, source_id: int, keys: list[str]) -> set[str]:
        with self.read_sessions() as session:
            return existing_entry_keys(session, source_id, keys)

    def refresh_index(self) -> None:
        """Bring the near-duplicate index up to date with items stored by anyone."""
        now = self.now()
        if self._index_built_at is None or now - self._index_built_at > INDEX_REBUILD_INTERVAL:
            self.index = NearDuplicateIndex(self.settings.near_duplicate_threshold, self.settings.minhash_permutations)
            self._index_built_at = now
        since = now - timedelta(days=self.settings.near_duplicate_window_days)
        with self.read_sessions() as session:
            rows = recent_signatures(session, since, after_id=self.index.max_item_id)
        for row in rows:
            minhash = signature_from_bytes(row.signature, self.settings.minhash_permutations)
            if minhash is not None:
                self.index.add(row.item_id, row.source_id, minhash, root_id=row.root_id)

    def store(
        self,
        source: ClaimedSource,
        run: FetchRunRecord,
        prepared: list[PreparedItem],
        update: SourceUpdate,
        page_html: dict[str, str],
        note: str | None = None,
    ) -> int:
        signatures = {p.entry.entry_key: p.signature for p in prepared}
        with storage.transaction(self.sessions) as session:
            items = self._with_duplicates(session, source.id, prepared)
            result = fetching.upsert_fetch(session, source.id, self.owner, run, items, update)
            if note and result.fetch_run_id is not None:  # e.g. links dropped as not http(s)
                fetching.add_run_note(session, result.fetch_run_id, note)
            errors: list[str] = []
            for item in result.new_items:
                html = page_html.get(item.entry_key)
                if html is not None:
                    errors += self.processors.run(session, source.kind, item, html)
            if errors and result.fetch_run_id is not None:
                fetching.add_run_note(session, result.fetch_run_id, f"page processors failed: {'; '.join(errors)}")
        for item in result.new_items:  # committed: now others may be matched against them
            minhash = signatures.get(item.entry_key)
            if minhash is not None:
                self.index.add(item.id, source.id, minhash, root_id=item.duplicate_of or item.id)
        return result.items_new

    def _with_duplicates(self, session: Session, source_id: int, prepared: list[PreparedItem]) -> list[NewItem]:
        roots = roots_by_content_hash(session, [p.entry.content_hash for p in prepared])
        first_key_of_hash: dict[str, str] = {}
        items = []
        for p in prepared:
            entry = p.entry
            exact = roots.get(entry.content_hash)
            same_batch = None
            if exact is None:
                same_batch = first_key_of_hash.get(entry.content_hash)
                first_key_of_hash.setdefault(entry.content_hash, entry.entry_key)
            near = None
            if exact is None and same_batch is None and p.signature is not None:
                near = self.index.find(p.signature, source_id)
            items.append(
                NewItem(
                    entry_key=entry.entry_key, content_hash=entry.content_hash, title=entry.title,
                    summary=entry.summary, guid=entry.guid, url=entry.url, canonical_url=entry.canonical_url,
                    summary_html=entry.summary_html, body_text=p.body_text, author=entry.author,
                    published_at=entry.published_at, language=p.language,
                    near_dup_signature=p.signature_bytes,
                    duplicate_of=choose_duplicate_of(exact, near), duplicate_of_entry_key=same_batch,
                    to_classify=p.to_classify, article_status=p.article_status,
                )
            )
        return items

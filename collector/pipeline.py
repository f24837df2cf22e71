"""One source's walk, from URL to stored items. The steps decide nothing themselves: fetching
is ``collector.fetch``, reading ``collector.parse``/``normalize``, duplicates ``dedup``,
schedules ``plan``; this module calls them in order.

    fetch (conditional GET)          failure  -> store a failed run, back off
                                     304      -> store a not_modified run
    parse -> normalize               error    -> store a parse_error run
    keys already stored?             (read)   -> only new entries go on
    article pages for new entries    (full_text sources, fact-check sources)
    language, MinHash signature      per new entry
    store (database thread):  exact/near duplicates -> upsert_fetch -> page processors, commit
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from collector.dedup import signature, signature_to_bytes
from collector.errors import ErrorKind, FeedParseError, FetchFailure
from collector.fetch import ConditionalGet, FetchResult, PoliteClient
from collector.language import detect_language, should_classify
from collector.normalize import NormalizedEntry, normalize_entry, refused_links_note
from collector.pages import ArticlePage, fetch_article, needs_page
from collector.parse import parse_feed
from collector.plan import FetchOutcome, PollingPolicy, SourceSchedule, decide_schedule
from collector.settings import CollectorSettings
from collector.writer import DatabaseWriter, PreparedItem
from storage.repositories import ClaimedSource, FetchRunRecord, SourceUpdate

log = logging.getLogger(__name__)
#: Only items of news feeds get a signal; fact-checkers' pages are the debunks themselves.
FEED_KIND = "feed"


@dataclass(frozen=True)
class SourceOutcome:
    source_id: int
    url: str
    status: str  # ok | not_modified | failed
    error_kind: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    items_seen: int = 0
    items_new: int = 0
    bytes_received: int = 0


class SourcePipeline:
    def __init__(
        self,
        settings: CollectorSettings,
        client: PoliteClient,
        writer: DatabaseWriter,
        worker: str,
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.client = client
        self.writer = writer
        self.worker = worker
        self.now = now
        self.policy = PollingPolicy.from_settings(settings)

    async def run(self, source: ClaimedSource) -> SourceOutcome:
        started, t0 = self.now(), time.monotonic()
        try:
            return await self._run(source, started, t0)
        except Exception as exc:  # a bug of ours: recorded for this source, the others go on
            log.exception("collecting a source failed unexpectedly", extra={"source_id": source.id})
            failure = FetchFailure(ErrorKind.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
            return await self._store_failure(source, failure, started, t0)

    async def _run(self, source: ClaimedSource, started: datetime, t0: float) -> SourceOutcome:
        result = await self.client.fetch(source.url, conditional=ConditionalGet(source.etag, source.last_modified))
        if isinstance(result, FetchFailure):
            return await self._store_failure(source, result, started, t0)
        if result.not_modified:
            return await self._store(source, result, [], {}, FetchOutcome("not_modified"), started, t0)
        try:
            parsed = await asyncio.to_thread(parse_feed, result.body, result.headers, result.final_url)
        except FeedParseError as exc:
            failure = FetchFailure(
                ErrorKind.PARSE_ERROR, str(exc), result.status, attempts=result.attempts, final_url=result.final_url
            )
            return await self._store_failure(source, failure, started, t0, bytes_received=result.bytes_received)
        entries = _unique([normalize_entry(e, result.final_url, parsed.language) for e in parsed.entries])
        stored = await self.writer.call_read(self.writer.existing_keys, source.id, [e.entry_key for e in entries])
        fresh = [e for e in entries if e.entry_key not in stored]
        pages = await self._pages(source, fresh)
        prepared = await asyncio.to_thread(self._prepare, source, fresh, pages)
        outcome = FetchOutcome("ok", new_items=len(fresh))
        note = refused_links_note(entries)
        return await self._store(
            source, result, prepared, pages, outcome, started, t0, items_seen=len(entries), note=note
        )

    async def _pages(self, source: ClaimedSource, fresh: list[NormalizedEntry]) -> dict[str, ArticlePage]:
        if not needs_page(source.kind, source.full_text):
            return {}
        wanted = [e for e in fresh if e.url][: self.settings.full_text_max_per_fetch]
        pages = await asyncio.gather(
            *(fetch_article(self.client, e.url, self.settings.full_text_max_bytes) for e in wanted)
        )
        return {e.entry_key: page for e, page in zip(wanted, pages, strict=True)}

    def _prepare(
        self, source: ClaimedSource, fresh: list[NormalizedEntry], pages: dict[str, ArticlePage]
    ) -> list[PreparedItem]:
        prepared = []
        for entry in fresh:
            page = pages.get(entry.entry_key)
            body = page.text if page and page.text else entry.content_text
            text = f"{entry.title}\n{body or entry.summary}"
            language = detect_language(text, source.language or entry.language_hint)
            # Syndicated copies keep the agency's text but often rewrite the headline: the
            # signature is taken from the text alone, with the title only for short texts.
            permutations = self.settings.minhash_permutations
            minhash = signature(body or entry.summary, permutations) or signature(text, permutations)
            prepared.append(
                PreparedItem(
                    entry=entry,
                    body_text=body,
                    language=language,
                    to_classify=source.kind == FEED_KIND and should_classify(language, self.settings.classify_languages),
                    signature=minhash,
                    signature_bytes=signature_to_bytes(minhash) if minhash is not None else None,
                    article_status=page.status if page else None,
                )
            )
        return prepared

    def _schedule(self, source: ClaimedSource, outcome: FetchOutcome, now: datetime):
        state = SourceSchedule(
            interval_seconds=source.interval_seconds,
            min_interval_seconds=source.min_interval_seconds,
            max_interval_seconds=source.max_interval_seconds,
            poll_factor=source.poll_factor,
            consecutive_failures=source.consecutive_failures,
            enabled=source.enabled,
            next_due_at=source.next_due_at,
        )
        return decide_schedule(state, outcome, now, self.policy)

    async def _store(
        self,
        source: ClaimedSource,
        result: FetchResult,
        prepared: list[PreparedItem],
        pages: dict[str, ArticlePage],
        outcome: FetchOutcome,
        started: datetime,
        t0: float,
        items_seen: int = 0,
        note: str | None = None,
    ) -> SourceOutcome:
        finished = self.now()
        decision = self._schedule(source, outcome, finished)
        run = FetchRunRecord(
            started_at=started, finished_at=finished, status=outcome.status, http_status=result.status,
            bytes_received=result.bytes_received, items_seen=items_seen,
            duration_ms=int((time.monotonic() - t0) * 1000), worker=self.worker,
            attempts=result.attempts, final_url=result.final_url,
        )
        update = SourceUpdate(
            next_due_at=decision.next_due_at, poll_factor=decision.poll_factor,
            consecutive_failures=decision.consecutive_failures,
            store_validators=outcome.status == "ok",
            etag=result.headers.get("etag"), last_modified=result.headers.get("last-modified"),
        )
        html = {key: page.html for key, page in pages.items() if page.html}
        items_new = await self.writer.call(self.writer.store, source, run, prepared, update, html, note)
        return SourceOutcome(
            source.id, source.url, outcome.status, http_status=result.status, items_seen=items_seen,
            items_new=items_new, bytes_received=result.bytes_received,
        )

    async def _store_failure(
        self, source: ClaimedSource, failure: FetchFailure, started: datetime, t0: float, bytes_received: int = 0
    ) -> SourceOutcome:
        finished = self.now()
        outcome = FetchOutcome(
            "failed", error_kind=failure.kind.value, error_message=failure.message,
            http_status=failure.http_status, retry_after=failure.retry_after,
        )
        decision = self._schedule(source, outcome, finished)
        run = FetchRunRecord(
            started_at=started, finished_at=finished, status="failed", http_status=failure.http_status,
            error_kind=failure.kind.value, error_message=failure.message, bytes_received=bytes_received,
            duration_ms=int((time.monotonic() - t0) * 1000), worker=self.worker,
            attempts=failure.attempts, final_url=failure.final_url,
        )
        update = SourceUpdate(
            next_due_at=decision.next_due_at, poll_factor=decision.poll_factor,
            consecutive_failures=decision.consecutive_failures,
            disable=decision.disable, disabled_reason=decision.disabled_reason,
        )
        await self.writer.call(self.writer.store, source, run, [], update, {})
        return SourceOutcome(
            source.id, source.url, "failed", failure.kind.value, failure.message, failure.http_status,
            bytes_received=bytes_received,
        )


def _unique(entries: list[NormalizedEntry]) -> list[NormalizedEntry]:
    """One entry per key: feeds that repeat an item (a pinned story) keep its first copy."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.entry_key not in seen:
            seen.add(entry.entry_key)
            unique.append(entry)
    return unique

"""Article pages: full text for sources that ask for it, and page processors per source kind.

A source with ``full_text`` gets each *new* entry's page fetched through the same polite
client and reduced to its main text with trafilatura; the feed summary stays the fallback.
Sources of kind ``factcheck`` always get the page fetched, because the ClaimReview markup
that says what was checked lives on the page, not in the feed.

Page processors
---------------
A page processor is ``processor(session, item, html) -> None``. It runs inside the same
transaction that stores the item (so its rows commit or roll back with the fetch), in its own
savepoint: if it raises, its writes are undone, the item stays, and the error is logged with
the item id. Register processors per source kind::

    processors = default_page_processors()
    processors.register("factcheck", extract_claim_reviews)

``default_page_processors()`` is what the CLI and the service use; it registers the
ClaimReview extraction (``collector.factcheck_pages``) for ``factcheck`` sources.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import trafilatura
from sqlalchemy.orm import Session

from collector.encoding import decode_text
from collector.errors import FetchFailure
from collector.fetch import PAGE_ACCEPT, PoliteClient
from storage.schema import Item

log = logging.getLogger(__name__)

PageProcessor = Callable[[Session, Item, str], None]
# Kinds whose entries' pages are always fetched, whatever ``full_text`` says.
PAGE_KINDS = frozenset({"factcheck"})


class PageProcessors:
    """Page processors registered per source kind, run in registration order."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[tuple[str, PageProcessor]]] = {}

    def register(self, kind: str, processor: PageProcessor, name: str | None = None) -> None:
        """Add a processor for ``kind``; registering a name again replaces the earlier one, so
        wiring that registers the same processor twice still runs it once."""
        label = name or getattr(processor, "__qualname__", repr(processor))
        entries = [(n, p) for n, p in self._by_kind.get(kind, []) if n != label]
        self._by_kind[kind] = entries + [(label, processor)]

    def for_kind(self, kind: str) -> list[tuple[str, PageProcessor]]:
        return list(self._by_kind.get(kind, ()))

    def run(self, session: Session, kind: str, item: Item, html: str) -> list[str]:
        """Run the kind's processors on one item; returns the errors (``name: message``)."""
        errors = []
        for name, processor in self.for_kind(kind):
            try:
                with session.begin_nested():
                    processor(session, item, html)
            except Exception as exc:  # a processor's bug must not lose the fetch
                log.warning("page processor failed", extra={"processor": name, "item_id": item.id, "error": str(exc)})
                errors.append(f"{name}: {exc}")
        return errors


def default_page_processors() -> PageProcessors:
    """The processors the CLI and the service run: ClaimReview extraction for fact-check pages."""
    from collector.factcheck_pages import FACTCHECK_KIND, store_claim_reviews

    processors = PageProcessors()
    processors.register(FACTCHECK_KIND, store_claim_reviews, name="claim_reviews")
    return processors


def needs_page(kind: str, full_text: bool) -> bool:
    return full_text or kind in PAGE_KINDS


@dataclass(frozen=True)
class ArticlePage:
    status: str  # "ok" or the error_kind of the failed fetch / extraction
    html: str | None = None
    text: str | None = None


def extract_main_text(html: str, url: str | None) -> str | None:
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    return text.strip() if text and text.strip() else None


async def fetch_article(client: PoliteClient, url: str, max_bytes: int) -> ArticlePage:
    result = await client.fetch(url, accept=PAGE_ACCEPT, max_bytes=max_bytes)
    if isinstance(result, FetchFailure):
        return ArticlePage(status=result.kind.value)
    html, _encoding = decode_text(result.body, result.headers.get("content-type"), html=True)
    # trafilatura is CPU work on lxml; a thread keeps the event loop serving other fetches.
    text = await asyncio.to_thread(extract_main_text, html, result.final_url)
    return ArticlePage(status="ok", html=html, text=text)

"""Routing and conditional GET for the demo sites, without sockets: path and headers in, response out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from .corpus import DemoCorpus
from .entries import page_index
from .pages import ROBOTS_TXT, article_page, factcheck_page, index_page
from .render import entry_time, http_date, render_feed

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request_headers: dict[str, str], etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        # If-None-Match uses the weak comparison, so W/"x" matches "x".
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    since = request_headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        since_time = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if since_time.tzinfo is None:
        return False
    return last_modified <= since_time


class DemoSite:
    """Every page of every demo outlet, rendered on request for one anchor time and base URL."""

    def __init__(self, corpus: DemoCorpus, anchor: datetime, base_url: str) -> None:
        self.corpus = corpus
        self.anchor = anchor
        self.base_url = base_url.rstrip("/")
        self._pages = page_index(corpus)
        self._feeds = {s.feed_path: s for s in corpus.sources}

    def get(self, target: str, request_headers: dict[str, str] | None = None) -> Response:
        """Answer a GET for ``target`` (a path, maybe with a query); header names in lower case."""
        headers = {k.lower(): v for k, v in (request_headers or {}).items()}
        path = urlsplit(target).path
        rendered = self._render(path)
        if rendered is None:
            body = b"Niet gevonden\n"
            return Response(404, (("Content-Type", CONTENT_TYPES["text"]),), body)
        body, content_type, last_modified = rendered
        etag = strong_etag(body)
        response_headers = [("Content-Type", content_type), ("ETag", etag)]
        if last_modified is not None:
            response_headers.append(("Last-Modified", http_date(last_modified)))
        response_headers.append(("Cache-Control", "max-age=60"))
        if not_modified(headers, etag, last_modified):
            kept = tuple(h for h in response_headers if h[0] != "Content-Type")
            return Response(304, kept, b"")
        return Response(200, tuple(response_headers), body)

    def _render(self, path: str) -> tuple[bytes, str, datetime | None] | None:
        if path in ("/", "/index.html"):
            return index_page(self.corpus, self.base_url), CONTENT_TYPES["html"], None
        if path == "/robots.txt":
            return ROBOTS_TXT, CONTENT_TYPES["text"], None
        source = self._feeds.get(path)
        if source is not None:
            body, updated = render_feed(self.corpus, source.slug, self.anchor, self.base_url)
            return body, CONTENT_TYPES[source.format], updated
        entry = self._pages.get(path)
        if entry is None:
            return None
        modified = entry_time(self.anchor, entry.age_hours)
        if entry.factcheck is not None:
            body = factcheck_page(self.corpus, entry, self.anchor, self.base_url)
        else:
            body = article_page(self.corpus, entry, self.anchor, self.base_url)
        return body, CONTENT_TYPES["html"], modified

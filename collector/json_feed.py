"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), parsed by hand into the same
``ParsedFeed`` as RSS and Atom. Fields of the wrong type are ignored one by one, never fatal:
a feed with one broken item still gives its other items."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from collector.errors import FeedParseError
from collector.feed_model import ParsedEntry, ParsedFeed

VERSION_PREFIX = "https://jsonfeed.org/version/"
KNOWN_VERSIONS = {"https://jsonfeed.org/version/1": "json10", "https://jsonfeed.org/version/1.1": "json11"}


def looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(text: str) -> ParsedFeed:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"invalid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise FeedParseError("JSON Feed must be an object")
    version_url = doc.get("version")
    if not isinstance(version_url, str) or not version_url.startswith(VERSION_PREFIX):
        raise FeedParseError("not a JSON Feed (no https://jsonfeed.org/version/ in 'version')")
    # An unknown later version is read with the 1.1 rules but marked plain "json".
    version = KNOWN_VERSIONS.get(version_url, "json")
    items = doc.get("items")
    entries = tuple(_entry(item) for item in (items if isinstance(items, list) else []) if isinstance(item, dict))
    return ParsedFeed(
        format=version,
        title=_text(doc.get("title")),
        link=_text(doc.get("home_page_url")),
        language=_text(doc.get("language")),
        entries=tuple(e for e in entries if e is not None),
        encoding="utf-8",
    )


def _entry(item: dict[str, Any]) -> ParsedEntry | None:
    raw_id = item.get("id")
    # 1.0 feeds often use numbers as ids; the spec says "string", so numbers are stringified.
    guid = str(raw_id) if isinstance(raw_id, (str, int, float)) and not isinstance(raw_id, bool) else None
    link = _text(item.get("url")) or _text(item.get("external_url"))
    content_html = _text(item.get("content_html"))
    content_text = _text(item.get("content_text"))
    summary = _text(item.get("summary"))
    return ParsedEntry(
        guid=guid or None,
        link=link,
        title=_text(item.get("title")) or "",
        summary=summary or "",
        summary_is_html=False,
        content=content_html if content_html is not None else content_text,
        content_is_html=content_html is not None,
        author=_author(item),
        published_at=_date(item.get("date_published")),
        updated_at=_date(item.get("date_modified")),
        language=_text(item.get("language")),
    )


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else []
    if not candidates and isinstance(item.get("author"), dict):  # JSON Feed 1.0
        candidates = [item["author"]]
    for author in candidates:
        if not isinstance(author, dict):
            continue
        name = _text(author.get("name"))
        if name:
            return name
        url = _text(author.get("url"))
        if url and url.startswith("mailto:"):
            return url[len("mailto:"):]
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _date(value: Any) -> datetime | None:
    """RFC 3339 dates; also the ``+0100`` offsets without colon that real feeds write."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:  # RFC 3339 requires an offset; assume UTC rather than drop it
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)

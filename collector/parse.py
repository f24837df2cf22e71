"""Bytes to entries: RSS 0.9x/1.0/2.0 and Atom with feedparser, JSON Feed by hand.

Flow of ``parse_feed(body, headers, url)``::

    JSON?  -> decode (BOM, charset, UTF-8, cp1252) -> json_feed.parse_json_feed
    else   -> xml_safety.screen_xml (refuse entity declarations: billion laughs, XXE)
           -> correct an HTTP charset that is clearly wrong (UTF-8 body served as Latin-1)
           -> feedparser on a stream (never on bytes: it would open them as a file name)
           -> ParsedFeed, dates as aware UTC

Raises ``FeedParseError`` when the body is not a feed. Pure apart from CPU.
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from collector.encoding import decode_text, http_charset_is_wrong, with_charset
from collector.errors import FeedParseError
from collector.feed_model import ParsedEntry, ParsedFeed
from collector.http_rules import media_type
from collector.json_feed import looks_like_json, parse_json_feed
from collector.xml_safety import screen_xml

JSON_MEDIA_TYPES = ("application/feed+json", "application/json")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def parse_feed(body: bytes, headers: Mapping[str, str] | None = None, url: str | None = None) -> ParsedFeed:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type")
    if media_type(content_type) in JSON_MEDIA_TYPES or looks_like_json(body):
        text, _encoding = decode_text(body, content_type)
        return parse_json_feed(text)
    if not body.strip():
        raise FeedParseError("empty body")
    screen_xml(body)
    return parse_xml_feed(body, headers, url)


def parse_xml_feed(body: bytes, headers: dict[str, str], url: str | None) -> ParsedFeed:
    response_headers = dict(headers)
    if http_charset_is_wrong(body, headers.get("content-type")):
        response_headers["content-type"] = with_charset(headers.get("content-type"), "utf-8")
    if url and headers.get("content-location"):
        # feedparser resolves relative links against Content-Location; make it absolute. We do
        # not give it the feed URL as base otherwise: it would also "resolve" opaque GUIDs
        # ("nos-2501") into URLs, and identities would change whenever the feed URL does.
        # Entry links are resolved against the feed URL in collector.normalize instead.
        response_headers["content-location"] = urljoin(url, headers["content-location"])
    # A stream, never bytes: feedparser.parse(b"/etc/passwd") would read that local file.
    result = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    version = result.get("version") or ""
    entries = tuple(_entry(e) for e in result.get("entries", []))
    feed = result.get("feed", {})
    if not version and not entries and not feed.get("title"):
        reason = result.get("bozo_exception")
        raise FeedParseError(f"not a feed{': ' + _first_line(reason) if reason else ''}")
    return ParsedFeed(
        format=version or "unknown",
        title=feed.get("title"),
        link=feed.get("link"),
        language=feed.get("language"),
        entries=entries,
        encoding=result.get("encoding"),
        warning=_first_line(result.get("bozo_exception")) if result.get("bozo") else None,
        raw=result,
    )


def _entry(entry: Any) -> ParsedEntry:
    summary_detail = entry.get("summary_detail") or {}
    contents = entry.get("content") or []
    content = contents[0] if contents else None
    return ParsedEntry(
        guid=(entry.get("id") or "").strip() or None,
        link=(entry.get("link") or "").strip() or None,
        title=entry.get("title") or "",
        summary=entry.get("summary") or "",
        summary_is_html=(summary_detail.get("type") or "text/html") in HTML_TYPES,
        content=content.get("value") if content else None,
        content_is_html=bool(content) and (content.get("type") or "text/html") in HTML_TYPES,
        author=entry.get("author") or None,
        published_at=_utc(entry.get("published_parsed") or entry.get("created_parsed")),
        # dict.get: FeedParserDict.get("updated_parsed") silently falls back to the published date
        updated_at=_utc(dict.get(entry, "updated_parsed")),
        language=(summary_detail.get("language") or entry.get("title_detail", {}).get("language")) or None,
    )


def _utc(parsed: Any) -> datetime | None:
    """feedparser's UTC struct_time to an aware datetime."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):  # year 0 or 99999 in a broken feed
        return None


def _first_line(value: Any) -> str:
    text = str(value or "").strip()
    return text.splitlines()[0] if text else type(value).__name__

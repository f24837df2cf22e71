"""What the parsers return: one model for RSS, Atom and JSON Feed. Plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ParsedEntry:
    guid: str | None
    link: str | None
    title: str = ""
    summary: str = ""
    summary_is_html: bool = False
    content: str | None = None  # full content when the feed carries it (content:encoded, Atom content)
    content_is_html: bool = False
    author: str | None = None
    published_at: datetime | None = None  # aware UTC
    updated_at: datetime | None = None  # aware UTC
    language: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    format: str  # rss20, rss10, rss090, atom10, atom03, json11, json10, json ...
    title: str | None = None
    link: str | None = None
    language: str | None = None
    entries: tuple[ParsedEntry, ...] = ()
    encoding: str | None = None
    warning: str | None = None  # what feedparser's tolerant mode had to repair, if anything
    raw: Any = field(default=None, repr=False, compare=False)  # feedparser's result, for tests

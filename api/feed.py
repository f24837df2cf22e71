"""Signals as an Atom feed (RFC 4287), built without a template.

    atom_feed(FeedMeta, [FeedEntry]) -> bytes        (pure)

Every text goes through ElementTree, which escapes it; characters XML 1.0 cannot carry (NUL,
other C0 controls, lone surrogates) are dropped first, so hostile feed text can neither break
the document nor inject markup. The HTML ``content`` of an entry is built from escaped parts
and then escaped once more as the element's text (``type="html"``), as Atom requires. Links are
only ever http(s) (``storage.urls.web_url``); any other link is left out.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime

from storage import web_url

ATOM_NS = "http://www.w3.org/2005/Atom"
#: Characters XML 1.0 does not allow (anything else is escaped by ElementTree).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str


@dataclass(frozen=True)
class FeedEntry:
    item_id: int
    title: str
    url: str | None
    source_name: str
    published: datetime
    updated: datetime
    score: float
    evidence: str | None
    topics: list[str] = field(default_factory=list)
    debunks: list[FeedLink] = field(default_factory=list)
    guidance: list[FeedLink] = field(default_factory=list)


@dataclass(frozen=True)
class FeedMeta:
    feed_id: str  # a stable URI naming this filter
    title: str
    self_url: str | None  # without the token: a feed's self link ends up in readers' exports
    updated: datetime


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value)) if value is not None else ""


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _content_html(entry: FeedEntry) -> str:
    """The entry's body as HTML, every piece escaped."""
    parts = [f"<p><strong>{html.escape(entry.evidence or '')}</strong></p>" if entry.evidence else ""]
    parts.append(f"<p>Score {entry.score:.2f} &middot; {html.escape(entry.source_name)}"
                 f"{' &middot; ' + html.escape(', '.join(entry.topics)) if entry.topics else ''}</p>")
    for heading, links in (("Fact-checks", entry.debunks), ("Guidance", entry.guidance)):
        safe = [(u, link.title) for link in links if (u := web_url(link.url))]
        if safe:
            items = "".join(f'<li><a href="{html.escape(u, quote=True)}">{html.escape(t)}</a></li>' for u, t in safe)
            parts.append(f"<p>{heading}:</p><ul>{items}</ul>")
    return "".join(parts)


def atom_feed(meta: FeedMeta, entries: list[FeedEntry]) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", meta.feed_id)
    _sub(feed, "title", meta.title)
    _sub(feed, "updated", _stamp(meta.updated))
    author = _sub(feed, "author")
    _sub(author, "name", "Waakhond")
    _sub(feed, "generator", "Waakhond")
    if (self_url := web_url(meta.self_url)) is not None:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    for entry in entries:
        node = _sub(feed, "entry")
        _sub(node, "id", f"{meta.feed_id}:item:{entry.item_id}")
        _sub(node, "title", entry.title or f"Signal {entry.item_id}")
        _sub(node, "published", _stamp(entry.published))
        _sub(node, "updated", _stamp(entry.updated))
        if (url := web_url(entry.url)) is not None:
            _sub(node, "link", rel="alternate", type="text/html", href=url)
        for link in entry.debunks:
            if (url := web_url(link.url)) is not None:
                _sub(node, "link", rel="related", href=url, title=link.title)
        for topic in entry.topics:
            _sub(node, "category", term=topic)
        _sub(node, "summary", entry.evidence or entry.title or "", type="text")
        _sub(node, "content", _content_html(entry), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)

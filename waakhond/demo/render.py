"""Feed rendering: RSS 2.0, Atom 1.0 and JSON Feed 1.1, byte-identical for a given anchor."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from .corpus import DemoCorpus, DemoSource
from .entries import FeedEntry, feed_entries

TOPIC_LABELS = {
    "wonen": "Wonen",
    "stikstof-landbouw": "Stikstof en landbouw",
    "migratie-asiel": "Migratie en asiel",
    "klimaat-energie": "Klimaat en energie",
    "zorg-vaccinatie": "Zorg en vaccinatie",
    "belastingen-toeslagen": "Belastingen en toeslagen",
    "bestaanszekerheid": "Bestaanszekerheid",
    "onderwijs": "Onderwijs",
    "digitale-overheid-geld": "Digitale overheid en geld",
    "defensie-oekraine": "Defensie en Oekraïne",
    "verkiezingen-democratie": "Verkiezingen en democratie",
    "veiligheid-justitie": "Veiligheid en justitie",
}
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


def entry_time(anchor: datetime, age_hours: float) -> datetime:
    """The publication time of an entry, to the second (feeds cannot carry more)."""
    return (anchor - timedelta(hours=age_hours)).replace(microsecond=0)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_updated(anchor: datetime, entries: list[FeedEntry]) -> datetime:
    """The newest entry's time; an empty feed counts as updated at the anchor."""
    if not entries:
        return anchor.replace(microsecond=0)
    return entry_time(anchor, min(e.age_hours for e in entries))


def summary_html(entry: FeedEntry, link: str) -> str:
    """The small bit of HTML feeds carry in descriptions: a paragraph and a link."""
    return (
        f"<p>{html.escape(entry.summary, quote=False)}</p>"
        f'<p><a href="{html.escape(link)}">Lees verder</a></p>'
    )


def full_html(entry: FeedEntry, link: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in entry.paragraphs)
    return f"<p><strong>{html.escape(entry.summary, quote=False)}</strong></p>{paragraphs}" + (
        f'<p><a href="{html.escape(link)}">Bekijk op de site</a></p>'
    )


def _carries_full_text(source: DemoSource, entry: FeedEntry) -> bool:
    return source.full_text and entry.item is not None and bool(entry.paragraphs)


def render_feed(corpus: DemoCorpus, slug: str, anchor: datetime, base_url: str) -> tuple[bytes, datetime]:
    """The feed document for ``slug`` and its newest entry time."""
    source = corpus.source(slug)
    entries = feed_entries(corpus, slug)
    updated = feed_updated(anchor, entries)
    if source.format == "rss":
        body = _rss(source, entries, anchor, base_url, updated)
    elif source.format == "atom":
        body = _atom(source, entries, anchor, base_url, updated)
    else:
        body = _jsonfeed(source, entries, anchor, base_url)
    return body.encode("utf-8"), updated


def _rss(source: DemoSource, entries: list[FeedEntry], anchor: datetime, base: str, updated: datetime) -> str:
    feed_url = base + source.feed_path
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{escape(source.name)}</title>",
        f"<link>{escape(base)}/</link>",
        f"<description>{escape(source.description or source.name)}</description>",
        f"<language>{escape(source.language)}</language>",
        f"<lastBuildDate>{http_date(updated)}</lastBuildDate>",
        f'<atom:link href={quoteattr(feed_url)} rel="self" type="application/rss+xml"/>',
        "<generator>Waakhond demo server</generator>",
    ]
    for entry in entries:
        link = base + entry.page_path
        out += [
            "<item>",
            f"<title>{escape(entry.title)}</title>",
            f"<link>{escape(link)}</link>",
            f'<guid isPermaLink="false">{escape(entry.guid)}</guid>',
            f"<pubDate>{http_date(entry_time(anchor, entry.age_hours))}</pubDate>",
            f"<dc:creator>{escape(entry.author)}</dc:creator>",
            f"<category>{escape(TOPIC_LABELS[entry.topic])}</category>",
            f"<description>{escape(summary_html(entry, link))}</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(
    source: DemoSource, entries: list[FeedEntry], anchor: datetime, base: str, updated: datetime
) -> str:
    feed_url = base + source.feed_path
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(source.language)}>',
        f"<title>{escape(source.name)}</title>",
        f"<subtitle>{escape(source.description or source.name)}</subtitle>",
        f"<id>{escape(f'tag:waakhond.demo,2025:{source.slug}')}</id>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(base + "/")}/>',
        f"<updated>{rfc3339(updated)}</updated>",
        f"<author><name>{escape(source.name)}</name></author>",
        "<generator>Waakhond demo server</generator>",
    ]
    for entry in entries:
        link = base + entry.page_path
        stamp = rfc3339(entry_time(anchor, entry.age_hours))
        out += [
            "<entry>",
            f'<title type="text">{escape(entry.title)}</title>',
            f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
            f"<id>{escape(entry.guid)}</id>",
            f"<published>{stamp}</published>",
            f"<updated>{stamp}</updated>",
            f"<author><name>{escape(entry.author)}</name></author>",
            f"<category term={quoteattr(entry.topic)} label={quoteattr(TOPIC_LABELS[entry.topic])}/>",
            f'<summary type="html">{escape(summary_html(entry, link))}</summary>',
        ]
        if _carries_full_text(source, entry):
            out.append(f'<content type="html">{escape(full_html(entry, link))}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def _jsonfeed(source: DemoSource, entries: list[FeedEntry], anchor: datetime, base: str) -> str:
    items = []
    for entry in entries:
        link = base + entry.page_path
        full = _carries_full_text(source, entry)
        text = "\n\n".join((entry.summary, *entry.paragraphs)) if full else entry.summary
        items.append(
            {
                "id": entry.guid,
                "url": link,
                "title": entry.title,
                "summary": entry.summary,
                "content_html": full_html(entry, link) if full else summary_html(entry, link),
                "content_text": text,
                "date_published": rfc3339(entry_time(anchor, entry.age_hours)),
                "authors": [{"name": entry.author}],
                "tags": [TOPIC_LABELS[entry.topic]],
                "language": source.language,
            }
        )
    doc = {
        "version": JSONFEED_VERSION,
        "title": source.name,
        "home_page_url": base + "/",
        "feed_url": base + source.feed_path,
        "description": source.description or source.name,
        "language": source.language,
        "authors": [{"name": source.name}],
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

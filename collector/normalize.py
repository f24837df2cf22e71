"""Pure normalisation of parsed entries: canonical URL, identity, clean text, content hash.

    entry_link      the link made absolute, kept only as a clean http(s) URL (storage.urls)
    canonical_url   scheme/host lower-cased, default port and fragment dropped, tracking
                    parameters (utm_*, fbclid, ...) removed, remaining query sorted
    entry_key       the GUID, else the canonical URL, else a hash of the content
    clean_text      HTML reduced to readable text (scripts/styles dropped, blocks on new lines)
    content_hash    sha256 of the case-folded, whitespace-collapsed title and text
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from collector.feed_model import ParsedEntry
from storage import WEB_SCHEMES, declared_scheme, describe_refused, web_url

TRACKING_PARAM_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "__hs")
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "cmpid", "ocid", "xtor", "s_cid", "spm",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Identity columns are String(2048); longer keys are replaced by their hash.
MAX_KEY_LENGTH = 2048
# Real headlines are far shorter; a longer one is cut (with an ellipsis) rather than stored whole.
MAX_TITLE_CHARS = 1000
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
     "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "pre", "hr", "dd", "dt"}
)
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\s*\n\s*")
_HTML_HINT = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    if not url or not url.strip():
        return None
    absolute = urljoin(base, url.strip()) if base else url.strip()
    try:
        parts = urlsplit(absolute)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PARAM_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(sorted(query)), ""))


def entry_key(guid: str | None, canonical: str | None, content_hash: str) -> str:
    key = (guid or "").strip() or canonical or f"content:{content_hash}"
    if len(key) > MAX_KEY_LENGTH:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def clean_text(markup: str | None, *, is_html: bool = True) -> str:
    """Readable text from HTML (or tidy whitespace of plain text)."""
    if not markup:
        return ""
    if is_html and _HTML_HINT.search(markup):
        extractor = _TextExtractor()
        extractor.feed(markup)
        extractor.close()
        text = "".join(extractor.parts)
    else:
        text = html.unescape(markup) if is_html else markup
    text = _SPACES.sub(" ", text)
    return _LINES.sub("\n", text).strip()


def short_title(title: str) -> str:
    """A title no longer than ``MAX_TITLE_CHARS`` (a hostile feed's 10 MB title would otherwise
    travel into every table, alert and export that shows titles)."""
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def content_hash(title: str, text: str) -> str:
    normal = " ".join(f"{title}\n{text}".casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NormalizedEntry:
    entry_key: str
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str
    summary: str  # clean text
    summary_html: str | None  # the original markup, when the summary was HTML
    content_text: str | None  # clean text of full content carried by the feed, if any
    author: str | None
    published_at: datetime | None
    language_hint: str | None
    content_hash: str
    refused_link: str | None = None  # a link that was not a clean http(s) URL, dropped

    @property
    def text(self) -> str:
        """The best text we have for hashing, language and near-duplicates."""
        return self.content_text or self.summary


def entry_link(raw: str | None, feed_url: str | None = None) -> tuple[str | None, str | None]:
    """``(link, refused)``: the entry's link made absolute against the feed's URL and kept only
    when it is a clean http(s) address (``storage.urls.web_url``); else ``None`` and the raw
    value, which the fetch run notes. An item is never lost for its link."""
    if raw is None or not raw.strip():
        return None, None
    if declared_scheme(raw) not in (None, *WEB_SCHEMES):  # not joined as a path: refused
        return None, raw
    try:
        joined = urljoin(feed_url, raw.strip()) if feed_url else raw
    except ValueError:  # a broken IPv6 literal in the link
        joined = raw
    link = web_url(joined)
    return (link, None) if link is not None else (None, raw)


#: How many refused links a fetch run's note shows by example (the count is always complete).
REFUSED_LINK_EXAMPLES = 3


def refused_links_note(entries: list[NormalizedEntry]) -> str | None:
    """The fetch run's note on links dropped because they were not clean http(s) URLs."""
    refused = [e.refused_link for e in entries if e.refused_link is not None]
    if not refused:
        return None
    examples = "; ".join(describe_refused(r) for r in refused[:REFUSED_LINK_EXAMPLES])
    return f"dropped {len(refused)} link(s) that were not http(s) URLs, items kept: {examples}"


def normalize_entry(entry: ParsedEntry, feed_url: str | None = None, feed_language: str | None = None) -> NormalizedEntry:
    link, refused = entry_link(entry.link, feed_url)
    canonical = canonical_url(link)
    title = short_title(clean_text(entry.title, is_html=True))
    summary = clean_text(entry.summary, is_html=entry.summary_is_html)
    content_text = clean_text(entry.content, is_html=entry.content_is_html) if entry.content else ""
    if content_text == summary:
        content_text = ""
    digest = content_hash(title, content_text or summary)
    guid = (entry.guid or "").strip()[:MAX_KEY_LENGTH] or None
    return NormalizedEntry(
        entry_key=entry_key(entry.guid, canonical, digest),
        guid=guid,
        url=link,
        canonical_url=canonical[:MAX_KEY_LENGTH] if canonical else None,
        title=title,
        summary=summary,
        summary_html=entry.summary if entry.summary_is_html and entry.summary else None,
        content_text=content_text or None,
        author=(entry.author or "").strip()[:500] or None,
        published_at=entry.published_at or entry.updated_at,
        language_hint=entry.language or feed_language,
        content_hash=digest,
        refused_link=refused,
    )

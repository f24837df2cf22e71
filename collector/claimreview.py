"""schema.org ClaimReview out of fact-check pages and JSON-LD files.

    html  -> <script type="application/ld+json"> blocks, <html lang>, og:title/h1/<title>,
             og:site_name, article:published_time             (stdlib HTMLParser, no network)
    each block -> JSON, leniently: comment/CDATA wrappers, trailing commas, several objects in
             one block; a block that stays broken is reported in ``problems`` and skipped,
             the other blocks still count
    walk every object, @graph and list; resolve {"@id": ...} references; collect the nodes
             typed ClaimReview (several per page are normal)
    each ClaimReview -> FactCheckSpec: claimReviewed, reviewRating (alternateName, ratingValue,
             bestRating, worstRating) normalised by ``collector.ratings``, itemReviewed.appearance,
             itemReviewed.author, author (the fact-checker), datePublished, url
    no ClaimReview at all -> one FactCheckSpec with the page headline as the claim, rating unknown

Pure: text in, ``FactCheckSpec`` out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from collector.ratings import UNKNOWN, normalise_rating, to_float
from storage import web_url
from storage.repositories import FactCheckSpec

#: The default fact-checker sources (kind ``factcheck``), in the ``waakhond sources import`` format.
JSON_LD_TYPE = "application/ld+json"
CLAIM_REVIEW_TYPE = "claimreview"
#: Wrappers some CMSes put around JSON-LD so that old browsers ignore it.
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}")


@dataclass
class PageMeta:
    """What the page says about itself outside JSON-LD."""

    language: str | None = None
    og_title: str | None = None
    h1: str | None = None
    title: str | None = None
    site_name: str | None = None
    published_time: str | None = None
    json_ld_blocks: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str | None:
        for candidate in (self.og_title, self.h1, self.title):
            if candidate and candidate.strip():
                return " ".join(candidate.split())
        return None


@dataclass(frozen=True)
class PageScan:
    """The result of reading one page: the fact-checks, and what could not be read."""

    fact_checks: list[FactCheckSpec]
    claim_reviews_found: int
    problems: list[str]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta = PageMeta()
        self._capture: str | None = None  # "json_ld", "title" or "h1"
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): (value or "") for name, value in attrs}
        if tag == "html" and attributes.get("lang") and not self.meta.language:
            self.meta.language = attributes["lang"]
        elif tag == "script" and attributes.get("type", "").split(";")[0].strip().lower() == JSON_LD_TYPE:
            self._start("json_ld")
        elif tag == "title" and self.meta.title is None:
            self._start("title")
        elif tag == "h1" and self.meta.h1 is None:
            self._start("h1")
        elif tag == "meta":
            self._meta(attributes)

    def _meta(self, attributes: dict[str, str]) -> None:
        key = (attributes.get("property") or attributes.get("name") or "").lower()
        content = attributes.get("content", "").strip()
        if not content:
            return
        if key == "og:title" and not self.meta.og_title:
            self.meta.og_title = content
        elif key == "og:site_name" and not self.meta.site_name:
            self.meta.site_name = content
        elif key == "og:locale" and not self.meta.language:
            self.meta.language = content
        elif key in ("article:published_time", "datepublished") and not self.meta.published_time:
            self.meta.published_time = content

    def _start(self, what: str) -> None:
        self._capture, self._buffer = what, []

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._capture is None:
            return
        if (self._capture, tag) not in (("json_ld", "script"), ("title", "title"), ("h1", "h1")):
            return
        text = "".join(self._buffer)
        if self._capture == "json_ld":
            self.meta.json_ld_blocks.append(text)
        elif self._capture == "title":
            self.meta.title = text.strip() or None
        else:
            self.meta.h1 = " ".join(text.split()) or None
        self._capture, self._buffer = None, []


def decode_html(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def read_page_meta(html: str | bytes) -> PageMeta:
    parser = _PageParser()
    parser.feed(decode_html(html))
    parser.close()
    return parser.meta


def scan_page(html: str | bytes, page_url: str, *, publisher: str | None = None) -> PageScan:
    """All ClaimReviews of a fact-check page; the headline as the claim when there is none."""
    meta = read_page_meta(html)
    documents: list[Any] = []
    problems: list[str] = []
    for number, block in enumerate(meta.json_ld_blocks, start=1):
        try:
            documents.extend(load_json_ld(block))
        except ValueError as exc:
            problems.append(f"JSON-LD block {number} unreadable: {exc}")
    nodes = claim_review_nodes(documents)
    specs = _unique([_spec_from_node(node, page_url, meta, publisher) for node in nodes])
    if specs:
        return PageScan(specs, len(nodes), problems)
    headline = meta.headline
    if not headline:
        return PageScan([], 0, [*problems, "no ClaimReview and no headline"])
    fallback = FactCheckSpec(
        url=page_url,
        claim_reviewed=headline,
        publisher=_publisher(None, meta, publisher, page_url),
        rating=UNKNOWN,
        published_at=parse_date(meta.published_time),
        language=language_code(meta.language),
        headline=headline,
    )
    return PageScan([fallback], 0, problems)


def extract_claim_reviews(html: str | bytes, page_url: str, *, publisher: str | None = None) -> list[FactCheckSpec]:
    """``scan_page(...).fact_checks``: the list most callers want."""
    return scan_page(html, page_url, publisher=publisher).fact_checks


def parse_claimreview_json(text: str, *, publisher: str | None = None) -> list[FactCheckSpec]:
    """ClaimReviews of a JSON-LD file (one object, a list, or an @graph). Each needs a url."""
    documents = load_json_ld(text)
    nodes = claim_review_nodes(documents)
    if not nodes:
        raise ValueError("no ClaimReview found in the JSON-LD")
    specs = []
    for number, node in enumerate(nodes, start=1):
        if not _first_url(node.get("url")):
            raise ValueError(f"ClaimReview #{number} has no url")
        spec = _spec_from_node(node, "", PageMeta(), publisher)
        if not spec.claim_reviewed:
            raise ValueError(f"ClaimReview #{number} has no claimReviewed")
        specs.append(spec)
    return _unique(specs)


# ----------------------------------------------------------------------------- JSON-LD
def load_json_ld(text: str) -> list[Any]:
    """JSON values in one JSON-LD block, read leniently; ValueError when nothing is readable."""
    cleaned = _WRAPPERS.sub("", text.strip()).strip()
    if not cleaned:
        raise ValueError("empty")
    for candidate in (cleaned, _TRAILING_COMMA.sub(r"\1", cleaned)):
        values = _decode_sequence(candidate)
        if values:
            return values
    try:  # for the error message only
        json.loads(cleaned, strict=False)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    raise ValueError("no JSON value")


def _decode_sequence(text: str) -> list[Any]:
    """One JSON value, or several written one after the other (some CMSes concatenate them)."""
    decoder = json.JSONDecoder(strict=False)  # raw newlines inside strings are common
    values, position = [], 0
    while position < len(text):
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return []
        values.append(value)
    return values


def _is_claim_review(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and re.split(r"[/:#]", kind)[-1].lower() == CLAIM_REVIEW_TYPE:
            return True
    return False


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def claim_review_nodes(documents: list[Any]) -> list[dict[str, Any]]:
    """Every ClaimReview object, wherever it sits, with @id references resolved."""
    by_id = {node["@id"]: node for node in _walk(documents) if isinstance(node.get("@id"), str) and len(node) > 1}
    found, seen = [], set()
    for node in _walk(documents):
        if _is_claim_review(node) and id(node) not in seen:
            seen.add(id(node))
            found.append(_resolved(node, by_id, depth=0))
    return found


#: How deep @id references are followed; real pages need one or two levels.
_MAX_REFERENCE_DEPTH = 3


def _resolved(value: Any, by_id: dict[str, dict[str, Any]], depth: int) -> Any:
    if depth > _MAX_REFERENCE_DEPTH:
        return value
    if isinstance(value, dict):
        if set(value) == {"@id"} and value["@id"] in by_id:
            value = by_id[value["@id"]]
        return {k: _resolved(v, by_id, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, by_id, depth + 1) for v in value]
    return value


# ----------------------------------------------------------------------------- fields
def _spec_from_node(node: dict[str, Any], page_url: str, meta: PageMeta, publisher: str | None) -> FactCheckSpec:
    item = _first_dict(node.get("itemReviewed")) or {}
    rating = _first_dict(node.get("reviewRating")) or {}
    rating_text = _text(rating.get("alternateName")) or _text(rating.get("name"))
    value, best, worst = (to_float(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))
    claim = (
        _text(node.get("claimReviewed"))
        or _text(item.get("name"))
        or _text(item.get("text"))
        or _text(node.get("headline"))
        or _text(node.get("name"))
        or meta.headline
        or ""
    )
    given = _first_url(node.get("url"))
    joined = urljoin(page_url, given) if given and page_url else (given or page_url)
    # A ClaimReview's url that is no clean http(s) address (javascript:, data:) gives way to the
    # page it was found on; in a JSON-LD file there is none, and the fact-check is refused.
    url = web_url(joined) or web_url(page_url) or joined
    appearances = [
        a for a in map(web_url, [*_urls(item.get("appearance")), *_urls(item.get("firstAppearance"))]) if a
    ]
    return FactCheckSpec(
        url=url,
        claim_reviewed=" ".join(claim.split()),
        publisher=_publisher(node, meta, publisher, url),
        rating=normalise_rating(rating_text, value, best, worst).rating,
        rating_text=rating_text,
        rating_value=value,
        best_rating=best,
        worst_rating=worst,
        claim_author=_names(item.get("author")),
        appearances=tuple(dict.fromkeys(a for a in appearances if a)),
        published_at=parse_date(_text(node.get("datePublished"))) or parse_date(meta.published_time),
        language=language_code(_text(node.get("inLanguage")) or meta.language),
        headline=_text(node.get("headline")) or meta.headline,
    )


def _publisher(node: dict[str, Any] | None, meta: PageMeta, given: str | None, url: str) -> str:
    if node is not None:
        named = _names(node.get("author")) or _names(node.get("publisher"))
        if named:
            return named
    return given or meta.site_name or (urlsplit(url).hostname or "unknown")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _text(value.get("@value")) or _text(value.get("name"))
    if isinstance(value, list):
        for entry in value:
            text = _text(entry)
            if text:
                return text
    return None


def _names(value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    names = [_text(v) for v in values]
    joined = ", ".join(dict.fromkeys(n for n in names if n))
    return joined or None


def _first_dict(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), None)
    return None


def _first_url(value: Any) -> str | None:
    urls = _urls(value)
    return urls[0] if urls else None


def _urls(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    urls = []
    for entry in values:
        if isinstance(entry, dict):
            entry = entry.get("url") or entry.get("@id")
            entry = entry[0] if isinstance(entry, list) and entry else entry
        if isinstance(entry, str) and entry.strip():
            urls.append(entry.strip())
    return urls


def parse_date(text: str | None) -> datetime | None:
    """ISO 8601 (or RFC 822) -> aware UTC. A date without a zone is read as UTC: for a window
    of years, hours do not matter."""
    if not text:
        return None
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def language_code(text: str | None) -> str | None:
    """``"nl-NL"``, ``"nl_BE"``, ``"NL"`` -> ``"nl"``."""
    match = _LANGUAGE.match(text.strip()) if text else None
    return match.group(0).lower() if match else None


def _unique(specs: list[FactCheckSpec]) -> list[FactCheckSpec]:
    """One spec per (url, claim): the same ClaimReview is often both nested and in @graph."""
    seen: dict[tuple[str, str], FactCheckSpec] = {}
    for spec in specs:
        if spec.claim_reviewed:
            seen.setdefault((spec.url, spec.claim_reviewed.casefold()), spec)
    return list(seen.values())

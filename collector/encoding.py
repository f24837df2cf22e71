"""Choosing the character encoding of feed and page bodies, so Dutch diacritics survive.

Pure functions. feedparser does the XML side itself (BOM, XML declaration, HTTP charset, with
fallbacks); we only correct the one case it gets wrong on purpose (RFC 3023 lets the HTTP
charset win), and decode HTML and JSON ourselves.
"""

from __future__ import annotations

import codecs
import re

from collector.http_rules import charset_of

# Single-byte charsets that servers put in Content-Type by default (Apache's AddDefaultCharset,
# old PHP); a body that is valid UTF-8 with multi-byte sequences was not written in them.
LEGACY_SINGLE_BYTE_PREFIXES = ("iso-8859-1", "iso8859-1", "latin", "windows-1252", "cp1252", "us-ascii", "ascii")
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Where an HTML page may name its charset: <meta charset=...> or http-equiv Content-Type.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
META_SCAN_BYTES = 4096
FALLBACK_ENCODING = "windows-1252"  # a superset of Latin-1: what undeclared Dutch text mostly is


def bom_encoding(body: bytes) -> str | None:
    for bom, name in BOMS:
        if body.startswith(bom):
            return name
    return None


def is_multibyte_utf8(body: bytes) -> bool:
    """Valid UTF-8 that is not plain ASCII."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def http_charset_is_wrong(body: bytes, content_type: str | None) -> bool:
    """The HTTP header names a legacy single-byte charset, but the body is clearly UTF-8.

    A Dutch feed served as ``text/xml; charset=iso-8859-1`` while written in UTF-8 would
    otherwise turn "één" into "Ã©Ã©n" (feedparser follows RFC 3023: the header wins)."""
    charset = charset_of(content_type)
    if not charset or not charset.startswith(LEGACY_SINGLE_BYTE_PREFIXES):
        return False
    return bom_encoding(body) is None and is_multibyte_utf8(body)


def with_charset(content_type: str | None, charset: str) -> str:
    base = (content_type or "application/xml").split(";", 1)[0].strip() or "application/xml"
    return f"{base}; charset={charset}"


def _usable(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(body: bytes, content_type: str | None = None, *, html: bool = False) -> tuple[str, str]:
    """Decode a page or JSON body: BOM, then the HTTP charset (unless clearly wrong), then the
    HTML meta charset, then UTF-8, then windows-1252. Returns ``(text, encoding)``."""
    bom = bom_encoding(body)
    if bom:
        return body.decode(bom, errors="replace").lstrip("\ufeff"), bom
    candidates: list[str | None] = []
    if not http_charset_is_wrong(body, content_type):
        candidates.append(charset_of(content_type))
    if html:
        match = META_CHARSET.search(body[:META_SCAN_BYTES])
        candidates.append(match.group(1).decode("ascii", errors="ignore") if match else None)
    candidates += ["utf-8", FALLBACK_ENCODING]
    for candidate in candidates:
        name = _usable(candidate)
        if name is None:
            continue
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    return body.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING

"""XML is never allowed to expand entities: documents that declare any are refused.

feedparser's strict mode runs expat, which would expand internal entities (billion laughs,
quadratic blow-up) and could be pointed at external ones (XXE). Before feedparser sees a
document it is screened twice:

1. a byte-level search for ``<!ENTITY`` (also in UTF-16/32 and in the declared encoding), so
   a document expat cannot read here is still caught before feedparser transcodes it;
2. a parse with defusedxml's expat parser (entities and external references forbidden) and a
   target without callbacks, so the screen costs one C-level pass and builds no tree.

Ill-formed documents pass the screen: feedparser's tolerant parser handles them and never
expands DTD entities.
"""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from collector.errors import FeedParseError

ENTITY_DECLARATION = b"<!ENTITY"
XML_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
PROLOG_SCAN_BYTES = 1024


class _NoCallbacks:
    """An ElementTree parser target without start/end/data methods: expat calls nothing back."""

    def close(self) -> None:
        return None


def screen_xml(body: bytes) -> None:
    """Raise ``FeedParseError`` if the document declares entities or references external ones."""
    if _declares_entities(body):
        raise FeedParseError("XML declares entities (<!ENTITY ...>): refused, entities are never expanded")
    parser = DefusedXMLParser(target=_NoCallbacks(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(body)
        parser.close()
    except DefusedXmlException as exc:
        raise FeedParseError(f"unsafe XML refused: {type(exc).__name__}") from exc
    except (ParseError, LookupError, ValueError):
        return  # ill-formed or oddly encoded: left to feedparser's tolerant parser


def _declares_entities(body: bytes) -> bool:
    # NUL bytes removed: UTF-16/32 spell ASCII markup with them.
    if ENTITY_DECLARATION in body.replace(b"\x00", b""):
        return True
    match = XML_DECLARED_ENCODING.match(body[:PROLOG_SCAN_BYTES].replace(b"\x00", b""))
    if match:
        try:
            name = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            return False
        if "<!ENTITY".encode(name, errors="ignore") == ENTITY_DECLARATION:
            return False  # ASCII-compatible: the byte search above already covered it
        # An exotic declared encoding (utf-7, ...) could hide the declaration from a byte search.
        return "<!ENTITY" in body.decode(name, errors="replace")
    return False

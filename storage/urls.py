"""URL hygiene: the one rule for every link Waakhond stores or shows.

``web_url`` returns a URL only when it is an absolute ``http``/``https`` address after the same
clean-up a browser does, else ``None``. Everything that takes a link from outside (feed items,
fact-checks and their appearances, source lists) and everything that renders one (dashboard,
alerts, CSV export) calls it, so a ``javascript:`` or ``data:`` link is never stored and never
becomes clickable, however it is disguised:

    leading/trailing C0 controls and spaces   stripped (browsers strip them too)
    tab, CR, LF anywhere                      removed  (browsers remove them: ``java\\tscript:``)
    any other control or format character     refused  (NUL, DEL, C1, RTL override, zero-width)
    entity-encoded text (``java&#x09;script:``) refused unless the decoded text is the same
                                              http(s) URL's scheme: a renderer that decodes
                                              entities must not see another scheme than we did
    scheme                                    http or https (any case; stored lower-case)
    host                                      required; no user:password@ (a phishing trick and
                                              credentials we would send); no backslash; an IPv4
                                              number in any spelling (``2130706433``, ``0177.0.0.1``,
                                              ``127.1``) becomes its dotted quad, so the address
                                              guard and a reader see the address it really is
    length                                    at most ``MAX_URL_LENGTH`` (the columns' size)

Pure, and in ``storage`` because it is the one package every other one may import.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

WEB_SCHEMES = frozenset({"http", "https"})
#: The URL columns are String(2048); a longer URL would be cut into something else.
MAX_URL_LENGTH = 2048
#: What the WHATWG URL parser strips from both ends: C0 controls and space.
_EDGE = "".join(chr(c) for c in range(0x21))
#: What the WHATWG URL parser removes anywhere in the input.
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
#: The scheme as a browser reads it: a letter, then letters, digits, + - . up to the colon.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
#: Decoding entities may reveal more entities (``&amp;#106;``); a few rounds reach the bottom.
_ENTITY_ROUNDS = 4
#: Characters no host name may hold (the WHATWG forbidden host code points, and quotes).
_FORBIDDEN_HOST = frozenset(" #%/:<>?@[\\]^|\"'`{}")


def browser_scheme(text: str) -> str | None:
    """The scheme a browser would read from ``text`` (lower-case), or ``None`` for a relative
    URL. Follows the WHATWG URL parser's preprocessing."""
    cleaned = _TAB_OR_NEWLINE.sub("", text.strip(_EDGE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def declared_scheme(text: str) -> str | None:
    """The scheme ``text`` names once entities are decoded as well (``java&#x09;script:`` ->
    ``javascript``): a relative-looking link that names another scheme is an attempt, not a path."""
    return browser_scheme(_decoded(text))


def _decoded(text: str) -> str:
    for _ in range(_ENTITY_ROUNDS):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


def _has_invisible(text: str) -> bool:
    """Control (Cc) or format (Cf: bidi overrides, zero-width) characters, or other spaces."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") or ch.isspace() for ch in text)


def web_url(value: object) -> str | None:
    """``value`` as a clean absolute http(s) URL, or ``None`` when it is anything else."""
    if not isinstance(value, str):
        return None
    text = _TAB_OR_NEWLINE.sub("", value.strip(_EDGE))
    if not text or len(text) > MAX_URL_LENGTH or _has_invisible(text):
        return None
    scheme = browser_scheme(text)
    if scheme not in WEB_SCHEMES or browser_scheme(_decoded(text)) != scheme:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:  # a bad port or a broken IPv6 literal
        return None
    if not host or "@" in parts.netloc or "\\" in parts.netloc or not text[len(scheme) + 1 :].startswith("//"):
        return None
    host = host.rstrip(".")
    ipv6 = parts.netloc.split("@")[-1].startswith("[")
    if not host or (not ipv6 and _FORBIDDEN_HOST.intersection(host)):
        return None
    if not ipv6:
        try:
            host = numeric_host(host) or host  # one spelling of an address: what will be connected to
        except ValueError:
            return None
    netloc = f"[{host}]" if ipv6 else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


_NUMBER = re.compile(r"^(0[xX][0-9A-Fa-f]*|[0-9]+)$")


def _ipv4_part(part: str) -> int | None:
    if not _NUMBER.match(part):
        return None
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(c in "01234567" for c in part) else None
    return int(part)


def numeric_host(host: str) -> str | None:
    """A host a browser (and the C library's resolver) reads as an IPv4 number, in dotted-quad
    form: ``2130706433``, ``0177.0.0.1``, ``127.1``, ``0x7f.1`` are all ``127.0.0.1``. ``None``
    for a host name. Raises ValueError for a number that is no address (``1.2.3.4.5``, ``999``)."""
    labels = host.split(".")
    if labels and labels[-1] == "" and len(labels) > 1:
        labels = labels[:-1]
    if not labels or not _NUMBER.match(labels[-1]):
        return None  # the WHATWG rule: only a numeric last label makes an IPv4 host
    parts = [_ipv4_part(label) for label in labels]
    if len(parts) > 4 or any(p is None for p in parts):
        raise ValueError(f"not an IPv4 address: {host}")
    *head, last = parts
    if any(p > 255 for p in head) or last >= 256 ** (5 - len(parts)):
        raise ValueError(f"not an IPv4 address: {host}")
    value = last + sum(p * 256 ** (3 - i) for i, p in enumerate(head))
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def is_web_url(value: object) -> bool:
    return web_url(value) is not None


def describe_refused(value: object, limit: int = 80) -> str:
    """A short, printable description of a refused link for an operator's note: its scheme
    (if any) and its start, with control characters shown as escapes."""
    text = value if isinstance(value, str) else repr(value)
    scheme = browser_scheme(_decoded(text)) if isinstance(value, str) else None
    shown = text[:limit].encode("unicode_escape").decode("ascii")
    return f"{scheme or 'no scheme'}: {shown}{'...' if len(text) > limit else ''}"

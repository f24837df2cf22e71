"""Source lists in and out: OPML (what feed readers exchange) and TOML (what operators edit).

Pure functions: text in, ``SourceSpec`` out, and back. XML is parsed with defusedxml, so an
OPML file with entity tricks fails cleanly instead of expanding.

TOML format::

    [[source]]
    name = "NOS Nieuws - Algemeen"
    url = "https://feeds.nos.nl/nosnieuwsalgemeen"
    kind = "feed"            # feed | factcheck
    interval_seconds = 900
    enabled = true
    full_text = false
    language = "nl"
    owner = "team-online"
    tags = ["omroep"]
    note = "why this source, or 'unverified'"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from collector.errors import CollectorError
from storage.repositories import SourceSpec

SPEC_FIELDS = ("url", "name", "kind", "interval_seconds", "enabled", "full_text", "language", "owner", "tags", "note")


#: Real source lists are kilobytes; a larger file is refused before it is read (a 100 MB
#: OPML would take minutes to parse and hold the whole list in memory).
MAX_SOURCE_LIST_BYTES = 10_000_000


class SourceListError(CollectorError, ValueError):
    """A source list file cannot be read."""


def read_source_list(path: Path) -> list[SourceSpec]:
    """Read an OPML (``.opml``/``.xml``) or TOML (``.toml``) source list."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_LIST_BYTES:
            raise SourceListError(
                f"{path} is {size / 1e6:.0f} MB: a source list may be at most {MAX_SOURCE_LIST_BYTES // 1_000_000} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceListError(f"cannot read {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            text = data.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise SourceListError(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
        return parse_toml(text)
    if suffix in (".opml", ".xml"):
        return parse_opml(data)
    raise SourceListError(f"unknown source list format {suffix!r}: use .opml or .toml")


def parse_toml(text: str) -> list[SourceSpec]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceListError(f"invalid TOML: {exc}") from exc
    unknown_tables = set(doc) - {"source", "defaults"}
    if unknown_tables:  # e.g. [[sources]]: a typo would otherwise import nothing, and say so with exit 0
        raise SourceListError(f"unknown table(s) {', '.join(sorted(unknown_tables))}: use [[source]] and [defaults]")
    entries = doc.get("source", [])
    if not isinstance(entries, list):
        raise SourceListError("expected [[source]] tables")
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SourceListError("expected a [defaults] table")
    specs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise SourceListError(f"source #{number}: expected a [[source]] table, got {type(entry).__name__}")
        merged = {**defaults, **entry}
        unknown = set(merged) - set(SPEC_FIELDS)
        if unknown:
            raise SourceListError(f"source #{number}: unknown keys {', '.join(sorted(unknown))}")
        if "url" not in merged:
            raise SourceListError(f"source #{number}: missing url")
        merged["tags"] = tuple(merged.get("tags", ()))
        specs.append(SourceSpec(**merged))
    return specs


def parse_opml(data: bytes) -> list[SourceSpec]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SourceListError(f"OPML refused: {type(exc).__name__}") from exc
    except SafeET.ParseError as exc:
        raise SourceListError(f"invalid OPML: {exc}") from exc
    if root.tag != "opml":
        raise SourceListError(f"not an OPML document (root element <{root.tag}>)")
    specs = []
    body = root.find("body")
    if body is None:
        return specs

    def walk(node: Element, folders: tuple[str, ...]) -> None:
        for outline in node.findall("outline"):
            url = outline.get("xmlUrl")
            title = outline.get("title") or outline.get("text") or ""
            if url:
                kind = outline.get("{https://waakhond.nl/opml}kind") or "feed"
                specs.append(SourceSpec(url=url.strip(), name=title.strip(), kind=kind, tags=folders))
            else:
                walk(outline, folders + ((title.strip(),) if title.strip() else ()))

    walk(body, ())
    return specs


def render_toml(specs: Iterable[SourceSpec]) -> str:
    lines = ["# Waakhond source list (waakhond sources export)", ""]
    for spec in specs:
        lines.append("[[source]]")
        for key in SPEC_FIELDS:
            value = getattr(spec, key)
            if value is None or (key == "note" and not value):
                continue
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def render_opml(specs: Iterable[SourceSpec], title: str = "Waakhond sources") -> str:
    root = Element("opml", {"version": "2.0", "xmlns:waakhond": "https://waakhond.nl/opml"})
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for spec in specs:
        SubElement(
            body,
            "outline",
            {"type": "rss", "text": spec.name, "title": spec.name, "xmlUrl": spec.url, "waakhond:kind": spec.kind},
        )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"

"""Guidance links shown with every signal: the official information page of each policy topic,
and the general page on recognising disinformation (isdatechtzo.nl). Shared data, so
it lives on the ground floor: the dashboard and the alerts read it from ``storage``'s face, and
``waakhond`` hands it to the API and the briefing.

File format (``storage/data/guidance.toml``)::

    [general]
    title = "Is dat echt zo?"
    url = "https://www.isdatechtzo.nl/"

    [topics.wonen]
    title = "Huurtoeslag en wonen - Rijksoverheid"
    url = "https://www.rijksoverheid.nl/onderwerpen/..."
    description = "optional"
    verified = false   # optional: was the exact URL confirmed

Pure: TOML in, ``Guidance`` out; ``links_for(topics)`` gives the links for one signal.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from storage.errors import StorageError

GUIDANCE_FILE = Path(__file__).resolve().parent / "data" / "guidance.toml"


class GuidanceError(StorageError, ValueError):
    """The guidance file cannot be read or is incomplete."""


@dataclass(frozen=True)
class GuidanceLink:
    title: str
    url: str
    topic: str | None  # None: the general page, shown with every signal
    description: str | None = None
    verified: bool | None = None  # as the file says: was the exact URL seen in a public source


@dataclass(frozen=True)
class Guidance:
    general: GuidanceLink
    topics: dict[str, GuidanceLink] = field(default_factory=dict)

    def links_for(self, topic_slugs: list[str] | tuple[str, ...]) -> list[GuidanceLink]:
        """The topics' official pages (in the given order, unknown slugs skipped), then the
        general page: every signal gets at least that one."""
        seen, links = set(), []
        for slug in topic_slugs:
            link = self.topics.get(slug)
            if link is not None and slug not in seen:
                seen.add(slug)
                links.append(link)
        return [*links, self.general]


def load_guidance(path: Path = GUIDANCE_FILE) -> Guidance:
    try:
        return parse_guidance(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise GuidanceError(f"cannot read {path}: {exc.strerror or exc}") from exc


def parse_guidance(text: str) -> Guidance:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidanceError(f"invalid guidance TOML: {exc}") from exc
    general = doc.get("general")
    if not isinstance(general, dict):
        raise GuidanceError("guidance file lacks a [general] table")
    topics = doc.get("topics", {})
    if not isinstance(topics, dict):
        raise GuidanceError("[topics] must hold one table per topic slug")
    return Guidance(
        general=_link(general, None),
        topics={slug: _link(entry, slug) for slug, entry in topics.items()},
    )


def _link(entry: object, slug: str | None) -> GuidanceLink:
    where = f"[topics.{slug}]" if slug else "[general]"
    if not isinstance(entry, dict):
        raise GuidanceError(f"{where} must be a table with title and url")
    title, url = str(entry.get("title", "")).strip(), str(entry.get("url", "")).strip()
    if not title:
        raise GuidanceError(f"{where} has no title")
    if urlsplit(url).scheme != "https" or not urlsplit(url).hostname:
        raise GuidanceError(f"{where} needs an https URL, got {url!r}")
    verified = entry.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise GuidanceError(f"{where}: verified must be true or false")
    description = str(entry.get("description", "")).strip() or None
    return GuidanceLink(title, url, slug, description, verified)

"""What an alert says, in Dutch: subject, text, the dashboard link, debunk and guidance links
(pure; the channels only format it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.urls import web_url

try:
    LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # a system without tz data: times stay in UTC, and say so
    LOCAL_TIME = None

RATING_WORDS = {
    "false": "onwaar",
    "mostly_false": "grotendeels onwaar",
    "mixed": "deels waar",
    "mostly_true": "grotendeels waar",
    "true": "waar",
    "unproven": "onbewezen",
    "unknown": "onbekend",
}
DISCLAIMER = (
    "Dit is een signaal, geen oordeel: Waakhond zegt niet wat waar is. "
    "Beoordeel de berichten zelf voordat u reageert."
)
#: Quoted feed text is cut here: an alert is a pointer, the dashboard shows the whole thing.
QUOTE_MAX_CHARS = 280


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str | None = None  # e.g. "Nieuwscheckers: onwaar"


@dataclass(frozen=True)
class AlertMessage:
    kind: str
    subject: str
    lines: tuple[str, ...]
    link: str
    debunks: tuple[Link, ...] = ()
    guidance: tuple[Link, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every channel renders these as links: only clean http(s) ones are kept (storage.urls).
        object.__setattr__(self, "debunks", web_links(self.debunks))
        object.__setattr__(self, "guidance", web_links(self.guidance))

    def plain_text(self) -> str:
        """The whole alert as plain text (e-mail): what happened, the link, the debunks."""
        parts = [*self.lines, "", f"Bekijk in Waakhond: {self.link}"]
        if self.debunks:
            parts += ["", "Factchecks over deze bewering:"]
            parts += [f"- {d.title} ({d.note}): {d.url}" if d.note else f"- {d.title}: {d.url}" for d in self.debunks]
        if self.guidance:
            parts += ["", "Achtergrond en hoe u desinformatie herkent:"]
            parts += [f"- {g.title}: {g.url}" for g in self.guidance]
        parts += ["", DISCLAIMER]
        return "\n".join(parts)

    def payload(self) -> dict[str, Any]:
        """The generic JSON webhook body."""
        return {
            "source": "waakhond",
            "kind": self.kind,
            "subject": self.subject,
            "text": "\n".join(self.lines),
            "link": self.link,
            "debunks": [{"title": d.title, "url": d.url, "note": d.note} for d in self.debunks],
            "guidance": [{"title": g.title, "url": g.url} for g in self.guidance],
            "facts": self.facts,
            "disclaimer": DISCLAIMER,
        }


def dashboard_link(base_url: str, page: str, **params: object) -> str:
    query = {"page": page, **{k: str(v) for k, v in params.items() if v is not None}}
    return f"{base_url.rstrip('/')}/?{urlencode(query)}"


def when(moment: datetime | None) -> str:
    if moment is None:
        return "onbekend"
    if LOCAL_TIME is None:
        return moment.strftime("%d-%m-%Y %H:%M UTC")
    return moment.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M")


def quote(text: str | None) -> str:
    clean = " ".join((text or "").split())
    return clean if len(clean) <= QUOTE_MAX_CHARS else clean[: QUOTE_MAX_CHARS - 1].rstrip() + "…"


def is_web_link(url: str | None) -> bool:
    return web_url(url) is not None


def web_links(links: Sequence[Link]) -> tuple[Link, ...]:
    """The links whose URL is a clean http(s) address, with that address (``storage.urls``)."""
    return tuple(
        Link(link.title, clean, link.note) for link in links if (clean := web_url(link.url)) is not None
    )


def debunk_links(debunks: Sequence[tuple[str, str, str, str]]) -> tuple[Link, ...]:
    """(claim, url, publisher, rating) -> links; only http(s) URLs are passed on."""
    return tuple(
        Link(quote(claim), url, f"{publisher}: {RATING_WORDS.get(rating, rating)}")
        for claim, url, publisher, rating in debunks if is_web_link(url)
    )


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

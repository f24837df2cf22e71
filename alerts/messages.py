"""What an alert says, in Dutch: subject, text, the signal by its parts (one line each), the
dashboard link, debunk and guidance links (pure; the channels only format it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage import web_url
from storage.read_models import PartReading, SignalPartsView

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
#: The parts of a signal in words (``classifications.signal_parts``; the dashboard says the same).
PART_WORDS = {
    "checkworthy": "Controleerbare bewering",
    "claim_match": "Bekende factcheck",
    "narrative": "Bekend onjuist verhaal",
    "head": "Desinformatiemodel",
    "topic": "Beleidsonderwerp",
}
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


def _number(value: float | None) -> str:
    return "geen getal" if value is None else f"{value:.2f}"


def _part_line(part: PartReading, topic_names: Mapping[str, str]) -> str:
    if part.name == "topic":
        name = topic_names.get(part.topic_slug or "", part.topic_slug or "onbekend")
        return f"- {PART_WORDS['topic']}: {name}" + (f" ({_number(part.score)})." if part.score is not None else ".")
    words = [_number(part.score) + ("" if part.threshold is None else f" (drempel {_number(part.threshold)})")]
    if part.above_threshold is not None:
        words.append("boven de drempel" if part.above_threshold else "onder de drempel")
    if part.raised_flag:
        words.append("gaf de doorslag")
    target = ""
    if part.name == "checkworthy" and part.sentence:
        target = f": “{quote(part.sentence)}”"
    elif part.name == "claim_match" and part.claim:
        rating = RATING_WORDS.get(part.rating_normalised or "", part.rating)
        target = f": “{quote(part.claim)}”" + (f" ({rating})" if rating else "")
    elif part.name == "narrative" and part.narrative:
        target = f": “{quote(part.narrative)}”"
    return f"- {PART_WORDS[part.name]}: {', '.join(words)}{target or '.'}"


def signal_part_lines(view: SignalPartsView | None, topic_names: Mapping[str, str] | None = None,
                      about: str = "Waarom gesignaleerd") -> tuple[str, ...]:
    """The signal by its parts: which parts raised the flag, then one line per part. Nothing for
    a signal scored before the parts were stored."""
    if view is None:
        return ()
    rule = f"regel {view.rule}" if view.rule else "regel onbekend"
    if view.flagged_by:
        head = f"{about}: {', '.join(PART_WORDS[p].lower() for p in view.flagged_by)} ({rule})."
    elif view.flagged_by is None:
        head = f"{about}: niet bewaard welke onderdelen de doorslag gaven ({rule})."
    else:
        head = f"{about}: geen onderdeel gaf de doorslag ({rule})."
    lines = [head, *(_part_line(p, topic_names or {}) for p in view.parts)]
    if view.missing:
        lines.append(f"Niet gemeten: {', '.join(PART_WORDS[p].lower() for p in view.missing)}.")
    return tuple(lines)

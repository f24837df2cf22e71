"""Wiring of the weekly briefing: the guidance links from storage's shared data, and making one
briefing (refresh the daily counts, gather, render, write the file, record it through storage).

Used by ``waakhond briefing`` and by the alert rule kind ``briefing`` (which sends it on a
schedule). The briefing package itself never reads the guidance file; the links are handed in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

import storage
from briefing import (
    BriefingContent,
    BriefingSettings,
    GuidanceLinks,
    IsoWeek,
    Link,
    build_briefing,
    render_html,
    render_pdf,
)
from storage import GuidanceError, load_guidance
from storage.read_models import refresh_daily_counts
from storage.repositories import BriefingRecord, record_briefing
from storage.schema import utcnow
from waakhond.context import AppContext

log = logging.getLogger(__name__)
#: isdatechtzo.nl: shown even when the guidance file cannot be read.
GENERAL_GUIDANCE = Link("Is dat echt zo?", "https://www.isdatechtzo.nl/")
#: Who made a scheduled briefing, in the audit log.
SCHEDULE_ACTOR = "alerts:briefing"


def guidance_links() -> GuidanceLinks:
    """The guidance file as plain links; a broken file leaves only isdatechtzo.nl."""
    try:
        guidance = load_guidance()
    except GuidanceError as exc:
        log.warning("guidance links unavailable: %s", exc)
        return GuidanceLinks((GENERAL_GUIDANCE,), {})
    return GuidanceLinks(
        (Link(guidance.general.title, guidance.general.url),),
        {slug: (Link(g.title, g.url),) for slug, g in guidance.topics.items()},
    )


@dataclass(frozen=True)
class MadeBriefing:
    record: BriefingRecord
    content: BriefingContent


def make_briefing(
    sessions: sessionmaker[Session], settings: BriefingSettings, week: IsoWeek, *, out: Path, actor: str,
    language: str = "nl", topic: str | None = None, now: datetime | None = None,
    guidance: GuidanceLinks | None = None,
) -> MadeBriefing:
    """Write the briefing to ``out`` (.pdf or .html) and record it; returns what was stored."""
    now = now or utcnow()
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise ValueError(f"the briefing is written as .pdf or .html, not {out.name!r}")
    with storage.transaction(sessions) as session:
        refresh_daily_counts(session, now=now)  # the service does it every tick; a CLI run may be first
    with storage.transaction(sessions) as session:
        content = build_briefing(session, week, now=now, settings=settings, guidance=guidance or guidance_links(),
                                 language=language, topic=topic)
    html = render_html(content)
    data = render_pdf(html) if fmt == "pdf" else html.encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    with storage.transaction(sessions) as session:
        record = record_briefing(session, week=week.label, topic=topic, language=language, format=fmt, content=data,
                                 path=str(out.resolve()), summary=content.summary(), actor=actor, at=now)
    return MadeBriefing(record, content)


def scheduled_path(settings: BriefingSettings, data_dir: Path, week: IsoWeek, topic: str | None, language: str) -> Path:
    """Where a scheduled briefing is written: briefing.output_dir, else <data_dir>/briefings."""
    folder = settings.output_dir or data_dir / "briefings"
    return folder / f"waakhond-briefing-{week.label}{'-' + topic if topic else ''}-{language}.pdf"


def scheduled_maker(app: AppContext):
    """For the alert rule kind ``briefing``: make (week, topic, language)'s briefing as a PDF
    under the scheduled folder and record it; returns the stored record."""

    def make(week: IsoWeek, topic: str | None, language: str) -> BriefingRecord:
        out = scheduled_path(app.settings.briefing, app.settings.data_dir, week, topic, language)
        return make_briefing(app.sessions, app.settings.briefing, week, out=out, actor=SCHEDULE_ACTOR,
                             language=language, topic=topic).record

    return make

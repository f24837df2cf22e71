"""The weekly briefing: per policy topic, the week's flagged volume against the weeks before
(a chart), the narratives that grew with their claims, evidence sentences and fact-checks, the
guidance links, and what analysts confirmed or rejected; Dutch first, English available; HTML
from a template and a PDF from that same HTML.

Why a top-level package beside ``dashboard`` (floor 3), not inside ``waakhond``: like the
dashboard it is a way of *showing* what storage holds, read only through ``storage``, with its
own texts, templates and settings section; ``waakhond`` stays the wiring (the CLI command, the
alert rule that sends it on a schedule, recording the file). It imports no ``classifier``,
and the caller hands it the guidance links (``GuidanceLinks``, from ``storage.load_guidance``).

    build_briefing(session, week, now=, settings=, guidance=, language=, topic=) -> BriefingContent
    render_html(content) -> str          render_pdf(html) -> bytes
    parse_week("2026-W48") -> IsoWeek    last_completed_week(now) -> IsoWeek
"""

from briefing.content import BriefingContent, GuidanceLinks, Link
from briefing.errors import BriefingError
from briefing.gather import UnknownTopic, build_briefing
from briefing.render import FORMATS, RenderError, render_html, render_pdf
from briefing.settings import BriefingSettings
from briefing.texts import LANGUAGES
from briefing.weeks import IsoWeek, WeekError, last_completed_week, parse_week, week_of

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "BriefingContent",
    "BriefingError",
    "BriefingSettings",
    "GuidanceLinks",
    "IsoWeek",
    "Link",
    "RenderError",
    "UnknownTopic",
    "WeekError",
    "build_briefing",
    "last_completed_week",
    "parse_week",
    "render_html",
    "render_pdf",
    "week_of",
]

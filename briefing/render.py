"""The briefing as HTML (Jinja2, autoescaped: feed text is hostile) and as PDF from that same
HTML (WeasyPrint, offline: it may fetch nothing, every part of the page is inline)."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from briefing.chart import weekly_chart_svg
from briefing.content import BriefingContent
from briefing.errors import BriefingError
from briefing.texts import long_date, number, text
from storage import web_url

FORMATS = ("pdf", "html")


class RenderError(BriefingError):
    """The PDF could not be made."""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("briefing", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # only clean http(s) links become href values, whatever reached the template
    env.filters["web_url"] = web_url
    return env


def render_html(content: BriefingContent) -> str:
    lang = content.language
    zone = ZoneInfo(content.timezone)

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    def local(moment: datetime) -> str:
        local_moment = moment.astimezone(zone)
        return f"{long_date(local_moment.date(), lang)} {local_moment:%H:%M}"

    charts = {s.slug: weekly_chart_svg(s.weeks, s.baseline, s.name, lang) for s in content.sections}
    return _environment().get_template("briefing.html").render(
        b=content, t=t, lang=lang, charts=charts, local=local,
        day=lambda d: long_date(d, lang), num=lambda v, digits=1: number(v, lang, digits),
    )


def _refuse_fetch(url: str, *args, **kwargs):
    raise RenderError(f"the briefing fetches nothing, not even {url[:80]!r}")


def render_pdf(html: str) -> bytes:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per step and page otherwise
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango or its friends missing on this machine
        raise RenderError(f"WeasyPrint cannot start (system library missing?): {exc}") from exc
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()

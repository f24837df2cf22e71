"""``waakhond briefing --week 2026-W48 [--topic SLUG] [--language nl|en] --out briefing.pdf|.html``:
the weekly briefing, written to a file and recorded (the dashboard's Overzicht offers the latest).
"""

from __future__ import annotations

from pathlib import Path

import typer

from briefing import LANGUAGES, RenderError, UnknownTopic, WeekError, last_completed_week, parse_week
from storage.schema import utcnow
from waakhond.briefing_maker import make_briefing
from waakhond.cli.main_support import actor_name, context_of
from waakhond.errors import EXIT_FAILED, UserError


def register(app: typer.Typer) -> None:
    app.command("briefing")(briefing)


def briefing(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The file to write: .pdf or .html."),
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2026-W48. Default: the last completed week."),
    topic: str | None = typer.Option(None, "--topic", help="Only this policy topic (its slug)."),
    language: str = typer.Option("nl", "--language", help="nl (default) or en."),
) -> None:
    """Write the weekly briefing: per topic the volume chart, the narratives that grew, their
    claims with evidence, fact-checks, guidance links and analysts' labels."""
    if language not in LANGUAGES:
        raise UserError(f"--language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if out.suffix.lower() not in (".pdf", ".html"):
        raise UserError(f"--out must end in .pdf or .html: {out}")
    if out.exists() and out.is_dir():
        raise UserError(f"--out is a folder: {out}")
    now = utcnow()
    try:
        iso_week = parse_week(week) if week else last_completed_week(now)
    except WeekError as exc:
        raise UserError(str(exc)) from exc
    if iso_week.start > now:
        raise UserError(f"week {iso_week.label} has not begun yet")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    try:
        made = make_briefing(app_ctx.sessions, app_ctx.settings.briefing, iso_week, out=out, actor=actor_name(),
                             language=language, topic=topic, now=now)
    except UnknownTopic as exc:
        raise UserError(f"{exc} (see `waakhond narratives list` or the dashboard's Onderwerpen page)") from exc
    except RenderError as exc:
        typer.echo(f"waakhond: the briefing could not be made: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from exc
    summary = made.record.summary
    state = " (week in progress)" if made.content.in_progress else ""
    typer.echo(f"Wrote the briefing of {iso_week.label}{state} to {out} ({made.record.size:,} bytes, "
               f"{len(made.content.sections)} topics, {summary['flagged']} flagged, "
               f"{summary['narratives_grown']} narratives grown); recorded as briefing {made.record.id}.")

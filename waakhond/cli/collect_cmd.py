"""``waakhond collect --once`` and ``waakhond run``: collecting now, or as a service."""

from __future__ import annotations

import typer

import storage
from storage.repositories import sources as repo
from waakhond.cli.main_support import context_of
from waakhond.cli.progress import progress_bar
from waakhond.errors import EXIT_FAILED, UserError


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
    app.command("run")(run)


def collect(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Fetch every due source once, then exit."),
    source: list[str] = typer.Option(
        [], "--source", help="Only this source (id or URL), due or not; repeat for several."
    ),
) -> None:
    """Fetch the due sources once and store their new items. Exit code 1 if any fetch failed."""
    if not once:
        raise UserError("say --once to collect now, or use `waakhond run` to keep collecting on schedule")
    from waakhond.pipeline import build_collector

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    ids = _source_ids(app_ctx, source) if source else None
    collector = build_collector(app_ctx)
    try:
        with progress_bar("Collecting") as (advance, set_total):
            report = collector.collect_once(ids, on_claimed=set_total, on_done=lambda _outcome: advance(1))
    finally:
        collector.close()
    counts = report.counts()
    if not report.outcomes:
        typer.echo("Nothing to collect: no source is due (or every due source is being fetched elsewhere).")
        return
    summary = ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in sorted(counts.items()))
    typer.echo(f"Collected {len(report.outcomes)} source(s): {summary}; {report.items_new} new item(s).")
    for failure in report.failed:
        typer.echo(f"  failed: source {failure.source_id} {failure.url}: {failure.error_kind}: {failure.error_message}")
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def _source_ids(app_ctx, refs: list[str]) -> list[int]:
    ids = []
    with storage.transaction(app_ctx.read_sessions) as session:
        for ref in refs:
            found = repo.get_source(session, ref)
            if not found.enabled:
                raise UserError(
                    f"source {found.id} is disabled ({found.disabled_reason or 'no reason given'}): "
                    f"enable it first with `waakhond sources enable {found.id}`"
                )
            ids.append(found.id)
    return ids


def run(ctx: typer.Context) -> None:
    """Run the service: collect every source on its schedule (and the later pipeline steps)
    until SIGTERM or Ctrl-C; work in flight is finished before exiting. With WAAKHOND_BROKER_URL
    set, this is the scale-out scheduler instead (see `waakhond scheduler`)."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    # Each runtime loads only when chosen: the scale-out one needs Celery (the ``scale`` extra).
    if app_ctx.settings.broker_url:
        from waakhond.workers.scheduler import run_scheduler

        run_scheduler(app_ctx)
        return
    from waakhond.service import run_service

    run_service(app_ctx)

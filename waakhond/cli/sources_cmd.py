"""``waakhond sources ...``: what operators do with sources."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import storage
from collector import SourceListError, read_source_list, render_opml, render_toml
from storage.repositories import SourceSpec
from storage.repositories import sources as repo
from waakhond.cli.main_support import actor_name, context_of
from waakhond.cli.params import format_duration, parse_duration
from waakhond.errors import UserError

sources_app = typer.Typer(help="Add, change and list the feeds Waakhond watches.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")


def _interval(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _source_dict(source) -> dict:
    return {
        "id": source.id,
        "kind": source.kind,
        "name": source.name,
        "url": source.url,
        "enabled": source.enabled,
        "interval_seconds": source.interval_seconds,
        "full_text": source.full_text,
        "language": source.language,
        "owner": source.owner,
        "tags": list(source.tags or []),
        "last_status": source.last_status,
        "last_error": source.last_error,
        "consecutive_failures": source.consecutive_failures,
        "disabled_reason": source.disabled_reason,
        "next_due_at": source.next_due_at.isoformat() if source.next_due_at else None,
        "last_fetched_at": source.last_fetched_at.isoformat() if source.last_fetched_at else None,
    }


@sources_app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="Feed URL (RSS, Atom or JSON Feed)."),
    name: str = typer.Option("", "--name", help="Display name; default: the host."),
    kind: str = typer.Option("feed", "--kind", help="feed or factcheck."),
    interval: str = typer.Option("15m", "--interval", help="How often to fetch: 60s..1d (e.g. 900, 15m, 2h)."),
    full_text: bool = typer.Option(False, "--full-text", help="Also fetch each item's article page."),
    language: str | None = typer.Option(None, "--language", help="Expected language, e.g. nl."),
    owner: str | None = typer.Option(None, "--owner", help="Team responsible for this source."),
    tag: list[str] = typer.Option([], "--tag", help="A tag; repeat for several."),
    disabled: bool = typer.Option(False, "--disabled", help="Add it, but do not fetch yet."),
) -> None:
    """Add a source. Adding the same URL again changes nothing."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    spec = SourceSpec(
        url=url, name=name, kind=kind, interval_seconds=_interval(interval), full_text=full_text,
        language=language, owner=owner, tags=tuple(tag), enabled=not disabled,
    )
    with storage.transaction(app_ctx.sessions) as session:
        source, created = repo.add_source(session, spec, actor_name())
        typer.echo(f"{'Added' if created else 'Already present'}: source {source.id} {source.url}")


@sources_app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="Only this kind."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """List sources with their health."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        rows = [_source_dict(s) for s in repo.list_sources(session, kind=kind)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("id", "kind", "on", "every", "last", "fails", "name", "url")
    for r in rows:
        table.add_row(
            str(r["id"]), r["kind"], "yes" if r["enabled"] else "no", format_duration(r["interval_seconds"]),
            r["last_status"] or "-", str(r["consecutive_failures"]), r["name"], r["url"],
        )
    Console(width=200).print(table)


@sources_app.command("show")
def show(ctx: typer.Context, source: str = typer.Argument(..., help="Source id or URL.")) -> None:
    """Show one source and its recent fetches."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        found = repo.get_source(session, source)
        data = _source_dict(found)
        runs = repo.recent_fetch_runs(session, found.id, limit=10)
        data["recent_fetches"] = [
            {
                "started_at": r.started_at.isoformat(), "status": r.status, "http_status": r.http_status,
                "error_kind": r.error_kind, "error_message": r.error_message,
                "items_seen": r.items_seen, "items_new": r.items_new, "duration_ms": r.duration_ms,
            }
            for r in runs
        ]
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@sources_app.command("set")
def set_(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source id or URL."),
    name: str | None = typer.Option(None, "--name"),
    url: str | None = typer.Option(None, "--url"),
    kind: str | None = typer.Option(None, "--kind"),
    interval: str | None = typer.Option(None, "--interval", help="60s..1d"),
    full_text: bool | None = typer.Option(None, "--full-text/--no-full-text"),
    language: str | None = typer.Option(None, "--language"),
    owner: str | None = typer.Option(None, "--owner"),
    tag: list[str] | None = typer.Option(None, "--tag", help="Replaces the tags; repeat for several."),
) -> None:
    """Change a source's settings. The running service picks changes up at its next tick."""
    changes = {
        "name": name, "url": url, "kind": kind, "interval_seconds": _interval(interval),
        "full_text": full_text, "language": language, "owner": owner, "tags": tag or None,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise UserError("nothing to change: give at least one option (see --help)")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        updated = repo.update_source(session, source, changes, actor_name())
        typer.echo(f"Updated source {updated.id}: {', '.join(sorted(changes))}")


def _set_enabled(ctx: typer.Context, source: str, enabled: bool, reason: str | None) -> None:
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        updated = repo.set_enabled(session, source, enabled, actor_name(), reason)
        typer.echo(f"Source {updated.id} {'enabled' if enabled else 'disabled'}.")


@sources_app.command("enable")
def enable(ctx: typer.Context, source: str = typer.Argument(..., help="Source id or URL.")) -> None:
    """Enable a source (also clears its failure count)."""
    _set_enabled(ctx, source, True, None)


@sources_app.command("disable")
def disable(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source id or URL."),
    reason: str | None = typer.Option(None, "--reason", help="Shown to other operators."),
) -> None:
    """Disable a source; its items stay."""
    _set_enabled(ctx, source, False, reason)


@sources_app.command("remove")
def remove(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source id or URL."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
) -> None:
    """Remove a source together with its items and fetch history."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    if not yes:
        typer.confirm(f"Remove source {source} and all its items?", abort=True)
    with storage.transaction(app_ctx.sessions) as session:
        repo.remove_source(session, source, actor_name())
    typer.echo(f"Removed source {source}.")


@sources_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="An .opml or .toml source list."),
    default: bool = typer.Option(False, "--default", help="Import Waakhond's list of public Dutch sources."),
    enable: bool | None = typer.Option(
        None, "--enable/--disable", help="Override the enabled flag of every imported source."
    ),
) -> None:
    """Import sources from OPML or TOML. Sources already present are left as they are.
    ``--default``: Waakhond's public Dutch news sources and its fact-checkers."""
    if (file is None) == (not default):
        raise UserError("give either a FILE or --default")
    paths = default_source_list_paths() if default else [file]
    specs_of: dict[Path, list[SourceSpec]] = {}
    for path in paths:
        try:
            specs_of[path] = read_source_list(path)
        except SourceListError as exc:
            raise UserError(str(exc)) from exc
    offline = _offline_reason() if default and enable is None else None
    for path, specs in specs_of.items():
        if enable is not None:
            specs = [SourceSpec(**{**spec.__dict__, "enabled": enable}) for spec in specs]
        if offline:  # public sources cannot be reached: import them switched off, with the reason
            note = f"disabled at import: {offline}"
            specs = [SourceSpec(**{**spec.__dict__, "enabled": False, "note": note}) if spec.enabled else spec
                     for spec in specs]
        specs_of[path] = specs
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        for path, specs in specs_of.items():
            created = 0
            for number, spec in enumerate(specs, start=1):
                try:
                    _, was_created = repo.add_source(session, spec, actor_name())
                except ValueError as exc:
                    raise UserError(f"{path}: source #{number}: {exc}") from exc
                created += was_created
            typer.echo(f"Imported {created} new source(s) from {path} ({len(specs) - created} already present).")
    if offline:
        typer.echo(
            f"This machine looks offline ({offline}), so the default sources were imported disabled. "
            "When online, enable them with `waakhond sources enable ID`, or import again with --enable."
        )
    unverified = [s.name for specs in specs_of.values() for s in specs if (s.note or "").startswith("unverified")]
    if unverified:
        typer.echo(f"{len(unverified)} source(s) stay disabled until their feed URL is checked "
                   "(see `waakhond sources list`): " + ", ".join(unverified))


def _offline_reason() -> str | None:
    """None when online; else why we think we are offline (a quick DNS + connect probe)."""
    import collector
    from collector import PROBE_HOSTS, PROBE_TIMEOUT_SECONDS

    if collector.network_available():
        return None
    hosts = ", ".join(host for host, _port in PROBE_HOSTS)
    return f"no connection to {hosts} within {PROBE_TIMEOUT_SECONDS:g}s"


def default_source_list_paths() -> list[Path]:
    from collector import DEFAULT_FACTCHECKERS_FILE, DEFAULT_SOURCES_FILE

    return [DEFAULT_SOURCES_FILE, DEFAULT_FACTCHECKERS_FILE]


@sources_app.command("export")
def export(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Write here (.opml or .toml); default: TOML on stdout."),
    fmt: str | None = typer.Option(None, "--format", help="toml or opml (default: from the file name)."),
) -> None:
    """Export all sources as TOML or OPML."""
    fmt = fmt or (file.suffix.lstrip(".").lower() if file else "toml")
    if fmt not in ("toml", "opml"):
        raise UserError(f"unknown export format {fmt!r}: use toml or opml")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        specs = repo.specs_of(repo.list_sources(session))
    text = render_toml(specs) if fmt == "toml" else render_opml(specs)
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"Exported {len(specs)} source(s) to {file}.")

"""``waakhond topics ...``: the policy topics items are assigned to (registered with the models
commands, by ``models_cmd.register``)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import storage
from storage.repositories import topics as topic_store
from waakhond.cli.main_support import actor_name, context_of
from waakhond.errors import UserError

topics_app = typer.Typer(help="Policy topics: list, import, edit.", no_args_is_help=True)


@topics_app.command("list")
def topics_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """The policy topics items are assigned to."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        rows = [{"slug": t.slug, "name": t.name, "name_en": t.name_en, "ministry": t.ministry, "priority": t.priority,
                 "enabled": t.enabled, "keywords": list(t.keywords or []), "description": t.description}
                for t in topic_store.list_topics(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("slug", "name", "ministry", "priority", "enabled", "keywords", title="Policy topics")
    for r in rows:
        table.add_row(r["slug"], r["name"], r["ministry"] or "", str(r["priority"]), "yes" if r["enabled"] else "no",
                      ", ".join(r["keywords"][:6]) + (" …" if len(r["keywords"]) > 6 else ""))
    Console(width=160).print(table)


@topics_app.command("import")
def topics_import(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="A topics TOML file (default: the shipped one)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Also reset existing topics to the file."),
) -> None:
    """Add the topics of a TOML file that are missing (operators' edits are kept unless --overwrite)."""
    from classifier.scoring import seed_topics

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    try:
        with storage.transaction(app_ctx.sessions) as session:
            counts = seed_topics(session, file, actor=actor_name(), overwrite=overwrite)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        raise UserError(f"cannot import topics: {exc}") from exc
    typer.echo(f"Topics: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged.")


@topics_app.command("set")
def topics_set(
    ctx: typer.Context,
    slug: str = typer.Argument(...),
    name: str | None = typer.Option(None, "--name"),
    description: str | None = typer.Option(None, "--description"),
    ministry: str | None = typer.Option(None, "--ministry"),
    keywords: str | None = typer.Option(None, "--keywords", help="Comma-separated; replaces the list."),
    priority: int | None = typer.Option(None, "--priority", help="1 (low) .. 5 (high)."),
    enabled: bool | None = typer.Option(None, "--enable/--disable"),
) -> None:
    """Edit a topic (recorded in the audit log)."""
    changes = {k: v for k, v in {"name": name, "description": description, "ministry": ministry, "keywords": keywords,
                                 "priority": priority, "enabled": enabled}.items() if v is not None}
    if not changes:
        raise UserError("nothing to change: give at least one option")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        topic = topic_store.update_topic(session, slug, changes, actor=actor_name())
        typer.echo(f"Updated topic {topic.slug}: {', '.join(sorted(changes))}")

"""``waakhond narratives ...``: flagged items grouped by the claim they carry.

list | show ID | rename ID TITLE | merge SOURCE TARGET | split ID ITEM... | close ID | reopen ID
| rebuild --yes | run (place pending items now, and optionally the merge pass)
"""

from __future__ import annotations

import json
from datetime import datetime

import typer

import storage
from classifier.narratives import runner as narrative_runner
from storage.read_models import narratives as views
from storage.repositories import narratives as repo
from waakhond.cli.main_support import actor_name, context_of
from waakhond.errors import UserError

narratives_app = typer.Typer(help="Narratives: flagged items grouped by the claim they carry.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(narratives_app, name="narratives")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _context(ctx: typer.Context):
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    return app_ctx


@narratives_app.command("list")
def list_(
    ctx: typer.Context,
    status: str = typer.Option("open", "--status", help="open, closed, merged or all."),
    topic: str | None = typer.Option(None, "--topic", help="Only narratives with this topic slug."),
    min_items: int | None = typer.Option(None, "--min-items", help="Default: narratives.min_items."),
    limit: int = typer.Option(50, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List narratives, most recently active first."""
    if status not in ("open", "closed", "merged", "all"):
        raise UserError(f"unknown status {status!r}: use open, closed, merged or all")
    app_ctx = _context(ctx)
    minimum = app_ctx.settings.narratives.min_items if min_items is None else min_items
    with app_ctx.read_sessions() as session:
        rows = views.list_narratives(session, status=None if status == "all" else status, min_items=minimum,
                                     topic=topic, limit=limit)
    if as_json:
        typer.echo(json.dumps([_as_dict(r) for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No narratives.")
    for r in rows:
        typer.echo(f"{r.id:>6}  {r.status:<7} {r.item_count:>4} items {r.source_count:>3} sources  "
                   f"last {r.last_seen:%Y-%m-%d %H:%M}  {r.title}")


def _as_dict(r: views.NarrativeView) -> dict:
    return {
        "id": r.id, "title": r.title, "status": r.status, "representative_sentence": r.representative_sentence,
        "representative_item_id": r.representative_item_id, "topics": r.topics, "item_count": r.item_count,
        "source_count": r.source_count, "first_seen": _iso(r.first_seen), "last_seen": _iso(r.last_seen),
        "merged_into": r.merged_into, "auto_merge": r.auto_merge, "renamed_by": r.renamed_by,
    }


@narratives_app.command("show")
def show(ctx: typer.Context, narrative_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """A narrative with its items, sources and debunks."""
    app_ctx = _context(ctx)
    with app_ctx.read_sessions() as session:
        detail = views.narrative_detail(session, narrative_id)
    data = {
        **_as_dict(detail.narrative),
        "sources": [{"name": n, "items": c} for n, c in detail.sources],
        "debunks": [{"fact_check_id": d.fact_check_id, "publisher": d.publisher, "url": d.url, "claim": d.claim,
                     "rating": d.rating, "matched_items": d.matched_items} for d in detail.debunks],
        "items": [{"item_id": m.item_id, "title": m.title, "url": m.url, "source": m.source_name,
                   "seen_at": _iso(m.seen_at), "similarity": round(m.similarity, 4)} for m in detail.members],
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    n = detail.narrative
    typer.echo(f"Narrative {n.id} ({n.status}): {n.title}")
    typer.echo(f"  claim:   {n.representative_sentence or '-'}")
    typer.echo(f"  topics:  {', '.join(n.topics) or '-'}")
    typer.echo(f"  items:   {n.item_count} from {n.source_count} sources, {_iso(n.first_seen)} .. {_iso(n.last_seen)}")
    for d in data["debunks"]:
        typer.echo(f"  debunk:  {d['publisher']} ({d['rating']}): {d['url']}")
    for m in data["items"]:
        typer.echo(f"  item {m['item_id']:>7}  {m['seen_at'][:16]}  {m['source']}: {m['title']}")


def _change(ctx: typer.Context, action, *args) -> object:
    app_ctx = _context(ctx)
    with storage.transaction(app_ctx.sessions) as session:
        result = action(session, *args, actor_name())
    narrative_runner.refresh_stale(app_ctx.sessions, app_ctx.settings.narratives)
    return result


@narratives_app.command("rename")
def rename(ctx: typer.Context, narrative_id: int = typer.Argument(...), title: str = typer.Argument(...)) -> None:
    """Give a narrative a title of your own (it no longer follows its claim sentence)."""
    _change(ctx, repo.rename_narrative, narrative_id, title)
    typer.echo(f"Narrative {narrative_id} renamed.")


@narratives_app.command("merge")
def merge(ctx: typer.Context, source_id: int = typer.Argument(...), target_id: int = typer.Argument(...)) -> None:
    """Move every item of SOURCE into TARGET."""
    _change(ctx, repo.merge_narratives, source_id, target_id)
    typer.echo(f"Narrative {source_id} merged into {target_id}.")


@narratives_app.command("split")
def split(
    ctx: typer.Context,
    narrative_id: int = typer.Argument(...),
    item_ids: list[int] = typer.Argument(..., help="Items that form the new narrative."),
    title: str | None = typer.Option(None, "--title"),
) -> None:
    """Move ITEM_IDS out of a narrative into a new one (both are then never merged automatically)."""
    app_ctx = _context(ctx)
    with storage.transaction(app_ctx.sessions) as session:
        new = repo.split_narrative(session, narrative_id, item_ids, actor_name(), title=title)
        new_id = new.id
    narrative_runner.refresh_stale(app_ctx.sessions, app_ctx.settings.narratives)
    typer.echo(f"Split {len(item_ids)} item(s) off narrative {narrative_id} into narrative {new_id}.")


@narratives_app.command("close")
def close(ctx: typer.Context, narrative_id: int = typer.Argument(...)) -> None:
    """Close a narrative: new items no longer join it."""
    _change(ctx, repo.set_status, narrative_id, "closed")
    typer.echo(f"Narrative {narrative_id} closed.")


@narratives_app.command("reopen")
def reopen(ctx: typer.Context, narrative_id: int = typer.Argument(...)) -> None:
    """Reopen a closed narrative."""
    _change(ctx, repo.set_status, narrative_id, "open")
    typer.echo(f"Narrative {narrative_id} reopened.")


@narratives_app.command("run")
def run(ctx: typer.Context, merge_pass: bool = typer.Option(False, "--merge", help="Also run the merge pass.")) -> None:
    """Place flagged items that have no narrative yet (what the service does every cycle)."""
    app_ctx = _context(ctx)
    report = narrative_runner.run_step(app_ctx.sessions, app_ctx.settings.narratives)
    if merge_pass:
        report.merged = narrative_runner.merge_pass(app_ctx.sessions, app_ctx.settings.narratives).merged
    if report.waiting_for_background:
        typer.echo(f"Waiting: narratives start once {app_ctx.settings.narratives.min_background_items} items "
                   "have embeddings (run `waakhond classify`).")
    typer.echo(json.dumps(report.as_dict()))


@narratives_app.command("rebuild")
def rebuild(ctx: typer.Context, yes: bool = typer.Option(False, "--yes", help="Confirm: analysts' edits are lost.")) -> None:
    """Delete every narrative (renames, splits and merges too) and group all flagged items again."""
    if not yes:
        raise UserError("rebuild deletes every narrative and the analysts' edits: add --yes to confirm")
    app_ctx = _context(ctx)
    report = narrative_runner.rebuild(app_ctx.sessions, app_ctx.settings.narratives, actor_name())
    typer.echo(f"Rebuilt: {report.placed} items in {report.new_narratives - report.merged} narratives "
               f"({report.merged} merged).")

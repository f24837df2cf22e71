"""``waakhond api``: the read-only HTTP API; ``waakhond tokens add|list|revoke``: its tokens."""

from __future__ import annotations

import json
from collections.abc import Sequence

import typer

import storage
from api import ApiContext, GuidanceLink
from storage.repositories import api_tokens
from storage.schema import API_TOKEN_ROLES, utcnow
from waakhond.cli.main_support import actor_name, context_of
from waakhond.context import AppContext

tokens_app = typer.Typer(help="API tokens (who may read the HTTP API, and with which role).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("api")(serve)
    app.add_typer(tokens_app, name="tokens")


def guidance_provider():
    """The guidance file (topic pages and isdatechtzo.nl), read once; a broken file
    gives no links rather than refusing the signal itself."""
    try:
        guidance = storage.load_guidance()
    except storage.GuidanceError:
        return lambda slugs: []

    def links(slugs: Sequence[str]) -> list[GuidanceLink]:
        return [GuidanceLink(link.title, link.url, link.topic) for link in guidance.links_for(list(slugs))]

    return links


def api_context(app_ctx: AppContext) -> ApiContext:
    return ApiContext(settings=app_ctx.settings.api, sessions=app_ctx.sessions, read_sessions=app_ctx.read_sessions,
                      guidance_for=guidance_provider())


def serve(
    ctx: typer.Context,
    port: int | None = typer.Option(None, "--port", min=1, max=65_535, help="Port (default: api.port)."),
    host: str | None = typer.Option(None, "--host", help="Address (default: api.host)."),
) -> None:
    """Serve the read-only HTTP API (/api/v1, OpenAPI docs at /api/v1/docs)."""
    import uvicorn

    from api import create_app

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    settings = app_ctx.settings.api
    host, port = host or settings.host, port or settings.port
    typer.echo(f"API at http://{host}:{port}/api/v1 (docs at /api/v1/docs; Ctrl-C stops it)")
    # no access log: feed URLs carry their token as ?token=, and a log is where URLs end up
    uvicorn.run(create_app(api_context(app_ctx)), host=host, port=port, log_level="warning", access_log=False,
                server_header=False, proxy_headers=False)


@tokens_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Who or what uses the token, e.g. team-stikstof."),
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(API_TOKEN_ROLES)}."),
    expires: int | None = typer.Option(
        None, "--expires", help="Days until it expires (default: api.token_default_expiry_days; 0: never)."),
) -> None:
    """Create a token. It is printed once: store it now, Waakhond keeps only its hash."""
    api_tokens.validate_token_name(name)
    api_tokens.validate_token_role(role)
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    days = app_ctx.settings.api.token_default_expiry_days if expires is None else expires
    with storage.transaction(app_ctx.sessions) as session:
        new = api_tokens.create_token(session, name, role, actor_name(), days)
    until = new.view.expires_at.date().isoformat() if new.view.expires_at else "never"
    typer.echo(f"Created API token {new.view.name} ({new.view.role}, expires: {until}). "
               "It is shown only now:", err=True)
    typer.echo(new.token)


@tokens_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List tokens (name, role, state, prefix, last use); never the tokens themselves."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    now = utcnow()
    with app_ctx.read_sessions() as session:
        views = api_tokens.list_tokens(session)
    rows = [{
        "name": v.name, "role": v.role, "state": v.state(now), "prefix": v.prefix,
        "created_at": v.created_at.isoformat(), "created_by": v.created_by,
        "expires_at": v.expires_at.isoformat() if v.expires_at else None,
        "revoked_at": v.revoked_at.isoformat() if v.revoked_at else None,
        "last_used_at": v.last_used_at.isoformat() if v.last_used_at else None,
    } for v in views]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No API tokens.")
    for r in rows:
        used = r["last_used_at"][:16] if r["last_used_at"] else "never used"
        typer.echo(f"{r['name']:<24} {r['role']:<8} {r['state']:<8} {r['prefix']}...  {used}")


@tokens_app.command("revoke")
def revoke(ctx: typer.Context, name: str = typer.Argument(..., help="The token's name.")) -> None:
    """Revoke a token: its next request is refused (401)."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        view = api_tokens.revoke_token(session, name, actor_name())
    typer.echo(f"Revoked API token {view.name} ({view.role}).")

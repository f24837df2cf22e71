"""``waakhond alerts ...``: channels, rules, history, and evaluating the rules once.

channels add NAME KIND (--url URL | --to ADDRESS...) [--format adaptive|messagecard]
channels list | remove NAME | test NAME
rules add NAME KIND --channel NAME [--param key=value ...] [--cooldown 6h]
rules list | remove NAME
history [--limit N]
evaluate
"""

from __future__ import annotations

import json

import typer

import storage
from alerts import (
    RULE_PARAMS,
    AlertDeliveryError,
    AlertMessage,
    ChannelConfigError,
    RuleError,
    dashboard_base_url,
    dashboard_link,
    deliver,
    evaluate_and_send,
    masked_config,
    validate_config,
    validate_params,
)
from storage.repositories import CHANNEL_KINDS, RULE_KINDS
from storage.repositories import alerts as repo
from waakhond.briefing_maker import scheduled_maker
from waakhond.cli.main_support import actor_name, context_of
from waakhond.cli.params import format_duration, parse_duration
from waakhond.errors import EXIT_FAILED, UserError

alerts_app = typer.Typer(help="Alerts: channels, rules and their history.", no_args_is_help=True)
channels_app = typer.Typer(help="Where alerts go: e-mail, webhook, Teams, Slack, Mattermost.", no_args_is_help=True)
rules_app = typer.Typer(help="When alerts go out.", no_args_is_help=True)
alerts_app.add_typer(channels_app, name="channels")
alerts_app.add_typer(rules_app, name="rules")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def _context(ctx: typer.Context):
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    return app_ctx


def dashboard_url(settings) -> str:
    return dashboard_base_url(settings.alerts, settings.dashboard.public_url, settings.dashboard.host,
                              settings.dashboard.port)


# ----------------------------------------------------------------------------- channels
@channels_app.command("add")
def channel_add(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    kind: str = typer.Argument(..., help=f"One of: {', '.join(CHANNEL_KINDS)}."),
    url: str | None = typer.Option(None, "--url", help="Webhook URL (webhook, teams, slack, mattermost)."),
    to: list[str] | None = typer.Option(None, "--to", help="E-mail address (repeat for more)."),
    card_format: str = typer.Option("adaptive", "--format", help="Teams: adaptive or messagecard."),
) -> None:
    """Add a channel."""
    config: dict = {"to": list(to or [])} if kind == "email" else {"url": url or ""}
    if kind == "teams":
        config["format"] = card_format
    try:
        config = validate_config(kind, config)
    except ChannelConfigError as exc:
        raise UserError(str(exc)) from exc
    app_ctx = _context(ctx)
    with storage.transaction(app_ctx.sessions) as session:
        row = repo.add_channel(session, name, kind, config, actor_name())
        typer.echo(f"Added {kind} channel {row.name} (id {row.id}).")


@channels_app.command("list")
def channel_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List channels (webhook URLs are secrets: only their host is shown)."""
    app_ctx = _context(ctx)
    with app_ctx.read_sessions() as session:
        rows = [{"id": c.id, "name": c.name, "kind": c.kind, "enabled": c.enabled, "config": masked_config(c.kind, c.config)}
                for c in repo.list_channels(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['id']:>4}  {r['name']:<24} {r['kind']:<10} {json.dumps(r['config'], ensure_ascii=False)}")


@channels_app.command("remove")
def channel_remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove a channel and the rules that use it."""
    app_ctx = _context(ctx)
    with storage.transaction(app_ctx.sessions) as session:
        repo.remove_channel(session, name, actor_name())
    typer.echo(f"Channel {name} removed.")


@channels_app.command("test")
def channel_test(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Send a test alert to a channel now (exit 1 when it fails)."""
    app_ctx = _context(ctx)
    with app_ctx.read_sessions() as session:
        channel = repo.get_channel(session, name)
        kind, config = channel.kind, dict(channel.config)
    message = AlertMessage(
        kind="test", subject="Waakhond: testbericht",
        lines=("Dit is een testbericht van Waakhond. Dit kanaal is goed ingesteld.",),
        link=dashboard_link(dashboard_url(app_ctx.settings), "overzicht"),
    )
    try:
        deliver(kind, config, message, app_ctx.settings.alerts)
    except AlertDeliveryError as exc:
        typer.echo(f"waakhond: test alert to {name} failed: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    typer.echo(f"Test alert sent to {name}.")


# ----------------------------------------------------------------------------- rules
def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"not a key=value parameter: {pair!r}")
        params[key.strip()] = value.strip()
    return params


@rules_app.command("add")
def rule_add(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    kind: str = typer.Argument(..., help=f"One of: {', '.join(RULE_KINDS)}."),
    channel: str = typer.Option(..., "--channel", help="Channel name or id."),
    param: list[str] | None = typer.Option(None, "--param", help="key=value; see `alerts rules kinds`."),
    cooldown: str | None = typer.Option(None, "--cooldown", help="e.g. 30m, 6h. Default: alerts.default_cooldown_minutes."),
) -> None:
    """Add a rule that sends to a channel."""
    try:
        params = validate_params(kind, _params(param or []))
        seconds = parse_duration(cooldown) if cooldown else None
    except (RuleError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    app_ctx = _context(ctx)
    seconds = app_ctx.settings.alerts.default_cooldown_minutes * 60 if seconds is None else seconds
    with storage.transaction(app_ctx.sessions) as session:
        row = repo.add_rule(session, name, kind, channel, params, seconds, actor_name())
        typer.echo(f"Added rule {row.name} ({kind}, cooldown {format_duration(seconds) if seconds else '0s'}).")


@rules_app.command("kinds")
def rule_kinds() -> None:
    """The rule kinds and their parameters (with defaults)."""
    for kind, spec in RULE_PARAMS.items():
        params = ", ".join(f"{k}={d}" for k, (_, d) in spec.items()) or "-"
        typer.echo(f"{kind:<18} {params}")


@rules_app.command("list")
def rule_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List rules."""
    app_ctx = _context(ctx)
    with app_ctx.read_sessions() as session:
        channels = {c.id: c.name for c in repo.list_channels(session)}
        rows = [{"id": r.id, "name": r.name, "kind": r.kind, "channel": channels.get(r.channel_id), "params": r.params,
                 "cooldown_seconds": r.cooldown_seconds, "enabled": r.enabled} for r in repo.list_rules(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['id']:>4}  {r['name']:<24} {r['kind']:<18} -> {r['channel']:<16} "
                   f"{json.dumps(r['params'], ensure_ascii=False)}")


@rules_app.command("remove")
def rule_remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Remove a rule."""
    app_ctx = _context(ctx)
    with storage.transaction(app_ctx.sessions) as session:
        repo.remove_rule(session, name, actor_name())
    typer.echo(f"Rule {name} removed.")


# ----------------------------------------------------------------------------- history, evaluate
@alerts_app.command("history")
def history(ctx: typer.Context, limit: int = typer.Option(50, "--limit", min=1), as_json: bool = typer.Option(False, "--json")) -> None:
    """Alerts sent or failed, newest first."""
    app_ctx = _context(ctx)
    with app_ctx.read_sessions() as session:
        rows = [{"id": a.id, "at": a.created_at.isoformat(), "status": a.status, "rule_id": a.rule_id,
                 "channel_id": a.channel_id, "key": a.dedup_key, "subject": a.subject, "error": a.error}
                for a in repo.alert_history(session, limit)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        error = f"  [{r['error']}]" if r["error"] else ""
        typer.echo(f"{r['at'][:19]}  {r['status']:<6} {r['subject']}{error}")


@alerts_app.command("evaluate")
def evaluate(ctx: typer.Context) -> None:
    """Evaluate every rule once and send what is due (exit 1 when a delivery failed)."""
    app_ctx = _context(ctx)
    settings = app_ctx.settings
    report = evaluate_and_send(app_ctx.sessions, settings.alerts, settings.narratives, dashboard_url(settings),
                               briefing_maker=scheduled_maker(app_ctx))
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    if report.failed:
        raise typer.Exit(EXIT_FAILED)

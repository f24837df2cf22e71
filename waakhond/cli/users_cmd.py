"""``waakhond users ...``: dashboard accounts and roles (viewer, analyst, operator, admin)."""

from __future__ import annotations

import json
import sys

import typer

import storage
from storage.repositories import users as repo
from storage.schema import ROLES
from waakhond.cli.main_support import actor_name, context_of
from waakhond.errors import UserError

users_app = typer.Typer(help="Dashboard users and their roles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def _password(password_stdin: bool, prompt: str) -> str:
    if password_stdin:
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            raise UserError("no password on standard input")
        return value
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: str = typer.Option("viewer", "--role", help=f"One of: {', '.join(ROLES)}."),
    display_name: str | None = typer.Option(None, "--name", help="Full name shown in the dashboard."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add a user. The password is asked for (or read from stdin), and stored as an argon2 hash."""
    repo.validate_role(role)
    repo.validate_username(username)
    password = _password(password_stdin, "Password")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        user = repo.add_user(session, username, password, role, actor_name(), display_name)
        typer.echo(f"Added user {user.username} ({user.role}).")


@users_app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """List users with their roles."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        rows = [
            {
                "username": u.username, "role": u.role, "enabled": u.enabled, "display_name": u.display_name,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in repo.list_users(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        state = "" if r["enabled"] else "  (disabled)"
        typer.echo(f"{r['username']:<24} {r['role']:<9}{state}")


@users_app.command("set-role")
def set_role(ctx: typer.Context, username: str = typer.Argument(...), role: str = typer.Argument(...)) -> None:
    """Change a user's role."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        user = repo.set_role(session, username, role, actor_name())
        typer.echo(f"User {user.username} is now {user.role}.")


@users_app.command("disable")
def disable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Disable a user; they can no longer log in."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        repo.set_enabled(session, username, False, actor_name())
    typer.echo(f"User {username} disabled.")


@users_app.command("enable")
def enable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Enable a disabled user again."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        repo.set_enabled(session, username, True, actor_name())
    typer.echo(f"User {username} enabled.")


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a user's password."""
    password = _password(password_stdin, "New password")
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        repo.set_password(session, username, password, actor_name())
    typer.echo(f"Password of {username} changed.")

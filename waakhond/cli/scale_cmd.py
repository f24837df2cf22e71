"""``waakhond worker`` and ``waakhond scheduler``: the scale-out processes (a Redis broker
in ``broker_url``). ``waakhond run`` with a broker is the scheduler too."""

from __future__ import annotations

import os
import socket

import typer

from waakhond.cli.main_support import context_of
from waakhond.errors import EnvironmentProblem, UserError

QUEUE_NAMES = ("fetch", "classify", "match")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)


def _require_broker(app_ctx) -> None:
    if not app_ctx.settings.broker_url:
        raise UserError("no broker configured: set WAAKHOND_BROKER_URL=redis://host:6379/0 (scale-out mode)")
    try:
        import celery  # noqa: F401
    except ImportError as exc:
        raise EnvironmentProblem("scale-out needs Celery: pip install 'waakhond[scale]'") from exc


def parse_queues(text: str) -> list[str]:
    queues = [q.strip() for q in text.split(",") if q.strip()]
    unknown = [q for q in queues if q not in QUEUE_NAMES]
    if not queues or unknown:
        raise UserError(f"unknown queue {', '.join(unknown) or text!r}: use one or more of {', '.join(QUEUE_NAMES)}")
    return queues


def worker(
    ctx: typer.Context,
    queues: str = typer.Option(..., "--queues", "-Q", help="Comma-separated: fetch, classify, match."),
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-c", min=1,
        help="Tasks at once. Default: scale.fetch_concurrency for fetch, else scale.classify_concurrency.",
    ),
    metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve /metrics here (overrides the setting)."),
) -> None:
    """Run a Celery worker on the given queues until SIGTERM (finishes its tasks first)."""
    app_ctx = context_of(ctx)
    _require_broker(app_ctx)
    chosen = parse_queues(queues)
    app_ctx.require_database()
    scale = app_ctx.settings.scale
    threads = concurrency or (scale.fetch_concurrency if chosen == ["fetch"] else scale.classify_concurrency)
    from waakhond.metrics import start_metrics_server
    from waakhond.workers.celery_app import create_celery_app
    from waakhond.workers.runtime import close_runtime, install_runtime

    install_runtime(app_ctx)
    metrics = start_metrics_server(_metrics_settings(app_ctx, metrics_port))
    celery = create_celery_app(app_ctx.settings)
    # One process per worker, so its metrics and its caches (encoder, HTTP client) are one:
    # threads when it runs several tasks at once (fetches wait on the network, torch releases
    # the GIL), else the solo pool.
    pool = "threads" if threads > 1 else "solo"
    name = f"{'-'.join(chosen)}-{os.getpid()}@{socket.gethostname()}"
    argv = ["worker", "--queues", ",".join(chosen), "--concurrency", str(threads), "--pool", pool,
            "--hostname", name, "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", app_ctx.settings.log_level]
    try:
        celery.worker_main(argv)
    finally:
        close_runtime()
        if metrics is not None:
            metrics.stop()


def scheduler(
    ctx: typer.Context,
    metrics_port: int | None = typer.Option(None, "--metrics-port", help="Serve /metrics here (overrides the setting)."),
) -> None:
    """Run the scale-out scheduler until SIGTERM: one leads and enqueues, others stand by."""
    app_ctx = context_of(ctx)
    _require_broker(app_ctx)
    app_ctx.require_database()
    from waakhond.workers.scheduler import run_scheduler

    run_scheduler(app_ctx, _metrics_settings(app_ctx, metrics_port))


def _metrics_settings(app_ctx, port: int | None):
    """The metrics section, switched on at ``port`` when the command line names one."""
    settings = app_ctx.settings.metrics
    return settings if port is None else settings.model_copy(update={"enabled": True, "port": port})

"""The Celery app: three queues on the Redis broker named by ``broker_url``.

    late acknowledgement    a message is acknowledged after its task finished; a worker that
                            dies mid-task leaves it unacknowledged, and Redis hands it out again
                            after scale.visibility_timeout_seconds (prefork children lost:
                            rejected and requeued at once)
    prefetch 1              a worker holds no more messages than it runs
    no result backend       results live in the database; the broker only carries work

``celery -A waakhond.workers.celery_app worker -Q fetch`` works too (settings from the
environment); ``waakhond worker`` is the same with sensible pools.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from waakhond.settings import Settings
from waakhond.workers import tasks

#: The task bodies, registered under their stable names (the scheduler sends them by name).
TASK_BODIES = {tasks.FETCH_TASK: tasks.fetch_source, tasks.CLASSIFY_TASK: tasks.classify_batch,
               tasks.STEP_TASK: tasks.run_step}


def create_celery_app(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("broker_url is not set (WAAKHOND_BROKER_URL=redis://...)")
    scale = settings.scale
    app = Celery("waakhond", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_store_errors_even_if_ignored=False,
        task_serializer="json",
        accept_content=["json"],
        # Each queue its own direct exchange and routing key: a bare Queue(name) would bind all
        # three to the default queue's exchange and key, and every message would land in all.
        task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in tasks.QUEUES],
        task_default_queue=tasks.MATCH_QUEUE,
        task_default_exchange=tasks.MATCH_QUEUE,
        task_default_routing_key=tasks.MATCH_QUEUE,
        task_routes={name: {"queue": queue} for name, queue in tasks.TASK_QUEUES.items()},
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": scale.visibility_timeout_seconds,
            "unacked_restore_interval": scale.redelivery_scan_seconds,
            # scan on every interval (the default scans on every tenth)
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    for name, body in TASK_BODIES.items():
        app.task(name=name, bind=True, acks_late=True, reject_on_worker_lost=True)(body)
    return app


@cache
def _environment_app() -> Celery:
    return create_celery_app(Settings())


def __getattr__(name: str) -> Any:
    """``celery -A waakhond.workers.celery_app`` finds ``app``, built from the environment."""
    if name == "app":
        return _environment_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

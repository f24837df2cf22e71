"""Delivery of a task's work: retries with exponential backoff, then a dead letter.

    work() raises  -> attempts left: Celery retries the task after retry_delay(attempt)
                      (a new message; the current one is acknowledged)
                   -> last attempt:  one ``dead_letters`` row (task, arguments, error, attempts,
                      source), the metric, and the task ends (acknowledged: nothing loops)

A failed fetch of a feed is not an error here: the collector stores it as a failed
``fetch_runs`` row and schedules the source's own backoff. What reaches this module is the
infrastructure failing (database away, a broken model folder on one worker, a bug).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import storage
from storage.repositories import DeadLetterRecord, record_dead_letter
from waakhond.metrics import record_dead_letter as count_dead_letter
from waakhond.metrics import record_task
from waakhond.workers.planning import retry_delay
from waakhond.workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)


def deliver(
    task: Any,
    runtime: WorkerRuntime,
    work: Callable[[], dict[str, Any]],
    *,
    arguments: dict[str, Any],
    source_id: int | None = None,
) -> dict[str, Any]:
    """Run ``work`` for the bound Celery ``task``; see the module docstring."""
    name = task.name
    settings = runtime.app.settings.scale
    try:
        result = work()
    except Exception as exc:
        attempt = int(task.request.retries or 0)
        if attempt < settings.task_retries:
            delay = retry_delay(attempt, settings.retry_backoff_seconds, settings.retry_backoff_max_seconds)
            log.warning("task failed, retrying", extra={"task": name, "attempt": attempt + 1, "retry_in": delay,
                                                        "error": f"{type(exc).__name__}: {exc}"})
            record_task(name, "retry")
            raise task.retry(exc=exc, countdown=delay, max_retries=settings.task_retries) from exc
        record_task(name, "dead_letter")
        count_dead_letter(name)
        _store_dead_letter(runtime, task, name, arguments, source_id, attempt + 1)
        return {"dead_letter": True}
    record_task(name, "ok")
    return result


def _store_dead_letter(
    runtime: WorkerRuntime, task: Any, name: str, arguments: dict[str, Any], source_id: int | None, attempts: int
) -> None:
    error = traceback.format_exc()
    log.error("task gave up after its retries: dead letter", extra={"task": name, "attempts": attempts,
                                                                    "arguments": arguments})
    record = DeadLetterRecord(name, task.request.id, arguments, error, attempts, source_id)
    try:
        with storage.transaction(runtime.app.sessions) as session:
            record_dead_letter(session, record)
    except Exception:  # the database itself is the failure: the log line above is all we have
        log.exception("storing the dead letter failed", extra={"task": name})

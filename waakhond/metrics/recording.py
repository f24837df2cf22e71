"""The process's counters and histograms, and the functions the pipeline calls to update them."""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    import prometheus_client
except ImportError:  # the `scale` extra is not installed: metrics are off
    prometheus_client = None

if TYPE_CHECKING:
    from classifier.scoring import ClassifyReport
    from collector import SourceOutcome

#: Classification run durations: from a handful of items on a GPU to a full CPU batch of long pages.
CLASSIFICATION_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
#: Items per classification run.
BATCH_ITEMS_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


def metrics_available() -> bool:
    return prometheus_client is not None


if prometheus_client is not None:
    FETCHES = prometheus_client.Counter("waakhond_fetches", "Feed and page fetches, by outcome.", ["status"])
    ITEMS_COLLECTED = prometheus_client.Counter("waakhond_items_collected", "New items stored by the collector.")
    ITEMS_CLASSIFIED = prometheus_client.Counter("waakhond_items_classified", "Items scored by the classifier.")
    ITEMS_FLAGGED = prometheus_client.Counter("waakhond_items_flagged", "Items the classifier flagged.")
    CLASSIFICATION_SECONDS = prometheus_client.Histogram(
        "waakhond_classification_seconds", "Wall time of one classification run (score and store).",
        buckets=CLASSIFICATION_SECONDS_BUCKETS,
    )
    BATCH_ITEMS = prometheus_client.Histogram(
        "waakhond_classification_batch_items", "Items scored per classification run.", buckets=BATCH_ITEMS_BUCKETS
    )
    TASKS = prometheus_client.Counter("waakhond_tasks", "Worker tasks, by task and outcome.", ["task", "outcome"])
    DEAD_LETTERS = prometheus_client.Counter("waakhond_dead_letters", "Tasks given up after their retries.", ["task"])


def record_fetch(outcome: SourceOutcome) -> None:
    if prometheus_client is None:
        return
    FETCHES.labels(outcome.status).inc()
    if outcome.items_new:
        ITEMS_COLLECTED.inc(outcome.items_new)


def record_classification(report: ClassifyReport) -> None:
    """One classification run that scored something."""
    if prometheus_client is None or not report.scored:
        return
    ITEMS_CLASSIFIED.inc(report.scored)
    ITEMS_FLAGGED.inc(report.flagged)
    CLASSIFICATION_SECONDS.observe(report.seconds)
    BATCH_ITEMS.observe(report.scored)


def record_task(task: str, outcome: str) -> None:
    if prometheus_client is not None:
        TASKS.labels(task, outcome).inc()


def record_dead_letter(task: str) -> None:
    if prometheus_client is not None:
        DEAD_LETTERS.labels(task).inc()

"""Prometheus metrics of the service, the scale-out scheduler and the workers.

    counters     waakhond_fetches_total{status}, waakhond_items_collected_total,
                 waakhond_items_classified_total, waakhond_items_flagged_total,
                 waakhond_tasks_total{task,outcome}, waakhond_dead_letters_total{task}
    histogram    waakhond_classification_seconds (one classify run: a task's batch, or an
                 embedded step that scored something), waakhond_classification_batch_items
    gauges       (read when scraped, by the service or the scheduler)
                 waakhond_queue_depth{queue}            Redis LLEN of fetch, classify, match
                 waakhond_source_newest_item_age_seconds{source_id,source}
                 waakhond_scheduler_leader               1 while this scheduler is the leader

The record functions are called from the shared pipeline functions, so the embedded service
and the workers count the same things. ``prometheus-client`` is an optional dependency (the
``scale`` extra): without it the record functions do nothing and ``start_metrics_server``
refuses to start with a clear message.
"""

from waakhond.metrics.recording import (
    metrics_available,
    record_classification,
    record_dead_letter,
    record_fetch,
    record_task,
)
from waakhond.metrics.server import start_metrics_server
from waakhond.metrics.settings import MetricsSettings

__all__ = [
    "MetricsSettings",
    "metrics_available",
    "record_classification",
    "record_dead_letter",
    "record_fetch",
    "record_task",
    "start_metrics_server",
]

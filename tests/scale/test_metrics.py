"""The /metrics endpoint, scraped over HTTP: queue depth from the real Redis, the age of each
source's newest item from the database, leadership, and the counters the pipeline records."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

import storage
from classifier.scoring.score import ClassifyReport
from collector.pipeline import SourceOutcome
from storage.schema import Source, utcnow
from waakhond.metrics import record_classification, record_fetch, start_metrics_server
from waakhond.metrics.settings import MetricsSettings

pytestmark = pytest.mark.redis
QUEUES = ("fetch", "classify", "match")


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted labels): value}`` of one real scrape."""
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    response.raise_for_status()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_endpoint_reports_queues_freshness_leadership_and_pipeline_counters(db, redis_url) -> None:
    with storage.transaction(db.sessions) as session:
        fresh = Source(url="https://fresh.example/rss", name="Vers", last_new_item_at=utcnow() - timedelta(hours=2))
        quiet = Source(url="https://quiet.example/rss", name="Stil")
        session.add_all([fresh, quiet])
        session.flush()
        fresh_id = fresh.id
    broker = redis.Redis.from_url(redis_url)
    broker.lpush("fetch", "a", "b")
    broker.lpush("classify", "c")
    server = start_metrics_server(
        MetricsSettings(enabled=True), read_sessions=db.read_sessions, broker_url=redis_url, queues=QUEUES,
        is_leader=lambda: True, port=0,
    )
    try:
        before = scrape(server.port)
        assert [value(before, "waakhond_queue_depth", queue=q) for q in QUEUES] == [2, 1, 0]
        age = value(before, "waakhond_source_newest_item_age_seconds", source_id=str(fresh_id), source="Vers")
        assert timedelta(hours=2) <= timedelta(seconds=age) < timedelta(hours=3)
        assert not any(labels and dict(labels).get("source") == "Stil" for _, labels in before)  # no item yet
        assert value(before, "waakhond_scheduler_leader") == 1

        record_fetch(SourceOutcome(fresh_id, "https://fresh.example/rss", "ok", items_seen=5, items_new=3))
        record_fetch(SourceOutcome(fresh_id, "https://fresh.example/rss", "failed", error_kind="timeout"))
        record_classification(ClassifyReport("v1", "pending", scored=5, flagged=2, batches=1, seconds=0.3))
        after = scrape(server.port)
    finally:
        server.stop()
        broker.close()

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("waakhond_fetches_total", status="ok") == 1 and grew("waakhond_fetches_total", status="failed") == 1
    assert grew("waakhond_items_collected_total") == 3
    assert (grew("waakhond_items_classified_total"), grew("waakhond_items_flagged_total")) == (5, 2)
    assert grew("waakhond_classification_seconds_count") == 1
    assert grew("waakhond_classification_seconds_bucket", le="0.5") == 1  # 0.3 s falls in the 0.5 s bucket
    assert grew("waakhond_classification_seconds_bucket", le="0.25") == 0


def test_a_second_server_in_one_process_and_a_broker_away_still_serve(db) -> None:
    dead_broker = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    first = start_metrics_server(MetricsSettings(enabled=True), read_sessions=db.read_sessions, port=0)
    second = start_metrics_server(MetricsSettings(enabled=True), broker_url=dead_broker, queues=QUEUES, port=0)
    try:
        text = httpx.get(f"http://127.0.0.1:{first.port}/metrics", timeout=10).text
        assert "# TYPE waakhond_source_newest_item_age_seconds gauge" in text  # no source yet: no sample
        served = scrape(second.port)
        assert "process_cpu_seconds_total" in {name for name, _ in served}
        assert not any(name == "waakhond_queue_depth" for name, _ in served)  # no sample rather than a failure
    finally:
        first.stop()
        second.stop()


def test_metrics_are_off_unless_enabled(db) -> None:
    assert start_metrics_server(MetricsSettings(), read_sessions=db.read_sessions) is None

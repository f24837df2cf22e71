"""The /metrics endpoint, and the gauges read at scrape time (queue depth, item freshness,
leadership).

Gauges that come from shared state (Redis, the database) are exported by one kind of process
only, the service or the scheduler, so a dashboard does not add up copies from every worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from storage.read_models import signals
from storage.schema import utcnow
from waakhond.errors import EnvironmentProblem
from waakhond.metrics.recording import prometheus_client
from waakhond.metrics.settings import MetricsSettings

log = logging.getLogger(__name__)


class ProcessMetrics:
    """The counters and histograms of ``recording`` (this process's own)."""

    def collect(self):
        yield from prometheus_client.REGISTRY.collect()


class QueueDepthCollector:
    """``waakhond_queue_depth{queue}``: messages waiting in each Redis list (LLEN)."""

    def __init__(self, broker_url: str, queues: Sequence[str]) -> None:
        import redis

        self.client = redis.Redis.from_url(broker_url, socket_timeout=5)
        self.queues = list(queues)

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("waakhond_queue_depth", "Tasks waiting in a broker queue.", labels=["queue"])
        try:
            for queue in self.queues:
                family.add_metric([queue], float(self.client.llen(queue)))
        except Exception:  # the broker is away: no sample rather than a failing scrape
            log.warning("reading queue depths failed", exc_info=True)
            return
        yield family


class NewestItemAgeCollector:
    """``waakhond_source_newest_item_age_seconds{source_id,source}`` per enabled source that has
    brought an item (a source that never did has no sample)."""

    def __init__(self, read_sessions: sessionmaker[Session]) -> None:
        self.read_sessions = read_sessions

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "waakhond_source_newest_item_age_seconds", "Seconds since the source's newest item was collected.",
            labels=["source_id", "source"],
        )
        try:
            with self.read_sessions() as session:
                rows = signals.newest_item_per_source(session)
        except Exception:  # the database is away: no sample rather than a failing scrape
            log.warning("reading item freshness failed", exc_info=True)
            return
        now = utcnow()
        for row in rows:
            if row.newest_item_at is not None:
                family.add_metric([str(row.source_id), row.name], (now - row.newest_item_at).total_seconds())
        yield family


class LeaderCollector:
    """``waakhond_scheduler_leader``: 1 while this scheduler holds the leader lease."""

    def __init__(self, is_leader: Callable[[], bool]) -> None:
        self.is_leader = is_leader

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        yield GaugeMetricFamily("waakhond_scheduler_leader", "1 while this scheduler is the leader.",
                                value=1.0 if self.is_leader() else 0.0)


@dataclass
class MetricsServer:
    server: object
    thread: object
    port: int

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_metrics_server(
    settings: MetricsSettings,
    *,
    read_sessions: sessionmaker[Session] | None = None,
    broker_url: str | None = None,
    queues: Sequence[str] = (),
    is_leader: Callable[[], bool] | None = None,
    port: int | None = None,
) -> MetricsServer | None:
    """Serve /metrics when ``settings.enabled``; the shared-state gauges are added for the
    arguments given (``read_sessions``: freshness, ``broker_url``: queue depth, ``is_leader``)."""
    if not settings.enabled:
        return None
    if prometheus_client is None:
        raise EnvironmentProblem("metrics are enabled but prometheus-client is not installed: "
                                 "pip install 'waakhond[scale]' (or set WAAKHOND_METRICS__ENABLED=false)")
    # A registry of its own per server: the process's counters, plus the gauges asked for here
    # (registering those on the global registry would fail on a second server in one process).
    registry = prometheus_client.CollectorRegistry()
    registry.register(ProcessMetrics())
    if read_sessions is not None:
        registry.register(NewestItemAgeCollector(read_sessions))
    if broker_url:
        registry.register(QueueDepthCollector(broker_url, queues))
    if is_leader is not None:
        registry.register(LeaderCollector(is_leader))
    chosen = settings.port if port is None else port
    server, thread = prometheus_client.start_http_server(chosen, addr=settings.host, registry=registry)
    bound = server.server_port  # the port really bound (port 0: one the system chose)
    log.info("metrics served", extra={"host": settings.host, "port": bound, "path": "/metrics"})
    return MetricsServer(server, thread, bound)

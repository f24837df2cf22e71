"""The ``collect`` step, as both runtimes run it: the embedded step (every due source) and the
scale-out ``fetch`` task (one source, only while it is still due) call ``collect_sources``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from collector import Collector, CollectReport
from waakhond.metrics import record_fetch
from waakhond.pipeline.step import StepContext

log = logging.getLogger(__name__)


async def collect_step(context: StepContext) -> CollectReport:
    """Fetch every due source once (the per-source leases keep processes from colliding)."""
    return await collect_sources(context.collector, stop=context.async_stopping)


async def collect_sources(
    collector: Collector,
    *,
    stop: asyncio.Event | None = None,
    source_ids: Sequence[int] | None = None,
    only_due: bool = False,
) -> CollectReport:
    """Fetch the due sources (or those of ``source_ids``; with ``only_due`` only while they
    are due) once, counting every fetch in the metrics."""
    report = await collector.collect(source_ids, stop=stop, on_done=record_fetch, only_due=only_due)
    if report.outcomes:
        log.info(
            "collected",
            extra={"sources": len(report.outcomes), "new_items": report.items_new, **report.counts()},
        )
    return report

"""The task bodies. Each calls the function the embedded service's step calls:

    fetch_source(source_id)   collect_sources(..., [source_id], only_due=True)  queue fetch
                              (the step: collect_sources over every due source)
    classify_batch(item_ids)  classify_pending(app, ..., item_ids)               queue classify
                              (the step: classify_pending over every pending item)
    run_step(name)            the step's own function from pipeline_steps(app),  queue match
                              under its named lease when it is exclusive         (classify for
                                                                                  "classify")

Every body is idempotent: a fetch claims its source only while it is due and unleased; scores,
matches and aggregates are upserts. So a message delivered twice (a dead worker's message
restored, a new leader enqueueing again) changes nothing the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from waakhond.pipeline import classify_pending, held_step_lease, pipeline_steps
from waakhond.workers.delivery import deliver
from waakhond.workers.runtime import WorkerRuntime, current_runtime

log = logging.getLogger(__name__)

FETCH_TASK = "waakhond.fetch_source"
CLASSIFY_TASK = "waakhond.classify_batch"
STEP_TASK = "waakhond.run_step"
FETCH_QUEUE, CLASSIFY_QUEUE, MATCH_QUEUE = "fetch", "classify", "match"
QUEUES = (FETCH_QUEUE, CLASSIFY_QUEUE, MATCH_QUEUE)
#: Steps other than collect and classify (match, narratives, merge, aggregates, alerts) are
#: light database work after classification: they share the match queue.
STEP_QUEUES = {"classify": CLASSIFY_QUEUE}
TASK_QUEUES = {FETCH_TASK: FETCH_QUEUE, CLASSIFY_TASK: CLASSIFY_QUEUE, STEP_TASK: MATCH_QUEUE}


def queue_of_step(name: str) -> str:
    return STEP_QUEUES.get(name, MATCH_QUEUE)


def fetch_source(task: Any, source_id: int) -> dict[str, Any]:
    runtime = current_runtime()

    def work() -> dict[str, Any]:
        report = runtime.collect([source_id], only_due=True)
        return {"fetched": len(report.outcomes), "items_new": report.items_new, **report.counts()}

    return deliver(task, runtime, work, arguments={"source_id": source_id}, source_id=source_id)


def classify_batch(task: Any, item_ids: list[int]) -> dict[str, Any]:
    runtime = current_runtime()

    def work() -> dict[str, Any]:
        report = classify_pending(runtime.app, runtime.stopping.is_set, item_ids=list(item_ids))
        return {"scored": 0 if report is None else report.scored, "flagged": 0 if report is None else report.flagged}

    return deliver(task, runtime, work, arguments={"item_ids": list(item_ids)})


def run_step(task: Any, name: str) -> dict[str, Any]:
    runtime = current_runtime()
    return deliver(task, runtime, lambda: _run_named_step(runtime, name), arguments={"step": name})


def _run_named_step(runtime: WorkerRuntime, name: str) -> dict[str, Any]:
    steps = {s.name: s for s in pipeline_steps(runtime.app)}
    step = steps.get(name)
    if step is None:  # enqueued by a scheduler with other settings (e.g. alerts since disabled)
        log.warning("unknown step: nothing to run", extra={"step": name})
        return {"ran": False}
    if not step.exclusive:
        runtime.call_step(step)
        return {"ran": True}
    with held_step_lease(runtime.app.sessions, step, runtime.owner) as held:
        if not held:
            return {"ran": False}  # another process runs this step right now
        runtime.call_step(step)
    return {"ran": True}

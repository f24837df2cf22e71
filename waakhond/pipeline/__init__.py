"""The pipeline: the steps that turn fetched feeds into signals, and the rules both runtimes
share. It decides nothing about scheduling: the embedded service (``waakhond.service``) and the
Celery workers (``waakhond.workers``) each run these same steps.

    PipelineStep, StepContext      the step type and what a step gets (``step``)
    pipeline_steps(app)            the step list, in order (``steps``): collect, classify, match,
                                   aggregates, narratives, narrative_merge, alerts
    step modules                   one per step: ``collect``, ``classify``, ``match``,
                                   ``aggregates``, ``narratives``, ``alerts``
    step_lease_name / step_lease_seconds / renew_every_seconds
                                   the one lease rule of an exclusive step (``lease``, pure);
    acquire_step_lease / release_step_lease / held_step_lease
                                   taking and giving it back
    build_collector(app, owner)    the one way a process builds its ``Collector`` (``collector``)
    collect_sources, classify_pending, shared_encoder
                                   what the scale-out tasks call with their own arguments

Adding a step: a module here named by the step, with ``def my_step(context: StepContext)``
(or ``async def``); then one ``PipelineStep("my_step", my_step, interval)`` in ``steps``. A sync
step runs on a worker thread; it should check ``context.stopping.is_set()`` between batches.
"""

from waakhond.pipeline.classify import classify_pending
from waakhond.pipeline.collect import collect_sources
from waakhond.pipeline.collector import build_collector, with_claim_review_processor
from waakhond.pipeline.encoder import shared_encoder
from waakhond.pipeline.lease import (
    STEP_LEASE_PREFIX,
    acquire_step_lease,
    held_step_lease,
    release_step_lease,
    renew_every_seconds,
    step_lease_name,
    step_lease_seconds,
)
from waakhond.pipeline.step import PipelineStep, StepContext, StepFunction
from waakhond.pipeline.steps import pipeline_steps

__all__ = [
    "STEP_LEASE_PREFIX",
    "PipelineStep",
    "StepContext",
    "StepFunction",
    "acquire_step_lease",
    "build_collector",
    "classify_pending",
    "collect_sources",
    "held_step_lease",
    "pipeline_steps",
    "release_step_lease",
    "renew_every_seconds",
    "shared_encoder",
    "step_lease_name",
    "step_lease_seconds",
    "with_claim_review_processor",
]

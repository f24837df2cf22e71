"""The scale-out section of the settings (``WAAKHOND_SCALE__*``): Celery workers on a Redis
broker (``broker_url``), one elected scheduler.

Used only when ``broker_url`` is set; the embedded service ignores it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

#: Leader election must hand over within a minute: a dead leader's lease runs out at most one
#: lease after its last renewal, and a standby tries every third of a lease, so a hand-over takes
#: at most 4/3 of a lease.
MAX_LEADER_LEASE_SECONDS = 45


class ScaleSettings(BaseModel):
    # --- the scheduler ---------------------------------------------------------------------
    scheduler_tick_seconds: float = Field(1.0, gt=0, le=60, description="How often the scheduler loop wakes up.")
    leader_lease_seconds: float = Field(
        30.0, ge=3, le=MAX_LEADER_LEASE_SECONDS,
        description="The leader's lease on the `leases` row; a standby takes over at most 4/3 of this after the "
        "leader stopped renewing it (it renews, and a standby tries, three times per lease).",
    )
    requeue_after_seconds: float = Field(
        300.0, gt=0,
        description="A fetch or classify task not done after this long is enqueued again (a lost message, a dead "
        "worker); the copy left in the queue expires then. Duplicates are harmless: claims and upserts are "
        "idempotent.",
    )
    classify_batch_size: int = Field(64, ge=1, description="Items per classify task.")
    classify_max_wait_seconds: float = Field(
        30.0, gt=0, description="A partial batch is sent once its oldest item has waited this long."
    )
    classify_max_queued_batches: int = Field(
        32, ge=1, description="Classify batches enqueued and not done at most (a backlog waits in the database, "
        "not in Redis)."
    )
    # --- delivery ----------------------------------------------------------------------------
    task_retries: int = Field(5, ge=0, description="Retries of a failing task before it becomes a dead letter.")
    retry_backoff_seconds: float = Field(2.0, gt=0, description="First retry delay; doubled per retry.")
    retry_backoff_max_seconds: float = Field(300.0, gt=0, description="Upper bound of one retry delay.")
    visibility_timeout_seconds: int = Field(
        3600, ge=1,
        description="Redis: a message taken by a worker that died is delivered again after this long (the "
        "scheduler usually re-enqueues the work sooner, see requeue_after_seconds). Longer than any task.",
    )
    redelivery_scan_seconds: float = Field(
        10.0, gt=0, description="How often a worker looks for such messages to deliver again."
    )
    # --- workers ------------------------------------------------------------------------------
    fetch_concurrency: int = Field(8, ge=1, description="Default threads of a fetch worker (I/O-bound).")
    classify_concurrency: int = Field(1, ge=1, description="Default concurrency of a classify or match worker.")

    @model_validator(mode="after")
    def _retries_within_visibility(self) -> ScaleSettings:
        # A retry waits in its worker, unacknowledged, until its countdown ends: Redis would hand
        # out a copy of it once the visibility timeout passed.
        if self.retry_backoff_max_seconds >= self.visibility_timeout_seconds:
            raise ValueError("scale.retry_backoff_max_seconds must be shorter than scale.visibility_timeout_seconds")
        return self

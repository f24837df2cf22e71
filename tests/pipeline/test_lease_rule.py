"""The one lease rule of an exclusive pipeline step, as both runtimes use it (pure parts)."""

from __future__ import annotations

from waakhond.pipeline import PipelineStep, renew_every_seconds, step_lease_name, step_lease_seconds
from waakhond.pipeline.lease import LEASE_RENEWALS_PER_LEASE, MIN_STEP_LEASE_SECONDS, STEP_LEASE_INTERVALS


def _step(interval: float) -> PipelineStep:
    return PipelineStep("match", lambda context: None, interval)


def test_a_lease_lasts_a_few_intervals_and_never_less_than_a_minute():
    assert step_lease_seconds(_step(600)) == 600 * STEP_LEASE_INTERVALS == 1800
    assert step_lease_seconds(_step(5)) == MIN_STEP_LEASE_SECONDS == 60


def test_a_running_step_renews_its_lease_several_times_per_lease():
    assert renew_every_seconds(_step(600)) == 1800 / LEASE_RENEWALS_PER_LEASE == 600
    assert renew_every_seconds(_step(1)) == 20


def test_the_lease_is_named_after_the_step():
    assert step_lease_name(_step(60)) == "step:match"

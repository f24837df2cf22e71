"""The spike function on constructed series with known spikes and known quiet periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.spikes import MIN_EXPECTED, find_spikes, tail_probability

START = date(2025, 3, 1)


def series(values: list[int]) -> dict[date, int]:
    return {START + timedelta(days=i): v for i, v in enumerate(values)}


def spikes_in(values: list[int], **overrides) -> list[date]:
    options = {"baseline_days": 14, "tail": 0.001, "min_count": 5, "history_start": START}
    options.update(overrides)
    last = START + timedelta(days=len(values) - 1)
    return [s.day for s in find_spikes({1: series(values)}, START, last, **options)]


def test_a_clear_spike_on_a_steady_topic_is_found_and_only_that_day():
    values = [4, 5, 3, 4, 6, 4, 5, 4, 3, 5, 4, 4, 5, 4, 4, 30, 5, 4]
    assert spikes_in(values) == [START + timedelta(days=15)]


def test_busy_but_ordinary_days_of_an_overdispersed_topic_are_not_spikes():
    # a bursty history (weekends low, debates high): 14 is within what it has shown
    values = [2, 12, 1, 15, 3, 11, 0, 14, 2, 13, 1, 12, 3, 15, 14, 2, 13]
    assert spikes_in(values) == []


def test_the_same_day_under_poisson_would_have_been_a_spike():
    baseline = [2, 12, 1, 15, 3, 11, 0, 14, 2, 13, 1, 12, 3, 15]
    probability, expected, model = tail_probability(16, baseline)
    assert model == "negative_binomial"
    mean = sum(baseline) / len(baseline)
    poisson_probability, _, poisson_model = tail_probability(16, [round(mean)] * len(baseline))
    assert poisson_model == "poisson"
    assert poisson_probability < probability


def test_quiet_topic_needs_min_count_and_no_history_gives_no_verdict():
    assert spikes_in([0] * 15 + [4]) == []  # below min_count
    assert spikes_in([0] * 15 + [9]) == [START + timedelta(days=15)]  # silent topic, then 9
    # the same 9 on the second day of collection: too little history to judge
    assert spikes_in([0, 9], history_start=START) == []


def test_days_before_history_start_are_not_counted_as_zero():
    values = [0] * 10 + [6, 7, 6, 7, 6, 7, 8]
    history = START + timedelta(days=10)
    assert spikes_in(values) != []  # counted from START, ten zero days make the first busy days look like spikes
    assert spikes_in(values, history_start=history) == []


@pytest.mark.parametrize("count", [0, 1, 2])
def test_expected_has_a_floor(count):
    _, expected, _ = tail_probability(max(count, 1), [0, 0, 0, 0])
    assert expected == MIN_EXPECTED

"""Spikes on the overview chart: a topic's day far above its own trailing baseline (pure).

    for each topic, for each day d of the period:
        baseline  = the topic's counts on the ``baseline_days`` days before d (only days on or
                    after ``history_start``: before it nothing was collected, which is not zero)
        expected  = mean of the baseline (at least MIN_EXPECTED)
        model     = Poisson(expected) when the baseline's variance is at most its mean, else the
                    negative binomial with the baseline's mean and variance (method of moments)
        spike     = count >= min_count  and  P(X >= count) <= tail_probability

Why this test: daily counts of flagged items are counts, so Poisson is the natural null model.
But news is bursty (a debate, a weekend), and the variance of a topic's history usually
exceeds its mean; a Poisson test would then call every busy day a spike. The negative binomial
fitted to the same history widens the tail exactly as much as that history is over-dispersed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scipy.stats import nbinom, poisson

#: Floor for the expected count, so that a topic that was silent so far does not turn its
#: first few items into a spike on its own (``min_count`` guards the same from the other side).
MIN_EXPECTED = 0.5
#: Fewer days of history than this give no baseline at all: no verdict for that day.
MIN_BASELINE_DAYS = 3


@dataclass(frozen=True)
class Spike:
    day: date
    topic_id: int
    count: int
    expected: float
    probability: float
    model: str


def tail_probability(count: int, baseline: Sequence[int]) -> tuple[float, float, str]:
    """``(P(X >= count), expected, model)`` under the baseline's Poisson or negative binomial."""
    n = len(baseline)
    mean = sum(baseline) / n
    variance = sum((x - mean) ** 2 for x in baseline) / (n - 1) if n > 1 else 0.0
    expected = max(mean, MIN_EXPECTED)
    if variance <= mean or mean <= 0:
        return float(poisson.sf(count - 1, expected)), expected, "poisson"
    size = mean * mean / (variance - mean)  # r: variance = mean + mean^2 / r
    success = size / (size + mean)
    return float(nbinom.sf(count - 1, size, success)), expected, "negative_binomial"


def find_spikes(
    counts: Mapping[int, Mapping[date, int]],
    first_day: date,
    last_day: date,
    *,
    baseline_days: int,
    tail: float,
    min_count: int,
    history_start: date | None = None,
) -> list[Spike]:
    """Spikes per topic in ``first_day..last_day``; ``counts[topic][day]``, missing days are 0."""
    spikes: list[Spike] = []
    for topic_id, by_day in counts.items():
        day = first_day
        while day <= last_day:
            count = int(by_day.get(day, 0))
            if count >= min_count:
                window_start = day - timedelta(days=baseline_days)
                if history_start is not None:
                    window_start = max(window_start, history_start)
                length = (day - window_start).days
                if length >= MIN_BASELINE_DAYS:
                    baseline = [int(by_day.get(window_start + timedelta(days=i), 0)) for i in range(length)]
                    probability, expected, model = tail_probability(count, baseline)
                    if probability <= tail:
                        spikes.append(Spike(day, topic_id, count, expected, probability, model))
            day += timedelta(days=1)
    return sorted(spikes, key=lambda s: (s.day, s.topic_id))

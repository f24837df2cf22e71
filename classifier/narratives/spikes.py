"""Spike detection for counts of flagged items, per topic and per narrative (pure, no I/O).

    hourly counts, oldest first, the last bin ending at the evaluation time
    window    = the last ``window_hours`` hours                       -> observed count k
    baseline  = the same hours on each of the previous ``baseline_days`` days (only days inside
                the history: before it nothing was collected, which is not the same as zero)
    expected  = mean of the baseline; with two weeks or more, the same weekday weighs more
    model     = Poisson, or negative binomial when the baseline is over-dispersed
    spike     = k >= min_count  and  P(X >= k) <= tail_probability

Why Poisson *or* negative binomial. Items that arrive independently at a steady rate give a
Poisson count, whose variance equals its mean. News does not behave that way for long: a
debate in parliament, a weekend, a viral post make some days busier, and the baseline's
variance then exceeds its mean. Under a Poisson model such a baseline would make every busy
day a "spike". So the dispersion is measured on the baseline itself (the Pearson statistic
over the residuals from the fitted means, divided by its degrees of freedom: phi, widened as
said below). When phi <= 1 the counts are no more variable than Poisson and Poisson is used (a negative
binomial fitted by moments would collapse onto it anyway). When phi > 1 a negative binomial
with the same mean and variance phi * mean is used (method of moments: r = mean / (phi - 1),
p = 1 / phi), which widens the tail exactly as much as the history says it should.

Why weekdays. Many feeds publish less at weekends. With two weeks of history or more, an
F-test asks whether the weekday means differ; if they clearly do, the expected count is the
mean of the same weekday (four days out of 28) and the dispersion is measured around the
weekday means, so a normal Monday is not a spike and a busy Saturday can still be one. Else
the mean of all days is used.

The expected count is itself estimated from k days, so the variance the window is tested
against is phi * mean * (1 + 1/k): the moment version of the Gamma-Poisson predictive. With
28 days this widens the tail by 4%; with four same-weekday days by 25%.

Zero baselines (a new narrative, a quiet topic) get the floor ``min_expected``, and
``min_count`` keeps one or two items from ever being a spike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.stats import f as f_distribution
from scipy.stats import nbinom, poisson

from classifier.narratives.settings import SpikeSettings

HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
#: Weekday means need at least two samples per weekday to say anything about a weekly cycle.
MIN_DAYS_FOR_WEEKDAYS = 2 * DAYS_PER_WEEK
#: Significance level of the F-test that decides whether the baseline has a weekly cycle;
#: strict, so that the all-days mean (28 samples, not 4) is used unless the cycle is clear.
WEEKLY_CYCLE_TEST_LEVEL = 0.01


@dataclass(frozen=True)
class SpikeTest:
    """The outcome of testing one window against its baseline."""

    count: int
    expected: float
    dispersion: float
    model: str  # "poisson" | "negative_binomial" | "none" (no baseline yet)
    p_value: float
    baseline_days: int
    is_spike: bool
    window_end: datetime | None = None


@dataclass(frozen=True)
class SpikeEpisode:
    """Consecutive spike windows of one series, merged."""

    first_window_end: datetime
    last_window_end: datetime
    peak: SpikeTest


def hourly_counts(times: Iterable[datetime], end: datetime, hours: int) -> np.ndarray:
    """Counts per hour for the ``hours`` hours before ``end``; bin i ends at
    ``end - (hours - 1 - i) h``. Times outside the span are ignored."""
    counts = np.zeros(hours, dtype=np.int64)
    for moment in times:
        age_hours = (end - moment).total_seconds() / 3600.0
        if 0 < age_hours <= hours:
            counts[hours - int(np.ceil(age_hours))] += 1
        elif age_hours == 0:  # an item stamped exactly at ``end`` belongs to the last bin
            counts[hours - 1] += 1
    return counts


def series_hours(settings: SpikeSettings) -> int:
    """How many hourly bins one test needs: the window plus the baseline days."""
    return settings.window_hours + settings.baseline_days * HOURS_PER_DAY


def window_and_baseline(
    hourly: np.ndarray, end_index: int, settings: SpikeSettings, history_start: int = 0
) -> tuple[int, np.ndarray]:
    """The count in the window ending before bin ``end_index`` and the counts of the same
    hours on previous days, the day before first. Days reaching before ``history_start`` are
    left out."""
    width = settings.window_hours
    count = int(hourly[max(0, end_index - width) : end_index].sum())
    baseline = []
    for day in range(1, settings.baseline_days + 1):
        stop = end_index - day * HOURS_PER_DAY
        start = stop - width
        if start < history_start:
            break
        baseline.append(int(hourly[start:stop].sum()))
    return count, np.asarray(baseline, dtype=np.float64)


def baseline_moments(baseline: Sequence[float]) -> tuple[float, float]:
    """Expected count for the window and the dispersion to test it with.

    ``baseline[0]`` is yesterday; ``baseline[6]`` is the same weekday a week ago. Returns
    ``(expected, phi)``, where ``phi`` is the baseline's own dispersion (Pearson statistic
    per degree of freedom) widened by the uncertainty of an expected count estimated from
    ``k`` days: variance = phi * expected * (1 + 1/k).
    """
    x = np.asarray(baseline, dtype=np.float64)
    n = len(x)
    if n == 0:
        return 0.0, 1.0
    flat = np.full(n, x.mean())
    fitted, expected, used, dof = flat, float(x.mean()), n, n - 1
    if n >= MIN_DAYS_FOR_WEEKDAYS:
        weekday = np.arange(1, n + 1) % DAYS_PER_WEEK  # 0: the same weekday as the window
        means = np.array([x[weekday == w].mean() for w in range(DAYS_PER_WEEK)])
        if _weekdays_differ(x, flat, means[weekday]):
            fitted, expected = means[weekday], float(means[0])
            used, dof = int((weekday == 0).sum()), n - DAYS_PER_WEEK
    if dof <= 0:
        return expected, 1.0 + 1.0 / used
    positive = fitted > 0
    phi = float((((x - fitted) ** 2)[positive] / fitted[positive]).sum()) / dof
    return expected, max(phi, 0.0) * (1.0 + 1.0 / used)


def _weekdays_differ(x: np.ndarray, flat: np.ndarray, by_weekday: np.ndarray) -> bool:
    """F-test of weekday means against one mean: is there a weekly cycle in the baseline?"""
    rss_flat = float(((x - flat) ** 2).sum())
    rss_weekday = float(((x - by_weekday) ** 2).sum())
    dof = len(x) - DAYS_PER_WEEK
    if rss_weekday <= 0:
        return rss_flat > 0
    statistic = ((rss_flat - rss_weekday) / (DAYS_PER_WEEK - 1)) / (rss_weekday / dof)
    return float(f_distribution.sf(statistic, DAYS_PER_WEEK - 1, dof)) < WEEKLY_CYCLE_TEST_LEVEL


def tail_probability(count: int, expected: float, dispersion: float) -> tuple[float, str]:
    """P(X >= count) under Poisson(expected), or a negative binomial with variance
    ``dispersion * expected`` when ``dispersion > 1``."""
    if count <= 0:
        return 1.0, "poisson"
    if dispersion <= 1.0:
        return float(poisson.sf(count - 1, expected)), "poisson"
    r = expected / (dispersion - 1.0)
    p = 1.0 / dispersion
    return float(nbinom.sf(count - 1, r, p)), "negative_binomial"


def check_window(count: int, baseline: Sequence[float], settings: SpikeSettings) -> SpikeTest:
    """Is ``count`` a spike against ``baseline`` (the same hours of previous days)? Fewer than
    ``min_baseline_days`` days of history give no verdict (model "none")."""
    if len(baseline) < settings.min_baseline_days:
        return SpikeTest(count, 0.0, 1.0, "none", 1.0, len(baseline), False)
    expected, dispersion = baseline_moments(baseline)
    expected = max(expected, settings.min_expected)
    p_value, model = tail_probability(count, expected, dispersion)
    is_spike = count >= settings.min_count and p_value <= settings.tail_probability
    return SpikeTest(count, expected, dispersion, model, p_value, len(baseline), is_spike)


def check_series_end(
    hourly: np.ndarray, settings: SpikeSettings, history_start: int = 0, window_end: datetime | None = None
) -> SpikeTest:
    """Test the last window of an hourly series (the evaluation 'now')."""
    count, baseline = window_and_baseline(hourly, len(hourly), settings, history_start)
    result = check_window(count, baseline, settings)
    return _at(result, window_end)


def scan(
    hourly: np.ndarray, settings: SpikeSettings, start: datetime, history_start: int = 0
) -> list[SpikeTest]:
    """Test every window of an hourly series whose first bin starts at ``start``, one hour
    apart, from the first one that has ``min_baseline_days`` of baseline."""
    first_end = history_start + settings.window_hours + settings.min_baseline_days * HOURS_PER_DAY
    results = []
    for end_index in range(first_end, len(hourly) + 1):
        count, baseline = window_and_baseline(hourly, end_index, settings, history_start)
        result = check_window(count, baseline, settings)
        results.append(_at(result, start + timedelta(hours=end_index)))
    return results


def episodes(results: Sequence[SpikeTest]) -> list[SpikeEpisode]:
    """Merge runs of spike windows (as returned by ``scan``) into episodes with their peak."""
    found: list[SpikeEpisode] = []
    run: list[SpikeTest] = []
    for result in [*results, None]:
        if result is not None and result.is_spike:
            run.append(result)
            continue
        if run:
            peak = min(run, key=lambda r: (r.p_value, -r.count))
            found.append(SpikeEpisode(run[0].window_end, run[-1].window_end, peak))  # type: ignore[arg-type]
            run = []
    return found


def spikes_now(
    times_by_key: Mapping[str, Sequence[datetime]],
    now: datetime,
    settings: SpikeSettings,
    history_start: datetime | None = None,
) -> dict[str, SpikeTest]:
    """Test the window ending at ``now`` for each key (a topic, a narrative). ``history_start``
    is when collection began: baseline days before it are not counted as zeros."""
    hours = series_hours(settings)
    start_index = 0
    if history_start is not None:
        offset = int(np.ceil((history_start - (now - timedelta(hours=hours))).total_seconds() / 3600.0))
        start_index = min(max(offset, 0), hours)
    return {
        key: check_series_end(hourly_counts(times, now, hours), settings, start_index, now)
        for key, times in times_by_key.items()
    }


def _at(result: SpikeTest, window_end: datetime | None) -> SpikeTest:
    return SpikeTest(
        result.count, result.expected, result.dispersion, result.model, result.p_value,
        result.baseline_days, result.is_spike, window_end,
    )

"""Spike detection on constructed hourly series with known spikes and known quiet periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from classifier.narratives.settings import SpikeSettings
from classifier.narratives.spikes import (
    baseline_moments,
    check_window,
    episodes,
    hourly_counts,
    scan,
    series_hours,
    spikes_now,
    tail_probability,
    window_and_baseline,
)

START = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday, 00:00
SETTINGS = SpikeSettings()
DAYS = 35


def poisson_series(rate_per_hour, days: int = DAYS, seed: int = 7) -> np.ndarray:
    """Hourly Poisson counts; ``rate_per_hour(hour_index)`` gives the rate of each hour."""
    rng = np.random.default_rng(seed)
    rates = np.array([rate_per_hour(h) for h in range(days * 24)])
    return rng.poisson(rates)


def plant(series: np.ndarray, first_hour: int, hours: int, extra_per_hour: int) -> np.ndarray:
    out = series.copy()
    out[first_hour : first_hour + hours] += extra_per_hour
    return out


def spike_hours(series: np.ndarray, settings: SpikeSettings = SETTINGS) -> list[int]:
    """Hour indices (window ends) flagged as spikes by a full scan."""
    return [
        int((r.window_end - START).total_seconds() // 3600) for r in scan(series, settings, START) if r.is_spike
    ]


# ------------------------------------------------------------------ building blocks
def test_hourly_counts_bins_by_age_and_ignores_outside():
    end = START + timedelta(hours=10)
    times = [end, end - timedelta(minutes=30), end - timedelta(hours=1, minutes=1), end - timedelta(hours=11),
             end + timedelta(minutes=1)]
    counts = hourly_counts(times, end, 10)
    assert counts.tolist() == [0] * 8 + [1, 2]


def test_window_and_baseline_uses_same_hours_of_previous_days_and_respects_history_start():
    hourly = np.zeros(series_hours(SETTINGS), dtype=int)
    end = len(hourly)
    hourly[end - 3] = 4  # inside the window
    hourly[end - 24 - 2] = 1  # same hours yesterday
    hourly[end - 24 - 8] = 9  # yesterday, but outside the window's hours
    count, baseline = window_and_baseline(hourly, end, SETTINGS)
    assert count == 4
    assert len(baseline) == SETTINGS.baseline_days
    assert baseline[0] == 1 and baseline[1:].sum() == 0
    _, short = window_and_baseline(hourly, end, SETTINGS, history_start=end - 5 * 24 - 6)
    assert len(short) == 5


def test_poisson_for_steady_baseline_negative_binomial_for_overdispersed():
    steady = [4, 5, 3, 4, 6, 4, 5, 3, 4, 5]
    _, phi = baseline_moments(steady)
    assert phi <= 1
    assert tail_probability(12, 4.3, phi)[1] == "poisson"
    bursty = [0, 0, 15, 1, 0, 20, 0, 2, 0, 12]
    mean, phi = baseline_moments(bursty)
    assert phi > 1
    p_nb, model = tail_probability(25, mean, phi)
    assert model == "negative_binomial"
    assert p_nb > tail_probability(25, mean, 1.0)[0]  # the wider tail makes 25 less surprising


def test_tail_probability_matches_the_poisson_formula():
    from math import exp, factorial

    mean = 2.0
    expected = 1 - sum(exp(-mean) * mean**k / factorial(k) for k in range(5))
    assert tail_probability(5, mean, 1.0)[0] == pytest.approx(expected)


# ------------------------------------------------------------------ zero baselines
def test_zero_baseline_single_items_are_not_spikes_but_a_burst_is():
    zeros = [0] * 28
    assert not check_window(1, zeros, SETTINGS).is_spike
    assert not check_window(2, zeros, SETTINGS).is_spike  # below min_count
    burst = check_window(6, zeros, SETTINGS)
    assert burst.is_spike and burst.expected == SETTINGS.min_expected


def test_no_verdict_without_enough_history():
    result = check_window(50, [0], SETTINGS)
    assert result.model == "none" and not result.is_spike


# ------------------------------------------------------------------ constructed series
def test_steady_series_has_no_spikes_and_a_planted_burst_is_found_where_planted():
    quiet = poisson_series(lambda h: 0.5)
    assert spike_hours(quiet) == []
    planted_at = 30 * 24 + 9
    loud = plant(quiet, planted_at, 4, 4)
    found = spike_hours(loud)
    assert found, "the planted burst was missed"
    assert all(planted_at < h <= planted_at + 4 + SETTINGS.window_hours for h in found)
    found_episodes = episodes(scan(loud, SETTINGS, START))
    assert len(found_episodes) == 1


def test_weekly_seasonality_normal_weekdays_are_quiet_and_a_weekend_burst_is_found():
    def weekly(hour: int) -> float:
        weekday = (hour // 24) % 7
        return 0.2 if weekday >= 5 else 2.0  # busy Monday..Friday, quiet weekend

    seasonal = poisson_series(weekly, seed=11)
    assert spike_hours(seasonal) == []  # every Monday morning is far above Sunday, yet normal
    saturday = 33 * 24 + 12  # day 33 is a Saturday
    assert (saturday // 24) % 7 == 5
    burst = plant(seasonal, saturday, 3, 3)
    found = spike_hours(burst)
    assert found and all(saturday < h <= saturday + 3 + SETTINGS.window_hours for h in found)


def test_overdispersed_series_is_quiet_under_negative_binomial_but_not_under_poisson():
    rng = np.random.default_rng(5)
    daily_rates = rng.gamma(shape=1.5, scale=1.0, size=DAYS)  # some days are much busier
    bursty = poisson_series(lambda h: daily_rates[h // 24], seed=5)
    results = scan(bursty, SETTINGS, START)
    assert any(r.model == "negative_binomial" for r in results)
    flagged_nb = sum(r.is_spike for r in results)
    poisson_only = [
        r.count >= SETTINGS.min_count and tail_probability(r.count, r.expected, 1.0)[0] <= SETTINGS.tail_probability
        for r in results
    ]
    assert flagged_nb < sum(poisson_only)


def test_spikes_now_per_key_with_history_start():
    now = START + timedelta(days=30)
    steady = [now - timedelta(hours=h, minutes=20) for h in range(0, 30 * 24, 6)]
    burst = steady + [now - timedelta(minutes=m) for m in range(5, 60, 5)]
    result = spikes_now({"wonen": steady, "stikstof-landbouw": burst}, now, SETTINGS)
    assert not result["wonen"].is_spike
    assert result["stikstof-landbouw"].is_spike
    assert result["stikstof-landbouw"].window_end == now
    fresh = spikes_now({"x": burst}, now, SETTINGS, history_start=now - timedelta(days=1))
    assert fresh["x"].model == "none"  # one day of history is not enough for a verdict

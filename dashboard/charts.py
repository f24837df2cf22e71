"""The overview chart: flagged items per day per topic, with spikes marked (Altair)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import altair as alt
import pandas as pd

from dashboard.i18n import t
from dashboard.spikes import Spike
from storage.read_models import NO_TOPIC, DayCount


def topic_label(topic_id: int, names: Mapping[int, str]) -> str:
    return t("topic.none") if topic_id == NO_TOPIC else names.get(topic_id, f"#{topic_id}")


def trend_frame(counts: Sequence[DayCount], names: Mapping[int, str], first_day: date, last_day: date) -> pd.DataFrame:
    rows = [
        {"day": pd.Timestamp(c.day), "topic": topic_label(c.topic_id, names), "flagged": c.flagged}
        for c in counts if first_day <= c.day <= last_day
    ]
    return pd.DataFrame(rows, columns=["day", "topic", "flagged"])


def spike_frame(spikes: Sequence[Spike], names: Mapping[int, str]) -> pd.DataFrame:
    rows = [
        {"day": pd.Timestamp(s.day), "topic": topic_label(s.topic_id, names), "flagged": s.count,
         "expected": round(s.expected, 1), "probability": s.probability}
        for s in spikes
    ]
    return pd.DataFrame(rows, columns=["day", "topic", "flagged", "expected", "probability"])


def trend_chart(trend: pd.DataFrame, spikes: pd.DataFrame) -> alt.LayerChart:
    day = alt.X("day:T", title=t("chart.day"))
    count = alt.Y("flagged:Q", title=t("chart.flagged"))
    color = alt.Color("topic:N", title=t("chart.topic"))
    lines = alt.Chart(trend).mark_line(point=True).encode(
        x=day, y=count, color=color,
        tooltip=[alt.Tooltip("day:T", title=t("chart.day")), alt.Tooltip("topic:N", title=t("chart.topic")),
                 alt.Tooltip("flagged:Q", title=t("chart.flagged"))],
    )
    marks = alt.Chart(spikes).mark_point(shape="triangle-up", size=220, filled=True, color="#d62728").encode(
        x=day, y=count,
        tooltip=[alt.Tooltip("day:T", title=t("chart.day")), alt.Tooltip("topic:N", title=t("chart.topic")),
                 alt.Tooltip("flagged:Q", title=t("chart.flagged")),
                 alt.Tooltip("expected:Q", title=t("chart.expected"))],
    )
    return alt.layer(lines, marks).properties(height=360)

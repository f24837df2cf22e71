"""The Modellen page's drift charts: a version's share of flagged items per day, one line per
topic or per source (Altair, like ``dashboard.charts``), and its agreement with analysts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from dashboard.i18n import t
from storage.read_models import NO_TOPIC, Agreement, FlagRate

COLUMNS = ["day", "series", "rate", "scored", "flagged"]


def series_label(key: int, names: Mapping[int, str], by: str) -> str:
    if by == "topic" and key == NO_TOPIC:
        return t("topic.none")
    return names.get(key, f"#{key}")


def rate_frame(rates: Sequence[FlagRate], names: Mapping[int, str], by: str) -> pd.DataFrame:
    rows = [{"day": pd.Timestamp(r.day), "series": series_label(r.key, names, by), "rate": round(r.rate, 4),
             "scored": r.scored, "flagged": r.flagged} for r in rates]
    return pd.DataFrame(rows, columns=COLUMNS)


def rate_chart(frame: pd.DataFrame, by: str) -> alt.Chart:
    series = t(f"models.series_{by}")
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("day:T", title=t("chart.day")),
        y=alt.Y("rate:Q", title=t("models.rate"), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=series),
        tooltip=[alt.Tooltip("day:T", title=t("chart.day")), alt.Tooltip("series:N", title=series),
                 alt.Tooltip("rate:Q", title=t("models.rate"), format=".0%"),
                 alt.Tooltip("flagged:Q", title=t("models.flagged")),
                 alt.Tooltip("scored:Q", title=t("models.scored"))],
    ).properties(height=300)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def agreement_rows(agreement: Agreement) -> list[dict[str, object]]:
    """One row per part: how often it was there, raised the flag, was agreed with, named wrong."""
    return [
        {t("models.part"): t(f"part.{p.part}"), t("models.part_present"): p.present,
         t("models.part_raised"): p.raised, t("models.part_agreement"): _share(p.agreement_when_raised),
         t("models.part_named_wrong"): p.named_wrong}
        for p in agreement.parts
    ]


def agreement_summary(agreement: Agreement) -> str:
    return t("models.agreement_summary", agreed=agreement.agreed, judged=agreement.judged,
             rate=_share(agreement.rate), labels=agreement.labels)

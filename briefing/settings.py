"""The briefing's section of the settings (``WAAKHOND_BRIEFING__*``)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator


class BriefingSettings(BaseModel):
    history_weeks: int = Field(8, ge=1, le=52, description="Weeks before the briefing's week in the volume chart.")
    narratives_per_topic: int = Field(5, ge=1, le=50, description="Narratives that grew shown per topic, most growth first.")
    claims_per_narrative: int = Field(2, ge=1, le=10, description="Flagged messages quoted per narrative, highest score first.")
    label_examples: int = Field(6, ge=0, le=50, description="Analysts' labels listed per topic (the counts cover all).")
    min_narrative_items: int = Field(2, ge=1, description="A narrative needs this many messages to appear.")
    timezone: str = Field("Europe/Amsterdam", description="Local time of the dates and times in the briefing.")
    output_dir: Path | None = Field(
        None, description="Where scheduled briefings (alert rule kind briefing) are written. Empty: <data_dir>/briefings."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

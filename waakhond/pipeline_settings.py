"""The pipeline's own section of the settings (``WAAKHOND_PIPELINE__*``): how often the
service (or, with a broker, the scale-out scheduler) runs the steps after collection.

Collection has its own tick (``collector.tick_seconds``); the merge pass and alerts keep theirs
in ``narratives`` and ``alerts``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

#: An empty run of classify, match or narratives costs a couple of small queries, so once a
#: minute keeps signals fresh at no real cost.
DEFAULT_STEP_INTERVAL_SECONDS = 60.0


class PipelineSettings(BaseModel):
    classify_interval_seconds: float = Field(
        DEFAULT_STEP_INTERVAL_SECONDS, gt=0, description="How often new items are classified."
    )
    match_interval_seconds: float = Field(
        DEFAULT_STEP_INTERVAL_SECONDS, gt=0, description="How often classified items and new fact-checks are matched."
    )
    narratives_interval_seconds: float = Field(
        DEFAULT_STEP_INTERVAL_SECONDS, gt=0, description="How often flagged items are placed in narratives."
    )

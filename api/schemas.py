"""The JSON the API returns. Field names are the public column contract's (``items``,
``classifications``, ``claim_matches``, ``labels``, ``sources``, ``fetch_runs``; see the
``*contract*`` docstrings in ``storage/schema``), with a few read-only additions named after
what they are. Every URL field holds an http(s) URL or null (``storage.urls.web_url``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    detail: str = Field(description="Why the request was refused.")


class TokenInfo(BaseModel):
    name: str
    role: str
    expires_at: datetime | None


class Signal(BaseModel):
    """A flagged story: its item (``items``) and its latest signal (``classifications``)."""

    item_id: int
    source_id: int
    source_name: str
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str
    summary: str | None
    published_at: datetime | None
    collected_at: datetime
    appeared_at: datetime = Field(description="Published, unless missing or later than collected.")
    language: str | None
    duplicate_of: int | None
    model_version_id: int
    score: float = Field(description="Calibrated probability in [0, 1].")
    flagged: bool
    flag_reasons: list[str]
    evidence_text: str | None
    topics: list[str] = Field(description="Policy topic slugs, strongest first.")
    fact_check_ids: list[int] = Field(description="Matched fact-checks (claim_matches), most similar first.")
    signal_parts: dict[str, Any] | None = Field(
        description="classifications.signal_parts as stored (None for rows scored before the parts existed)."
    )


class SignalList(BaseModel):
    signals: list[Signal]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class Topic(BaseModel):
    id: int
    slug: str
    name: str
    name_en: str | None
    ministry: str | None


class Guidance(BaseModel):
    title: str
    url: str
    topic: str | None = Field(description="The topic slug, or null for the general page (isdatechtzo.nl).")


class Match(BaseModel):
    """A ``claim_matches`` row with its fact-check."""

    item_id: int
    fact_check_id: int
    similarity: float
    sentence: str | None
    sentence_start: int | None
    sentence_end: int | None
    claim_reviewed: str
    rating: str
    rating_text: str | None
    publisher: str
    url: str | None
    language: str | None
    published_at: datetime | None
    debunk: bool = Field(description="The rating is false or mostly_false.")
    score: float | None = Field(
        default=None,
        description="The claim matcher's second-stage score (calibrated probability that the sentence states the "
                    "fact-check's claim); null for a match made before the second stage or in single-stage mode.")
    item_refutes_claim: bool = Field(
        default=False,
        description="The item quotes the claim to refute it (a debunk article or a fact-checker's item): linked, "
                    "but never counted as spreading the claim.")
    refute_cue: str | None = Field(default=None, description="The words (or 'source') that made it a refutation.")


class Label(BaseModel):
    """A ``labels`` row with who labelled (analyst tokens only)."""

    id: int
    item_id: int
    user_id: int
    username: str
    label: str
    wrong_part: str | None
    note: str | None
    created_at: datetime
    retracted_at: datetime | None


class SignalDetail(BaseModel):
    item_id: int
    title: str
    url: str | None
    source_name: str
    published_at: datetime | None
    collected_at: datetime
    language: str | None
    body_text: str | None = Field(description="The item's longest text (body, else summary, else title).")
    score: float | None
    flagged: bool
    flag_reasons: list[str]
    threshold: float | None
    model_name: str | None
    evidence_text: str | None
    evidence_start: int | None
    evidence_end: int | None
    topics: list[Topic]
    guidance: list[Guidance]
    matches: list[Match]
    carriers: int = Field(description="Distinct sources that carried the story (the original and its copies).")
    signal_parts: dict[str, Any] | None
    labels: list[Label] | None = Field(description="Analyst tokens only; null for viewer tokens.")


class Narrative(BaseModel):
    id: int
    title: str
    representative_sentence: str | None
    representative_item_id: int | None
    topics: list[str]
    status: str
    first_seen: datetime | None
    last_seen: datetime | None
    item_count: int
    source_count: int
    merged_into: int | None


class NarrativeMember(BaseModel):
    item_id: int
    title: str
    url: str | None
    source_id: int
    source_name: str
    seen_at: datetime
    similarity: float


class Debunk(BaseModel):
    fact_check_id: int
    publisher: str
    url: str | None
    claim_reviewed: str
    rating: str
    rating_text: str | None
    matched_items: int
    best_similarity: float


class NarrativeDetail(BaseModel):
    narrative: Narrative
    members: list[NarrativeMember]
    debunks: list[Debunk]
    guidance: list[Guidance]


class TrendPoint(BaseModel):
    day: date
    topic_id: int = Field(description="A policy topic's id; 0 for items without a topic.")
    topic: str | None = Field(description="The topic slug; null for items without a topic.")
    flagged: int = Field(description="Flagged stories that appeared that day (syndicated copies left out).")


class Trends(BaseModel):
    first_day: date
    last_day: date
    points: list[TrendPoint]


class FactCheck(BaseModel):
    id: int
    publisher: str
    url: str | None
    claim_reviewed: str
    headline: str | None
    rating: str
    rating_text: str | None
    claim_author: str | None
    language: str | None
    published_at: datetime | None
    created_at: datetime


class SourceHealth(BaseModel):
    id: int
    name: str
    url: str | None
    kind: str
    enabled: bool
    disabled_reason: str | None
    interval_seconds: int
    language: str | None
    last_status: str | None = Field(description="Status of the last fetch_runs row (ok, not_modified, failed, skipped).")
    last_error: str | None
    last_fetched_at: datetime | None
    next_due_at: datetime | None
    consecutive_failures: int
    healthy: bool

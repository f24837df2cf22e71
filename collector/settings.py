"""The collector's own section of the settings (``WAAKHOND_COLLECTOR__*``)."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, Field, field_validator


class CollectorSettings(BaseModel):
    # --- safety -------------------------------------------------------------------------
    allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs that may be fetched even though they are private/loopback/link-local "
        'addresses, e.g. ["127.0.0.0/8"] for tests. Empty: only public addresses.',
    )
    contact: str = Field(
        "waakhond-operator@example.invalid",
        description="Contact address put in the User-Agent so site owners can reach the operator.",
    )
    # --- HTTP limits ----------------------------------------------------------------------
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to establish a connection.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds between two received chunks.")
    total_timeout: float = Field(60.0, gt=0, description="Seconds for a whole fetch, body included.")
    max_redirects: int = Field(5, ge=0)
    max_response_bytes: int = Field(10_000_000, gt=0, description="After decompression.")
    allowed_content_types: list[str] = Field(
        default_factory=lambda: [
            "application/rss+xml",
            "application/atom+xml",
            "application/rdf+xml",
            "application/xml",
            "text/xml",
            "application/feed+json",
            "application/json",
            "text/html",
            "application/xhtml+xml",
            "text/plain",
            "application/octet-stream",
        ],
        description="Media types accepted for feeds and articles; anything else fails the fetch.",
    )
    global_concurrency: int = Field(32, ge=1, description="Fetches in flight at once, all hosts together.")
    per_host_concurrency: int = Field(2, ge=1)
    per_host_min_delay: float = Field(1.0, ge=0, description="Seconds between two requests to one host.")
    retries: int = Field(2, ge=0, description="Extra attempts after a 5xx, 429 or timeout.")
    backoff_base: float = Field(1.0, ge=0, description="Seconds; doubled per retry, with jitter.")
    backoff_max: float = Field(60.0, ge=0, description="Upper bound for one retry wait, Retry-After included.")
    respect_robots: bool = True
    robots_cache_seconds: int = Field(3600, ge=0)
    # --- scheduling -------------------------------------------------------------------------
    default_interval_seconds: int = Field(900, ge=60, le=86_400)
    min_interval_seconds: int = Field(60, ge=1)
    max_interval_seconds: int = Field(86_400, ge=60)
    adaptive_polling: bool = True
    disable_after_failures: int = Field(10, ge=1, description="Consecutive failures before a source is disabled.")
    lease_seconds: int = Field(300, ge=10, description="How long one process holds a source while fetching it.")
    tick_seconds: float = Field(15.0, gt=0, description="How often the service looks for due sources.")
    # --- content ------------------------------------------------------------------------------
    full_text_max_bytes: int = Field(3_000_000, gt=0)
    full_text_max_per_fetch: int = Field(
        50, ge=0, description="Article pages fetched per feed fetch at most (new entries first come first)."
    )
    classify_languages: list[str] = Field(
        default_factory=lambda: ["nl"], description="Languages that go on to classification."
    )
    near_duplicate_threshold: float = Field(0.8, gt=0, le=1, description="MinHash Jaccard estimate.")
    near_duplicate_window_days: int = Field(7, ge=1)
    minhash_permutations: int = Field(128, ge=16)

    @field_validator("allow_networks")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"not a CIDR network: {cidr!r}") from exc
        return value

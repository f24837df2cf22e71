"""The API's own section of the settings (``WAAKHOND_API__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ApiSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address `waakhond api` listens on.")
    port: int = Field(8502, ge=1, le=65_535)
    public_url: str = Field(
        "", description="URL clients reach the API at (the feed's self links). Empty: http://host:port."
    )
    rate_per_minute: float = Field(
        120.0, gt=0, description="Requests per minute each token may make on average (token bucket refill)."
    )
    rate_burst: int = Field(30, ge=1, description="Requests a token may make at once before the rate applies.")
    page_size: int = Field(50, ge=1, le=500, description="Rows per page when a request does not say.")
    max_page_size: int = Field(500, ge=1, le=5000, description="Most rows a request may ask for in one page.")
    default_period_days: int = Field(30, ge=1, le=366, description="Period of signals and trends when not given.")
    max_period_days: int = Field(366, ge=1, le=3660, description="Longest period a request may ask for.")
    feed_entries: int = Field(50, ge=1, le=500, description="Signals in one Atom feed.")
    feed_period_days: int = Field(14, ge=1, le=366, description="Days of signals an Atom feed covers.")
    last_used_interval_seconds: int = Field(
        60, ge=0, description="A token's last-used time is written at most this often (0: every request)."
    )
    token_default_expiry_days: int = Field(
        365, ge=0, description="Days a new token lives when `tokens add` gives no --expires (0: never expires)."
    )

"""The dashboard's own section of the settings (``WAAKHOND_DASHBOARD__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DashboardSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address the dashboard listens on.")
    port: int = Field(8501, ge=1, le=65_535)
    public_url: str = Field(
        "", description="URL users reach the dashboard at, used in alert links. Empty: http://host:port."
    )
    default_language: str = Field("nl", pattern="^(nl|en)$")
    timezone: str = Field("Europe/Amsterdam", description="Times are shown, and 'today' counted, in this zone.")
    session_ttl_minutes: int = Field(480, ge=1)
    login_max_failures: int = Field(5, ge=1, description="Failed logins per user name within the window.")
    login_window_minutes: int = Field(15, ge=1)
    login_max_failures_per_client: int = Field(
        30, ge=1,
        description="Failed logins from one client address within the window, whatever the user names "
                    "(guessing many names). Behind a reverse proxy every user is the proxy's address.",
    )
    login_mode: str = Field(
        "password", pattern="^(password|oidc)$",
        description="password: argon2 hashes in `users`. oidc: Streamlit's st.login (see docs/dashboard.md).",
    )
    oidc_username_claim: str = Field("email", description="OIDC claim that names the Waakhond user (oidc mode).")
    page_size: int = Field(50, ge=5, le=500)
    default_period_days: int = Field(30, ge=1, le=366, description="Period the filters start with.")
    export_max_rows: int = Field(10_000, ge=1, description="Rows in one CSV export.")
    aggregates_refresh_seconds: int = Field(
        60, ge=5, description="How often the service brings the daily trend counts up to date."
    )
    cache_ttl_seconds: int = Field(60, ge=0, description="How long trend figures are cached; 0: not cached.")
    # spikes on the overview chart (dashboard.spikes)
    spike_baseline_days: int = Field(14, ge=3, description="Trailing days a topic's day is compared with.")
    spike_tail_probability: float = Field(0.001, gt=0, lt=1, description="A day at most this probable is a spike.")
    spike_min_count: int = Field(5, ge=1, description="Fewer flagged items than this are never a spike.")
    # score in words (calibrated probabilities)
    score_very_high: float = Field(0.9, gt=0, le=1)
    score_high: float = Field(0.7, gt=0, le=1)
    score_possible: float = Field(0.4, gt=0, le=1)
    threshold_preview_days: int = Field(7, ge=1, description="Days of scores the threshold preview counts.")
    drift_days: int = Field(28, ge=1, le=366, description="Days the Modellen page's flag-rate charts cover.")

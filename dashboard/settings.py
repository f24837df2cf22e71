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
    session_ttl_minutes: int = Field(480, ge=1)
    login_max_failures: int = Field(5, ge=1, description="Failed logins per user name within the window.")
    login_window_minutes: int = Field(15, ge=1)
    page_size: int = Field(50, ge=5, le=500)

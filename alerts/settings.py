"""The alerts' section of the settings (``WAAKHOND_ALERTS__*``).

The SMTP server is shared by every e-mail channel; a channel only says who receives it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class AlertSettings(BaseModel):
    enabled: bool = Field(True, description="Evaluate the alert rules in the service.")
    dashboard_url: str = Field(
        "",
        description="Base URL of the dashboard for links in alerts. Empty: dashboard.public_url, "
        "else http://<dashboard.host>:<dashboard.port>.",
    )
    evaluate_interval_minutes: int = Field(5, ge=1, description="How often the service evaluates the rules.")
    default_cooldown_minutes: int = Field(
        360, ge=0, description="Cooldown of new rules: the same key pages at most once in this time."
    )
    retry_minutes: int = Field(
        15, ge=1, description="After a failed delivery, the same alert is tried again after this long."
    )
    http_timeout_seconds: float = Field(10.0, gt=0, le=120, description="Connect/read timeout of webhooks.")
    smtp_host: str = Field("", description="SMTP server for e-mail channels. Empty: e-mail channels fail.")
    smtp_port: int = Field(587, ge=1, le=65_535)
    smtp_starttls: bool = Field(True, description="Upgrade the connection with STARTTLS before logging in.")
    smtp_user: str = Field("", description="Empty: no authentication.")
    smtp_password: SecretStr = Field(SecretStr(""))
    smtp_from: str = Field("waakhond@localhost", description="Sender address of alert e-mails.")
    smtp_ca_file: Path | None = Field(
        None, description="CA bundle to verify the SMTP server with (an internal CA). Empty: the system's."
    )
    smtp_timeout_seconds: float = Field(15.0, gt=0, le=120)


def dashboard_base_url(alerts: AlertSettings, public_url: str, host: str, port: int) -> str:
    """Where links in alerts point: alerts.dashboard_url, else the dashboard's public URL,
    else its own address."""
    return (alerts.dashboard_url or public_url or f"http://{host}:{port}").rstrip("/")
